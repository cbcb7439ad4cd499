// Package node runs the VirtEngine reference node: the ABCI 2.0 application of node/app embedded in a
// CometBFT v0.40 node (local client, one process), with a JSON HTTP API, an event stream and
// Prometheus metrics beside CometBFT's own RPC.
//
// Most operators use the CLI (virtengine node init|start, virtengine devnet). Programs use:
//
//	node.Init(home, node.InitOptions{ChainID: "virtengine-1"})   // keys, config, genesis
//	n, err := node.Start(ctx, home, node.Options{})              // runs until ctx ends or n.Stop()
//	c := n.Client()                                              // queries and transactions
//
// and node/devnet for N validators on loopback in one call.
//
// Subpackages: node/app (the ABCI application), node/tx (transactions: canonical CBOR, keys,
// messages; FORMAT.md), node/client (submit and query over RPC), node/api (JSON HTTP API, SSE
// events, Prometheus metrics, OpenAPI), node/devnet (N validators in one call), node/e2e (the whole
// flow by transactions, for `virtengine demo`), node/keyring (key files for the CLI).
//
// Layout of a home directory: config/ holds CometBFT's config.toml, genesis.json, the validator and
// node keys, virtengine.json (API address) and committee_key (this validator's identity-committee
// secret, mode 0600); data/ holds CometBFT's databases and app.db, the application state (goleveldb),
// written with the app hash in one batch per block.
package node
