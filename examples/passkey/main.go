// Command passkey is a small example server: a page that registers a passkey and approves a
// sensitive transaction with it through VirtEngine's step-up policy.
//
//	go run ./examples/passkey            # then open http://localhost:8080
//
// WebAuthn needs a secure context; http://localhost is one, any other plain-HTTP host is not.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "listen address")
	rpid := flag.String("rpid", "localhost", "WebAuthn relying party ID")
	origin := flag.String("origin", "", "allowed origin (default http://<addr>)")
	score := flag.Uint("score", 70, "identity score given to every account in this demo (0-100)")
	attestation := flag.String("attestation", "none", "attestation conveyance: none or direct")
	flag.Parse()
	if *score > 100 {
		log.Fatal("-score must be 0-100")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen %s: %v (pick another port with -addr)", *addr, err)
	}
	o := *origin
	if o == "" {
		o = "http://" + *addr
	}
	a, err := newApp(config{RPID: *rpid, Origins: []string{o}, Score: uint8(*score), Attestation: *attestation})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("passkey example on %s (RP ID %s)\n", o, *rpid)
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
