package settlement

import (
	"errors"
	"testing"

	"github.com/virtengine/sdk/settlement/kv"
)

// reachEscrow drives escrow "e" of a fresh ledger into state s through the public API. Its expiry
// is t0+1000; an active escrow has one settlement (seq 1, 100 units).
func reachEscrow(t *testing.T, s EscrowState) *Ledger {
	l := NewLedger(kv.NewMem())
	must(t, l.Mint("alice", 1_000_000))
	_, err := l.OpenEscrow(OpenEscrow{ID: "ord-1", Customer: "alice", CustomerKey: pub("alice"), Amount: 10_000, ExpiresAt: t0 + 1000}, t0)
	must(t, err)
	if s == EscrowPending {
		return l
	}
	if s == EscrowRefunded {
		must(t, l.RefundEscrow("ord-1", t0+1))
		return l
	}
	if s == EscrowExpired {
		_, err := l.ExpireEscrows(t0 + 1000)
		must(t, err)
		return l
	}
	must(t, l.ActivateEscrow("ord-1", "prov", pub("prov"), t0+1))
	_, err = l.Settle(signed(record(1, t0, t0+10, 100, 1000), "prov", "alice"), t0+10)
	must(t, err)
	switch s {
	case EscrowDisputed:
		must(t, l.Dispute("ord-1/00000000000000000001", t0+11))
	case EscrowReleased:
		r := record(2, t0+10, t0+20, 100, 1000)
		r.Kind = KindFinal
		_, err = l.Settle(signed(r, "prov", "alice"), t0+20)
		must(t, err)
		_, err = l.Payout(t0 + 20 + DisputeWindow)
		must(t, err)
	}
	if e, _ := l.Escrow("ord-1"); e.State != s {
		t.Fatalf("reached %s, want %s", e.State, s)
	}
	return l
}

var errNotApplied = errors.New("operation did not apply")

// applyEscrow tries to move escrow ord-1 to state to with the operation that does so.
func applyEscrow(l *Ledger, to EscrowState) error {
	e, _ := l.Escrow("ord-1")
	now := t0 + 30
	switch to {
	case EscrowPending:
		return &TransitionError{Kind: "escrow", From: string(e.State), To: string(to)} // only OpenEscrow makes it
	case EscrowActive:
		return l.ActivateEscrow("ord-1", "prov", pub("prov"), now)
	case EscrowRefunded:
		if e.State == EscrowDisputed {
			return l.ResolveDispute("ord-1", ForCustomer, now)
		}
		return l.RefundEscrow("ord-1", now)
	case EscrowReleased:
		if e.State == EscrowDisputed {
			return l.ResolveDispute("ord-1", ForProvider, now)
		}
		r := record(e.NextSeq, e.SettledThrough, now, 100, 1000)
		r.Kind = KindFinal
		if _, err := l.Settle(signed(r, "prov", "alice"), now); err != nil {
			return err
		}
		_, err := l.Payout(now + DisputeWindow)
		return err
	case EscrowDisputed:
		return l.Dispute("ord-1/00000000000000000001", now)
	case EscrowExpired:
		ids, err := l.ExpireEscrows(t0 + 1000)
		if err == nil && len(ids) == 0 {
			return errNotApplied
		}
		return err
	}
	return nil
}

// Every pair of escrow states through the API: exactly the table's transitions apply; the others
// are refused and change nothing, and the ledger's invariants hold either way.
func TestEscrowEveryTransition(t *testing.T) {
	for _, from := range allEscrowStates {
		for _, to := range allEscrowStates {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				l := reachEscrow(t, from)
				before, _ := kv.Hash(l.Store())
				err := applyEscrow(l, to)
				e, _ := l.Escrow("ord-1")
				if EscrowCanTransition(from, to) {
					if err != nil || e.State != to {
						t.Fatalf("legal transition: err %v, state %s", err, e.State)
					}
				} else {
					if err == nil {
						t.Fatalf("illegal transition applied: state %s", e.State)
					}
					if !errors.Is(err, ErrBadTransition) && !errors.Is(err, errNotApplied) && !errors.Is(err, ErrNotFound) {
						t.Fatalf("illegal transition refused with %v", err)
					}
					if after, _ := kv.Hash(l.Store()); after != before {
						t.Fatal("a refused operation changed the state")
					}
				}
				must(t, l.CheckInvariants())
			})
		}
	}
}
