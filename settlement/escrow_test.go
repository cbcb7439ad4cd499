package settlement

import (
	"errors"
	"testing"

	"github.com/virtengine/sdk/settlement/kv"
)

var allEscrowStates = []EscrowState{EscrowPending, EscrowActive, EscrowReleased, EscrowRefunded, EscrowDisputed, EscrowExpired}

// The table of FEATURES.md §7.1 (plus pending → refunded for orders cancelled before a lease),
// checked over every pair of states.
func TestEscrowTransitionTable(t *testing.T) {
	legal := map[[2]EscrowState]bool{
		{EscrowPending, EscrowActive}: true, {EscrowPending, EscrowRefunded}: true, {EscrowPending, EscrowExpired}: true,
		{EscrowActive, EscrowReleased}: true, {EscrowActive, EscrowRefunded}: true, {EscrowActive, EscrowDisputed}: true,
		{EscrowActive, EscrowExpired}: true, {EscrowDisputed, EscrowReleased}: true, {EscrowDisputed, EscrowRefunded}: true,
	}
	for _, from := range allEscrowStates {
		for _, to := range allEscrowStates {
			if got := EscrowCanTransition(from, to); got != legal[[2]EscrowState{from, to}] {
				t.Errorf("%s → %s: allowed=%v", from, to, got)
			}
		}
	}
}

func TestEscrowOperations(t *testing.T) {
	l := NewLedger(kv.NewMem())
	must(t, l.Mint("alice", 1000))
	open := func(id string, amt uint64, exp int64) error {
		_, err := l.OpenEscrow(OpenEscrow{ID: id, Customer: "alice", CustomerKey: pub("alice"), Amount: amt, ExpiresAt: exp}, t0)
		return err
	}
	var fe *FundsError
	if err := open("e1", 1001, 0); !errors.As(err, &fe) || !errors.Is(err, ErrInsufficientFunds) || fe.Need-fe.Have != 1 {
		t.Fatalf("overdraft: %v", err)
	}
	must(t, open("e1", 400, 0))
	if err := open("e1", 1, 0); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate id: %v", err)
	}
	for _, bad := range []func() error{
		func() error { return open("", 1, 0) },
		func() error { return open("a/b", 1, 0) },
		func() error { return open("e9", 0, 0) },
		func() error { return open("e9", 1, t0) },
		func() error {
			_, err := l.OpenEscrow(OpenEscrow{ID: "e9", Customer: "alice", CustomerKey: []byte{1}, Amount: 1}, t0)
			return err
		},
		func() error { return l.ActivateEscrow("e1", "prov", []byte{1, 2}, t0) },
		func() error { return l.TopUp("e1", 0, t0) },
	} {
		if err := bad(); !errors.Is(err, ErrInvalid) {
			t.Errorf("invalid input accepted or wrong error: %v", err)
		}
	}
	if err := l.ActivateEscrow("nope", "prov", pub("prov"), t0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown escrow: %v", err)
	}
	must(t, l.TopUp("e1", 100, t0+1))
	must(t, l.ActivateEscrow("e1", "prov", pub("prov"), t0+2))
	if err := l.ActivateEscrow("e1", "prov", pub("prov"), t0+3); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("activating twice: %v", err)
	}
	must(t, l.RefundEscrow("e1", t0+4))
	if err := l.RefundEscrow("e1", t0+5); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("refunding twice: %v", err)
	}
	if err := l.TopUp("e1", 1, t0+5); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("topping up a refunded escrow: %v", err)
	}
	if b, _ := l.Balance("alice"); b != 1000 {
		t.Fatalf("alice has %d after a full refund", b)
	}
	// Expiry: only escrows whose time has come, pending or active.
	must(t, open("e2", 10, t0+100))
	must(t, open("e3", 10, t0+200))
	must(t, open("e4", 10, 0))
	ids, err := l.ExpireEscrows(t0 + 150)
	must(t, err)
	if len(ids) != 1 || ids[0] != "e2" {
		t.Fatalf("expired %v", ids)
	}
	if e, _ := l.Escrow("e2"); e.State != EscrowExpired || e.Refunded != 10 {
		t.Fatalf("e2 %+v", e)
	}
	if err := l.ActivateEscrow("e2", "prov", pub("prov"), t0+151); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("activating an expired escrow: %v", err)
	}
	must(t, l.CheckInvariants())
}

func TestDisputedEscrowCannotBeRefundedDirectly(t *testing.T) {
	f := newFixture(t, 1000)
	s, err := f.l.Settle(signed(record(1, t0, t0+10, 1000, 100), "prov", "alice"), t0+10)
	must(t, err)
	must(t, f.l.Dispute(s.ID, t0+11))
	if err := f.l.RefundEscrow("ord-1", t0+12); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("refund of a disputed escrow: %v", err)
	}
	f.check()
}

func TestCodeIsStable(t *testing.T) {
	if Code(nil) != 0 || Code(errors.New("x")) != 1 || Code(ErrNotFound) != 2 {
		t.Fatal("codes moved")
	}
	if Code(&TransitionError{}) != Code(ErrBadTransition) {
		t.Fatal("typed error has another code than its sentinel")
	}
}
