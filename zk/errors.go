package zk

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers branch on them with errors.Is; typed errors below wrap them.
var (
	ErrInvalidAttribute   = errors.New("zk: attribute out of range")
	ErrInvalidKey         = errors.New("zk: invalid key")
	ErrInvalidSignature   = errors.New("zk: invalid issuer signature")
	ErrInvalidRequest     = errors.New("zk: invalid presentation request")
	ErrMalformed          = errors.New("zk: malformed encoding")
	ErrVersion            = errors.New("zk: unsupported circuit version")
	ErrUnsatisfied        = errors.New("zk: the credential does not satisfy the request")
	ErrProofInvalid       = errors.New("zk: proof does not verify")
	ErrUnknownBackend     = errors.New("zk: unknown proving backend")
	ErrUnsafeSetup        = errors.New("zk: keys come from the UNSAFE development setup")
	ErrRevocationIndex    = errors.New("zk: revocation index out of range")
	ErrCeremony           = errors.New("zk: ceremony contribution does not verify")
	ErrNonceReplayed      = errors.New("zk: nonce already used")
	ErrVerificationFailed = errors.New("zk: presentation rejected")
	// ErrCredentialExpired and ErrCredentialRevoked are the causes of the *UnsatisfiedError that
	// Prove and CheckCredential return for an expired (ExpiresAt ≤ Today) or revoked credential.
	ErrCredentialExpired = errors.New("zk: credential expired")
	ErrCredentialRevoked = errors.New("zk: credential revoked")
)

// FieldError reports which attribute or field of an input is wrong.
type FieldError struct {
	Field string // name of the attribute or field
	Err   error  // a sentinel above
	Msg   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%v: %s: %s", e.Err, e.Field, e.Msg) }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(sentinel error, field, format string, args ...any) error {
	return &FieldError{Field: field, Err: sentinel, Msg: fmt.Sprintf(format, args...)}
}
