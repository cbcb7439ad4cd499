// Package envelope encrypts data for one or many recipients and signs it by its sender: the one way
// every sensitive datum in VirtEngine is stored and moved.
//
// Most users need four calls:
//
//	id, _ := envelope.GenerateIdentity(envelope.XWing)          // a recipient's key pair
//	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)      // a sender's key pair
//	env, _ := envelope.Seal(data, sk, []envelope.Recipient{id.Recipient()}, nil)
//	data, from, err := envelope.Open(env, id, nil)              // from == sk.Public()
//
// Keys travel as strings with a Bech32 checksum: recipients "vexw1…" (X-Wing, the default,
// post-quantum) and "vecx1…" (X25519), senders "veed1…" (Ed25519) and "vemd1…" (ML-DSA-65), and
// secret keys "VE-SECRET-…-1…". Parse them with ParseRecipient, ParseIdentity, ParseVerifyingKey and
// ParseSigningKey. Secret keys print redacted with every fmt verb ("VE-SECRET-XW-1…(redacted, key id
// …)"); SecretString is the one method that returns the secret string, for a key file.
//
// A Keyring holds many identities and tries the one a stanza names first; its validity windows
// model rotation with an overlap and revocation with a grace period (Keyring.Rotate, Keyring.Revoke,
// Keyring.At). KeysFromMnemonic re-creates keys from BIP-39 words.
//
// Large payloads stream through NewWriter and NewReader in constant memory (64 KiB chunks), and
// NewReaderAt reads any range of a stored envelope by decrypting only the chunks it covers. RewrapAt
// adds or removes recipients by rewriting only the header and trailer (Rewrap does it on a stream,
// copying the payload untouched); Rekey re-encrypts under a new
// file key (the way to truly revoke a reader). Inspect describes an envelope without keys, and
// CheckPayload is the node's guard that refuses plaintext for the data classes of EnvelopeClasses.
//
// Construction (FORMAT.md has the byte layout): a random 256-bit file key is wrapped for each
// recipient with HPKE base mode (RFC 9180) under X-Wing or DHKEM(X25519); the payload is encrypted
// once with AES-256-GCM or ChaCha20-Poly1305 under a key derived with HKDF from the file key and a
// per-envelope nonce, in STREAM chunks; the sender signs, with Ed25519 or ML-DSA-65, a transcript
// binding the header (recipients included) and the SHA-256 of every sealed chunk.
//
// Open verifies the signature before returning any plaintext. Streaming readers return authenticated
// chunks as they go and report a bad signature no later than io.EOF; see Reader.
//
// Errors wrap the sentinels of errors.go; Code gives each a stable string.
package envelope
