package tx

import (
	"errors"
	"fmt"
)

// Sentinel errors; callers branch on them with errors.Is.
var (
	ErrMalformed    = errors.New("tx: malformed encoding")
	ErrNonCanonical = errors.New("tx: encoding is not canonical CBOR")
	ErrTooLarge     = errors.New("tx: too large")
	ErrBadSignature = errors.New("tx: signature does not verify")
	ErrUnknownKey   = errors.New("tx: unknown key algorithm")
	ErrUnknownType  = errors.New("tx: unknown message type")
	ErrInvalidMsg   = errors.New("tx: invalid message")
)

// FieldError says which field of a transaction or message is wrong; it unwraps to its Kind sentinel.
type FieldError struct {
	Field  string
	Reason string
	Kind   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("%v: %s: %s", e.Kind, e.Field, e.Reason) }
func (e *FieldError) Unwrap() error { return e.Kind }

func fieldErr(kind error, field, reason string) error {
	return &FieldError{Field: field, Reason: reason, Kind: kind}
}
