package settlement

import (
	"errors"
	"testing"
)

func TestDisputeWindowParameter(t *testing.T) {
	f := newFixture(t, 2_000_000)
	if w, err := f.l.DisputeWindow(); err != nil || w != DisputeWindow {
		t.Fatalf("default window %d, %v; want %d", w, err, DisputeWindow)
	}
	for _, bad := range []int64{0, -1, MaxDisputeWindow + 1} {
		if err := f.l.SetDisputeWindow(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetDisputeWindow(%d) = %v, want ErrInvalid", bad, err)
		}
	}
	must(t, f.l.SetDisputeWindow(60))
	if w, _ := f.l.DisputeWindow(); w != 60 {
		t.Fatalf("window %d, want 60", w)
	}
	s, err := f.l.Settle(signed(record(1, t0, t0+3600, 1_000_000, 1000), "prov", "alice"), t0+3600)
	must(t, err)
	if s.DisputeUntil != t0+3600+60 {
		t.Fatalf("DisputeUntil %d, want %d", s.DisputeUntil, t0+3600+60)
	}
	// A view over the same store (as market uses) sees the window too.
	s2, err := In(f.l.Store()).Settle(signed(record(2, t0+3600, t0+7200, 1000, 1000), "prov", "alice"), t0+7200)
	must(t, err)
	if s2.DisputeUntil != t0+7200+60 {
		t.Fatalf("Tx view DisputeUntil %d, want %d", s2.DisputeUntil, t0+7200+60)
	}
	paid, err := f.l.Payout(t0 + 3600 + 59)
	must(t, err)
	if len(paid) != 0 {
		t.Fatalf("paid inside the window: %+v", paid)
	}
	paid, err = f.l.Payout(t0 + 3600 + 60)
	must(t, err)
	if len(paid) != 1 {
		t.Fatalf("paid %d, want 1", len(paid))
	}
	if got, _ := f.l.Balance("prov"); got != 940_000 {
		t.Fatalf("provider balance %d, want 940000", got)
	}
	f.check()
}
