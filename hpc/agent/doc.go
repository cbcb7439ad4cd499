// Package agent runs the node agent and the cluster controller of package hpc over DTLS 1.2
// (RFC 6347, with pion/dtls/v2), on UDP.
//
// Both ends authenticate with their Ed25519 keys (FEATURES §8.1): each presents a self-signed X.509
// certificate made from its key (Certificate), the controller accepts only certificates whose key is
// a node registered in its hpc.Registry (signed by the cluster's provider), and the agent accepts
// only the controller key it was configured with (pinning, not a CA). Inside the connection the agent
// sends hpc.SignedHeartbeat messages with a rising sequence number; the controller verifies the
// signature, the sequence and the timestamp, binds the heartbeat to the node authenticated by the
// handshake, and answers with an Ack that carries the node's state (and whether to drain).
//
// Most users run `virtengine hpc controller` and `virtengine hpc agent`; programs use NewController
// and NewAgent. The wire format is in PROTOCOL.md.
package agent
