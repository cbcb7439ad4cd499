package node

import "time"

// Defaults of a node. Ports follow CometBFT's conventions; the HTTP API sits next to the RPC.
const (
	DefaultRPCAddr = "tcp://127.0.0.1:26657"
	DefaultP2PAddr = "tcp://127.0.0.1:26656"
	DefaultAPIAddr = "127.0.0.1:1317"
	// DefaultChainID names a network made by `virtengine node init` without --chain-id.
	DefaultChainID = "virtengine-local"
	// DefaultStake is the voting power of each genesis validator.
	DefaultStake = 10
	// DefaultFaucet is the balance of the genesis account that node init creates.
	DefaultFaucet = 1_000_000_000_000
	// StopTimeout bounds a clean shutdown.
	StopTimeout = 10 * time.Second
	// maxBlockBytes is the consensus limit on a block: 4 MiB holds hundreds of transfers and a
	// few evidence envelopes.
	maxBlockBytes = 4 << 20
)
