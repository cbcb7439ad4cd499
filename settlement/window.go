package settlement

import "fmt"

// kWindow holds the ledger's dispute window in seconds (8 bytes, big endian). Absent, the window is
// DisputeWindow (7 days). It lives in the store, so every Ledger and Tx view over one store agrees.
const kWindow = "s/param/dispute_window"

// MaxDisputeWindow bounds SetDisputeWindow (one year), so now + window cannot overflow for any
// sensible block time.
const MaxDisputeWindow int64 = 365 * 24 * 3600

// SetDisputeWindow sets how long, in seconds, settlements made from now on may be disputed or
// corrected before Payout pays them (a network parameter; tests and devnets use a short one).
// Settlements already made keep their DisputeUntil. It must be in 1..MaxDisputeWindow.
func (l *Ledger) SetDisputeWindow(seconds int64) error {
	if seconds < 1 || seconds > MaxDisputeWindow {
		return invalidf("dispute window %d s is outside 1..%d", seconds, MaxDisputeWindow)
	}
	return l.update(func(t *tx) error { return t.setU64(kWindow, uint64(seconds)) })
}

// DisputeWindow returns the ledger's dispute window in seconds: DisputeWindow unless
// SetDisputeWindow changed it.
func (l *Ledger) DisputeWindow() (int64, error) { return (&tx{l.store}).disputeWindow() }

func (t *tx) disputeWindow() (int64, error) {
	v, err := t.getU64(kWindow)
	if err != nil {
		return 0, err
	}
	if v == 0 {
		return DisputeWindow, nil
	}
	if v > uint64(MaxDisputeWindow) {
		return 0, fmt.Errorf("%w: %s is %d s", ErrMalformed, kWindow, v)
	}
	return int64(v), nil
}
