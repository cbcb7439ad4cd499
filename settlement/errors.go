package settlement

import (
	"errors"
	"fmt"
)

// Sentinel errors; callers branch on them with errors.Is. Every error this package returns wraps one.
var (
	ErrNotFound           = errors.New("settlement: not found")
	ErrExists             = errors.New("settlement: already exists")
	ErrInvalid            = errors.New("settlement: invalid argument")
	ErrBadTransition      = errors.New("settlement: illegal state transition")
	ErrInsufficientFunds  = errors.New("settlement: insufficient account balance")
	ErrInsufficientEscrow = errors.New("settlement: escrow balance does not cover the amount")
	ErrBadSignature       = errors.New("settlement: bad signature")
	ErrReplay             = errors.New("settlement: usage record already submitted")
	ErrPeriodOverlap      = errors.New("settlement: usage period overlaps a settled period")
	ErrDisputeWindow      = errors.New("settlement: outside the dispute window")
	ErrOverflow           = errors.New("settlement: amount overflow")
	ErrInvariant          = errors.New("settlement: conservation invariant broken")
	ErrMalformed          = errors.New("settlement: malformed encoding")
	ErrBadKey             = errors.New("settlement: malformed signing key")
)

// Code is a stable numeric code for an error, for ABCI responses (0 = success, 1 = unknown).
func Code(err error) uint32 {
	if err == nil {
		return 0
	}
	for i, s := range codeOrder {
		if errors.Is(err, s) {
			return uint32(i) + 2
		}
	}
	return 1
}

var codeOrder = []error{ErrNotFound, ErrExists, ErrInvalid, ErrBadTransition, ErrInsufficientFunds,
	ErrInsufficientEscrow, ErrBadSignature, ErrReplay, ErrPeriodOverlap, ErrDisputeWindow, ErrOverflow,
	ErrInvariant, ErrMalformed, ErrBadKey}

// TransitionError reports a state change the state machine does not allow. It wraps ErrBadTransition.
type TransitionError struct {
	Kind     string // "escrow", "settlement", "invoice"
	ID       string
	From, To string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("settlement: %s %q cannot go from %s to %s", e.Kind, e.ID, e.From, e.To)
}

// Unwrap returns ErrBadTransition.
func (e *TransitionError) Unwrap() error { return ErrBadTransition }

// FundsError reports a shortfall: the account or escrow has Have and the operation needs Need.
// It wraps ErrInsufficientFunds or ErrInsufficientEscrow.
type FundsError struct {
	Who        string
	Have, Need uint64
	Err        error
}

func (e *FundsError) Error() string {
	return fmt.Sprintf("%v: %s has %d, needs %d (deposit %d more)", e.Err, e.Who, e.Have, e.Need, e.Need-e.Have)
}

// Unwrap returns the sentinel.
func (e *FundsError) Unwrap() error { return e.Err }

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
}
