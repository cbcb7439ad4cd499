module github.com/virtengine/sdk/bench/age

go 1.26.0

require (
	filippo.io/age v1.3.2
	github.com/virtengine/sdk v0.0.0
)

require (
	filippo.io/hpke v0.4.0 // indirect
	github.com/cloudflare/circl v1.6.5 // indirect
	golang.org/x/crypto v0.57.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
)

replace github.com/virtengine/sdk => ../..
