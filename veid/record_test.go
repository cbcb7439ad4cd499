package veid

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Every pair of states: legal ones succeed, all others fail with ErrIllegalTransition.
func TestEveryTransition(t *testing.T) {
	legal := map[[2]Status]bool{}
	for _, p := range [][2]Status{
		{StatusUnknown, StatusPending},
		{StatusPending, StatusInProgress}, {StatusPending, StatusRejected},
		{StatusInProgress, StatusVerified}, {StatusInProgress, StatusRejected}, {StatusInProgress, StatusNeedsAdditionalFactor},
		{StatusNeedsAdditionalFactor, StatusAdditionalFactorPending}, {StatusNeedsAdditionalFactor, StatusRejected},
		{StatusAdditionalFactorPending, StatusVerified}, {StatusAdditionalFactorPending, StatusRejected}, {StatusAdditionalFactorPending, StatusNeedsAdditionalFactor},
		{StatusVerified, StatusExpired}, {StatusVerified, StatusPending}, {StatusVerified, StatusRejected},
		{StatusRejected, StatusPending}, {StatusExpired, StatusPending},
	} {
		legal[p] = true
	}
	n := 0
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			r := &Record{Status: from}
			err := r.Transition(to, t0, "test")
			if legal[[2]Status{from, to}] {
				n++
				if err != nil || r.Status != to || len(r.History) != 1 || r.History[0].From != from {
					t.Errorf("%s → %s: %v", from, to, err)
				}
			} else if !errors.Is(err, ErrIllegalTransition) || r.Status != from || len(r.History) != 0 {
				t.Errorf("%s → %s accepted or wrong error: %v", from, to, err)
			}
		}
	}
	if n != len(legal) {
		t.Fatalf("tested %d legal transitions, table has %d", n, len(legal))
	}
}

func TestRecordLifecycle(t *testing.T) {
	r := NewRecord("acct")
	for _, s := range []Status{StatusPending, StatusInProgress} {
		if err := r.Transition(s, t0, ""); err != nil {
			t.Fatal(err)
		}
	}
	res, _ := Score(feats(9000, 8000, 7000, 6000, 5000, 1000))
	if err := r.ApplyResult(res, t0); err != nil || r.Status != StatusVerified || r.Score != 75 {
		t.Fatal(err, r.Status)
	}
	if r.Tier(t0) != TierStandard || !r.ExpiresAt.Equal(t0.Add(365*24*time.Hour)) {
		t.Fatal(r.Tier(t0), r.ExpiresAt)
	}
	// Not yet expired the moment before; expired at the limit.
	if r.Refresh(r.ExpiresAt.Add(-time.Nanosecond)) || !r.Refresh(r.ExpiresAt) || r.Status != StatusExpired {
		t.Fatal("expiry")
	}
	if r.Tier(r.ExpiresAt) != TierNone {
		t.Fatal("expired record has a tier")
	}
	// Lock blocks every transition, unlock restores them.
	r.Lock()
	if err := r.Transition(StatusPending, t0, ""); !errors.Is(err, ErrRecordLocked) {
		t.Fatal(err)
	}
	r.Unlock()
	if err := r.Transition(StatusPending, t0, ""); err != nil {
		t.Fatal(err)
	}
	// A failed result rejects.
	r.Transition(StatusInProgress, t0, "")
	bad, _ := Score(Features{})
	if err := r.ApplyResult(bad, t0); err != nil || r.Status != StatusRejected {
		t.Fatal(err, r.Status)
	}
	// A result on a rejected record is illegal.
	if err := r.ApplyResult(res, t0); !errors.Is(err, ErrIllegalTransition) {
		t.Fatal(err)
	}
	// A new attempt only after the cooldown.
	if err := r.Transition(StatusPending, t0.Add(RejectionCooldown-time.Second), ""); !errors.Is(err, ErrCooldown) {
		t.Fatal(err)
	}
	if err := r.Transition(StatusPending, t0.Add(RejectionCooldown), ""); err != nil {
		t.Fatal(err)
	}
}

func TestHistoryBounded(t *testing.T) {
	r := NewRecord("a")
	r.Transition(StatusPending, t0, "")
	now := t0
	for i := 0; i < MaxHistory+10; i++ {
		r.Transition(StatusRejected, now, "")
		now = now.Add(RejectionCooldown)
		r.Transition(StatusPending, now, "")
	}
	if len(r.History) != MaxHistory || r.History[len(r.History)-1].To != StatusPending {
		t.Fatal(len(r.History))
	}
}

func TestBorderlineNeedsExtraFactor(t *testing.T) {
	for _, c := range []struct {
		score int
		want  bool
	}{{84, false}, {85, true}, {89, true}, {90, false}} {
		if Borderline(c.score) != c.want {
			t.Errorf("Borderline(%d)", c.score)
		}
	}
	// 2500 + 2500 + 7500*2000/10000 + 1500 + 0 + 500 = 8500 → 85.
	res, _ := Score(feats(10000, 10000, 7500, 10000, 0, 0))
	if res.Score != 85 || !res.Passed {
		t.Fatalf("%d %v", res.Score, res.Reasons)
	}
	r := &Record{Status: StatusInProgress}
	if err := r.ApplyResultWithFactor(res, t0, false); err != nil || r.Status != StatusNeedsAdditionalFactor {
		t.Fatal(err, r.Status)
	}
	if err := r.Transition(StatusAdditionalFactorPending, t0, "mfa challenge sent"); err != nil {
		t.Fatal(err)
	}
	if err := r.ApplyResultWithFactor(res, t0, true); err != nil || r.Status != StatusVerified {
		t.Fatal(err, r.Status)
	}
	// Outside the band the extra factor is not needed.
	res90, _ := Score(feats(10000, 10000, 10000, 10000, 0, 0))
	r = &Record{Status: StatusInProgress}
	if err := r.ApplyResultWithFactor(res90, t0, false); err != nil || r.Status != StatusVerified || res90.Score != 90 {
		t.Fatal(err, r.Status, res90.Score)
	}
}

func TestDecay(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		age  time.Duration
		want int
	}{{0, 80}, {180 * day, 80}, {180*day + 29*day, 80}, {210 * day, 79}, {180*day + 300*day, 70}, {100 * 365 * day, 0}} {
		if got := Decay(80, t0, t0.Add(c.age)); got != c.want {
			t.Errorf("age %v: %d, want %d", c.age, got, c.want)
		}
	}
}
