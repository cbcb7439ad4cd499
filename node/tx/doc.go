// Package tx defines VirtEngine transactions: their deterministic encoding, the account keys that sign
// them, and the messages they carry. Most users call [Sign] to build a transaction and submit the bytes
// it returns; the node calls [Decode] and [Tx.Verify].
//
// # Encoding
//
// Transactions are canonical CBOR (RFC 8949 §4.2.1 "core deterministic encoding": shortest integer and
// length forms, definite lengths, map keys sorted bytewise), with integer map keys. CBOR rather than
// protobuf because protobuf has no canonical form (field order, unknown fields and default values may be
// encoded several ways), while deterministic CBOR has exactly one encoding per value, which [Decode]
// enforces by re-encoding and comparing: a transaction has one byte string, one hash and one signature
// domain. See FORMAT.md beside this file.
//
// # Signatures
//
// The signer signs SignDomain || body, where body is the canonical encoding of [Body]: chain id, account
// number, sequence, fee, message type and message. The chain id stops cross-network replay, the account
// number stops replay against a re-created account and the sequence stops replay on the same chain.
// Keys are Ed25519 (RFC 8032) or secp256k1 ECDSA over SHA-256 with low-S signatures (SEC 1, BIP-62).
package tx
