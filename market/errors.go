package market

import (
	"errors"
	"fmt"
	"strings"

	"github.com/virtengine/sdk/settlement"
)

// Sentinel errors; every error the package returns wraps one, so callers use errors.Is.
var (
	ErrNotFound         = errors.New("market: not found")
	ErrExists           = errors.New("market: already exists")
	ErrInvalid          = errors.New("market: invalid argument")
	ErrBadTransition    = errors.New("market: illegal state transition")
	ErrNotAuthorized    = errors.New("market: not authorized")
	ErrIdentityRequired = errors.New("market: identity requirement not met")
	ErrMFARequired      = errors.New("market: MFA step-up required")
	ErrPlaintext        = errors.New("market: plaintext refused where an envelope is required")
	ErrNotRecipient     = errors.New("market: envelope is not sealed to a required recipient")
	ErrPriceOutOfRange  = errors.New("market: bid price outside the allowed range")
	ErrRateLimited      = errors.New("market: bid rate limit exceeded")
	ErrNoMatch          = errors.New("market: offering does not match the order")
	ErrBadKey           = errors.New("market: signing key is not a 64-byte Ed25519 private key")
)

// Code is a stable numeric code for an error, for ABCI responses: 0 success, 1 unknown, then one per
// sentinel (errors from package settlement keep their own codes, offset by 100).
func Code(err error) uint32 {
	if err == nil {
		return 0
	}
	for i, s := range codeOrder {
		if errors.Is(err, s) {
			return uint32(i) + 2
		}
	}
	if c := settlement.Code(err); c > 1 {
		return 100 + c
	}
	return 1
}

var codeOrder = []error{ErrNotFound, ErrExists, ErrInvalid, ErrBadTransition, ErrNotAuthorized,
	ErrIdentityRequired, ErrMFARequired, ErrPlaintext, ErrNotRecipient, ErrPriceOutOfRange, ErrRateLimited, ErrNoMatch,
	ErrBadKey}

// TransitionError reports a state change the state machine does not allow; it wraps ErrBadTransition.
type TransitionError struct {
	Kind     string // "offering", "order", "bid", "lease"
	ID       string
	From, To string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("market: %s %q cannot go from %s to %s", e.Kind, e.ID, e.From, e.To)
}

// Unwrap returns ErrBadTransition.
func (e *TransitionError) Unwrap() error { return ErrBadTransition }

// GateError is an identity or MFA refusal. It says what was required, what the account has, and
// how to qualify. It wraps ErrIdentityRequired or ErrMFARequired.
type GateError struct {
	Account string
	Unmet   []string // each unmet requirement, e.g. "score 70 (have 45)"
	HowTo   string   // what to do to qualify
	Err     error
}

func (e *GateError) Error() string {
	return fmt.Sprintf("%v for %s: needs %s; %s", e.Err, e.Account, strings.Join(e.Unmet, ", "), e.HowTo)
}

// Unwrap returns the sentinel.
func (e *GateError) Unwrap() error { return e.Err }

// PriceError reports a bid price outside [min, max]; it wraps ErrPriceOutOfRange.
type PriceError struct {
	Price, Min, Max uint64
}

func (e *PriceError) Error() string {
	return fmt.Sprintf("%v: price %d per hour, allowed %d..%d (lower the markup or skip the order)", ErrPriceOutOfRange, e.Price, e.Min, e.Max)
}

// Unwrap returns ErrPriceOutOfRange.
func (e *PriceError) Unwrap() error { return ErrPriceOutOfRange }

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
}

func checkID(kind, id string) error {
	if id == "" || len(id) > MaxIDLen {
		return invalidf("%s id must be 1..%d bytes", kind, MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c == '/' || c >= 0x7f {
			return invalidf("%s id %q: use printable ASCII without spaces or '/'", kind, id)
		}
	}
	return nil
}
