package envelope

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns wraps exactly one of them, so callers branch
// with errors.Is; the typed errors below carry the details and are reached with errors.As.
var (
	// ErrMalformed: the bytes are not a canonical v1 envelope (bad magic, bad length, unknown
	// flag, non-canonical encoding). Returned as a *FormatError.
	ErrMalformed = errors.New("envelope: malformed")
	// ErrUnsupported: a version, AEAD suite or signature scheme this build does not know.
	ErrUnsupported = errors.New("envelope: unsupported version or suite")
	// ErrNotRecipient: none of the given identities can unwrap any recipient stanza.
	ErrNotRecipient = errors.New("envelope: not a recipient")
	// ErrIncorrectIdentity is what an Identity returns when no stanza is addressed to it.
	// Open turns it into ErrNotRecipient.
	ErrIncorrectIdentity = errors.New("envelope: incorrect identity for these stanzas")
	// ErrChunkAuth: a payload chunk failed AEAD authentication (changed byte, reordered or
	// swapped chunk, chunk from another envelope). Returned as a *ChunkError.
	ErrChunkAuth = errors.New("envelope: payload chunk failed authentication")
	// ErrTruncated: the envelope ends before its final chunk and trailer.
	ErrTruncated = errors.New("envelope: truncated")
	// ErrTrailingData: bytes follow the end of the envelope.
	ErrTrailingData = errors.New("envelope: data after the end of the envelope")
	// ErrBadSignature: the sender signature does not verify over the header and payload.
	ErrBadSignature = errors.New("envelope: bad sender signature")
	// ErrWrongSigner: the signature is valid but made by a key the caller does not trust.
	// Returned as a *SignerError.
	ErrWrongSigner = errors.New("envelope: signed by an untrusted sender")
	// ErrInvalidKey: a key string or key file could not be parsed. Returned as a *KeyError.
	ErrInvalidKey = errors.New("envelope: invalid key")
	// ErrNoRecipients / ErrTooManyRecipients: Seal needs between 1 and MaxRecipients recipients.
	ErrNoRecipients      = errors.New("envelope: no recipients")
	ErrTooManyRecipients = errors.New("envelope: too many recipients")
	// ErrPlaintextRefused: a data class that must travel as an envelope was given something else.
	ErrPlaintextRefused = errors.New("envelope: plaintext refused for this data class")
	// ErrNoSigner: Seal, Rewrap and Rekey need a Signer.
	ErrNoSigner = errors.New("envelope: no signer")
	// ErrClosed: a write after Close.
	ErrClosed = errors.New("envelope: writer closed")
)

// FormatError locates a malformed or unsupported field of an envelope.
type FormatError struct {
	Offset int64  // byte offset of the field in the envelope
	Field  string // which field, as named in FORMAT.md
	Reason string
	Err    error // ErrMalformed, ErrUnsupported or ErrTruncated
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%v: %s at byte %d: %s", e.Err, e.Field, e.Offset, e.Reason)
}
func (e *FormatError) Unwrap() error { return e.Err }

// ChunkError names the payload chunk that failed.
type ChunkError struct {
	Index uint64 // 0-based chunk counter
	Err   error  // ErrChunkAuth, ErrTruncated or ErrTrailingData
}

func (e *ChunkError) Error() string { return fmt.Sprintf("%v (chunk %d)", e.Err, e.Index) }
func (e *ChunkError) Unwrap() error { return e.Err }

// SignerError names the key that signed an envelope the caller refused.
type SignerError struct {
	Signer *VerifyingKey
	Err    error // ErrWrongSigner
}

func (e *SignerError) Error() string { return fmt.Sprintf("%v: %s", e.Err, e.Signer) }
func (e *SignerError) Unwrap() error { return e.Err }

// KeyError explains why a key string was rejected. It never contains secret material.
type KeyError struct {
	Kind   string // "recipient", "identity", "signer", "signing key"
	Reason string
}

func (e *KeyError) Error() string { return fmt.Sprintf("%v: %s: %s", ErrInvalidKey, e.Kind, e.Reason) }
func (e *KeyError) Unwrap() error { return ErrInvalidKey }

func formatErr(off int64, field, reason string) error {
	return &FormatError{Offset: off, Field: field, Reason: reason, Err: ErrMalformed}
}

// codes maps each sentinel to a stable, lower-case code: the "expect" field of the test vectors
// and the CLI's JSON errors use it.
var codes = []struct {
	err  error
	code string
}{
	{ErrMalformed, "malformed"},
	{ErrUnsupported, "unsupported"},
	{ErrNotRecipient, "not_recipient"},
	{ErrIncorrectIdentity, "incorrect_identity"},
	{ErrChunkAuth, "chunk_auth"},
	{ErrTruncated, "truncated"},
	{ErrTrailingData, "trailing_data"},
	{ErrBadSignature, "bad_signature"},
	{ErrWrongSigner, "wrong_signer"},
	{ErrInvalidKey, "invalid_key"},
	{ErrNoRecipients, "no_recipients"},
	{ErrTooManyRecipients, "too_many_recipients"},
	{ErrPlaintextRefused, "plaintext_refused"},
	{ErrNoSigner, "no_signer"},
	{ErrClosed, "closed"},
}

// Code returns the stable code of err ("malformed", "chunk_auth", ...), "" for nil and "other"
// for an error that is not one of this package's.
func Code(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "other"
}
