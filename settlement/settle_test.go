package settlement

import (
	"errors"
	"testing"
)

func TestSettleAndPayout(t *testing.T) {
	f := newFixture(t, 2_000_000)
	// 1000 core-hours at 1000 per core-hour = 1,000,000.
	s, err := f.l.Settle(signed(record(1, t0, t0+3600, 1_000_000, 1000), "prov", "alice"), t0+3600)
	must(t, err)
	if s.Split != (Split{1_000_000, 50_000, 10_000, 940_000}) {
		t.Fatalf("split %+v", s.Split)
	}
	f.check()
	// Nothing is paid inside the dispute window.
	paid, err := f.l.Payout(t0 + 3600 + DisputeWindow - 1)
	must(t, err)
	if len(paid) != 0 {
		t.Fatalf("paid inside the dispute window: %+v", paid)
	}
	paid, err = f.l.Payout(t0 + 3600 + DisputeWindow)
	must(t, err)
	if len(paid) != 1 {
		t.Fatalf("paid %d settlements, want 1", len(paid))
	}
	for acct, want := range map[string]uint64{"prov": 940_000, PlatformAccount: 50_000, ValidatorPool: 10_000, "alice": 8_000_000} {
		if got, _ := f.l.Balance(acct); got != want {
			t.Errorf("%s balance %d, want %d", acct, got, want)
		}
	}
	f.check()
}

func TestSettleRejects(t *testing.T) {
	good := record(1, t0, t0+3600, 1000, 1000)
	cases := []struct {
		name string
		su   SignedUsage
		now  int64
		want error
	}{
		{"provider signature by another key", signed(good, "mallory", "alice"), t0 + 3600, ErrBadSignature},
		{"customer countersignature by another key", signed(good, "prov", "mallory"), t0 + 3600, ErrBadSignature},
		{"tampered quantity after signing", func() SignedUsage { s := signed(good, "prov", "alice"); s.Record.Quantities[CPU]++; return s }(), t0 + 3600, ErrBadSignature},
		{"tampered provider signature byte", func() SignedUsage { s := signed(good, "prov", "alice"); s.ProviderSig[0] ^= 1; return s }(), t0 + 3600, ErrBadSignature},
		{"missing countersignature", providerSigned(good, "prov"), t0 + 3600, ErrBadSignature},
		{"period in the future", signed(good, "prov", "alice"), t0 + 3599, ErrInvalid},
		{"empty period", signed(record(1, t0, t0, 1, 1), "prov", "alice"), t0 + 10, ErrInvalid},
		{"sequence skips ahead", signed(record(6, t0, t0+3600, 1, 1), "prov", "alice"), t0 + 3600, ErrInvalid},
		{"more than the escrow holds", signed(record(1, t0, t0+3600, 3_000_000, 1000), "prov", "alice"), t0 + 3600, ErrInsufficientEscrow},
		{"wrong chain id is a different signed message", func() SignedUsage {
			s := signed(good, "prov", "alice")
			s.Record.ChainID = "other"
			return s
		}(), t0 + 3600, ErrBadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, 2_000_000)
			_, err := f.l.Settle(c.su, c.now)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			e, _ := f.l.Escrow("ord-1")
			if e.Balance != 2_000_000 || e.NextSeq != 1 {
				t.Fatalf("refused settlement changed the escrow: %+v", e)
			}
			f.check()
		})
	}
}

func TestSettleReplayAndOverlap(t *testing.T) {
	f := newFixture(t, 2_000_000)
	first := signed(record(1, t0, t0+3600, 1000, 1000), "prov", "alice")
	_, err := f.l.Settle(first, t0+3600)
	must(t, err)
	if _, err := f.l.Settle(first, t0+7200); !errors.Is(err, ErrReplay) {
		t.Fatalf("replayed record: %v, want ErrReplay", err)
	}
	// Same sequence, different content: still a replayed sequence number.
	if _, err := f.l.Settle(signed(record(1, t0+3600, t0+7200, 5, 1000), "prov", "alice"), t0+7200); !errors.Is(err, ErrReplay) {
		t.Fatalf("reused sequence: %v, want ErrReplay", err)
	}
	// Next sequence, but the period overlaps the settled hour.
	if _, err := f.l.Settle(signed(record(2, t0+1800, t0+7200, 5, 1000), "prov", "alice"), t0+7200); !errors.Is(err, ErrPeriodOverlap) {
		t.Fatalf("overlapping period: %v, want ErrPeriodOverlap", err)
	}
	// The adjacent period is accepted.
	_, err = f.l.Settle(signed(record(2, t0+3600, t0+7200, 5, 1000), "prov", "alice"), t0+7200)
	must(t, err)
	f.check()
}

func TestSettleNeedsActiveEscrow(t *testing.T) {
	l := NewLedger(newFixture(t, 1).l.Store())
	must(t, l.Mint("bob", 100))
	_, err := l.OpenEscrow(OpenEscrow{ID: "ord-2", Customer: "bob", CustomerKey: pub("bob"), Amount: 100}, t0)
	must(t, err)
	r := record(1, t0, t0+10, 1, 1)
	r.EscrowID, r.Customer = "ord-2", "bob"
	var te *TransitionError
	if _, err := l.Settle(signed(r, "prov", "bob"), t0+10); !errors.As(err, &te) || !errors.Is(err, ErrBadTransition) {
		t.Fatalf("settling a pending escrow: %v", err)
	}
}

func TestFinalSettlementReleasesEscrow(t *testing.T) {
	f := newFixture(t, 2_000_000)
	r := record(1, t0, t0+3600, 500_000, 1000) // 500,000
	r.Kind = KindFinal
	_, err := f.l.Settle(signed(r, "prov", "alice"), t0+3600)
	must(t, err)
	if _, err := f.l.Settle(signed(r, "prov", "alice"), t0+3601); !errors.Is(err, ErrReplay) {
		t.Fatalf("replayed final record: %v", err)
	}
	e, _ := f.l.Escrow("ord-1")
	if e.State != EscrowActive || e.Balance != 0 || e.Refunded != 1_500_000 {
		t.Fatalf("after final settlement: %+v", e)
	}
	if _, err := f.l.Settle(signed(record(2, t0+3600, t0+7200, 1, 1), "prov", "alice"), t0+7200); !errors.Is(err, ErrInvalid) {
		t.Fatalf("settlement after the final one: %v", err)
	}
	_, err = f.l.Payout(t0 + 3600 + DisputeWindow)
	must(t, err)
	e, _ = f.l.Escrow("ord-1")
	if e.State != EscrowReleased {
		t.Fatalf("escrow %s after final payout, want released", e.State)
	}
	f.check()
}

func TestDisputeAndCorrection(t *testing.T) {
	f := newFixture(t, 2_000_000)
	s, err := f.l.Settle(signed(record(1, t0, t0+3600, 1_000_000, 1000), "prov", "alice"), t0+3600)
	must(t, err)
	must(t, f.l.Dispute(s.ID, t0+4000))
	if err := f.l.Dispute(s.ID, t0+4001); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("second dispute: %v", err)
	}
	// Disputed settlements are not paid.
	paid, _ := f.l.Payout(t0 + 3600 + DisputeWindow)
	if len(paid) != 0 {
		t.Fatal("disputed settlement paid")
	}
	f.check()

	// Correction: both sides agree it was 600 core-hours; it carries the next sequence.
	c := record(2, t0, t0+3600, 600_000, 1000)
	c.Corrects = 1
	if _, err := f.l.Correct(signed(c, "prov", "mallory"), t0+5000); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("correction with a forged countersignature: %v", err)
	}
	cs, err := f.l.Correct(signed(c, "prov", "alice"), t0+5000)
	must(t, err)
	if cs.Status != SettlementPending || cs.Split.Gross != 600_000 || cs.Corrections != 1 {
		t.Fatalf("corrected settlement %+v", cs)
	}
	if _, err := f.l.Correct(signed(c, "prov", "alice"), t0+5001); !errors.Is(err, ErrReplay) {
		t.Fatalf("replayed correction: %v", err)
	}
	e, _ := f.l.Escrow("ord-1")
	if e.Balance != 1_400_000 || e.Settled != 600_000 || e.State != EscrowDisputed || e.Disputes != 0 {
		t.Fatalf("escrow after correction %+v", e)
	}
	f.check()
	must(t, f.l.ResolveDispute("ord-1", ForProvider, t0+6000))
	e, _ = f.l.Escrow("ord-1")
	if e.State != EscrowReleased || e.Balance != 0 || e.Refunded != 1_400_000 {
		t.Fatalf("escrow after resolution %+v", e)
	}
	paid, _ = f.l.Payout(t0 + 3600 + DisputeWindow)
	if len(paid) != 1 || paid[0].Split.Provider != 564_000 {
		t.Fatalf("payout after correction %+v", paid)
	}
	f.check()
}

func TestResolveDisputeForCustomer(t *testing.T) {
	f := newFixture(t, 2_000_000)
	s, err := f.l.Settle(signed(record(1, t0, t0+3600, 1_000_000, 1000), "prov", "alice"), t0+3600)
	must(t, err)
	s2, err := f.l.Settle(signed(record(2, t0+3600, t0+7200, 100_000, 1000), "prov", "alice"), t0+7200)
	must(t, err)
	must(t, f.l.Dispute(s.ID, t0+7300))
	if err := f.l.ResolveDispute("ord-1", 9, t0+7400); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown outcome: %v", err)
	}
	must(t, f.l.ResolveDispute("ord-1", ForCustomer, t0+7400))
	e, _ := f.l.Escrow("ord-1")
	if e.State != EscrowRefunded || e.Settled != 100_000 || e.Refunded != 1_900_000 {
		t.Fatalf("escrow %+v", e)
	}
	if bal, _ := f.l.Balance("alice"); bal != 10_000_000-100_000 {
		t.Fatalf("alice %d", bal)
	}
	if got, _ := f.l.Settlement(s.ID); got.Status != SettlementReversed {
		t.Fatalf("disputed settlement %s, want reversed", got.Status)
	}
	// The undisputed settlement is still paid after its window.
	paid, _ := f.l.Payout(s2.DisputeUntil)
	if len(paid) != 1 || paid[0].Settlement != s2.ID {
		t.Fatalf("paid %+v", paid)
	}
	if err := f.l.ResolveDispute("ord-1", ForCustomer, t0+7500); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("resolving twice: %v", err)
	}
	f.check()
}

func TestDisputeWindowCloses(t *testing.T) {
	f := newFixture(t, 2_000_000)
	s, err := f.l.Settle(signed(record(1, t0, t0+3600, 1000, 1000), "prov", "alice"), t0+3600)
	must(t, err)
	if err := f.l.Dispute(s.ID, s.DisputeUntil); !errors.Is(err, ErrDisputeWindow) {
		t.Fatalf("dispute after the window: %v", err)
	}
}
