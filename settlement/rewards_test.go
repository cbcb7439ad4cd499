package settlement

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestSplitByWeight(t *testing.T) {
	got, err := SplitByWeight(100, []Contribution{{"c", 1}, {"a", 1}, {"b", 1}})
	must(t, err)
	// 33 each, the one leftover unit to the first by operator id (equal remainders).
	if got[0] != (Reward{"a", 34}) || got[1] != (Reward{"b", 33}) || got[2] != (Reward{"c", 33}) {
		t.Fatalf("%+v", got)
	}
	// Weighted, not equal: 3:1.
	got, _ = SplitByWeight(1000, []Contribution{{"big", 3}, {"small", 1}, {"idle", 0}})
	if got[0] != (Reward{"big", 750}) || got[1] != (Reward{"idle", 0}) || got[2] != (Reward{"small", 250}) {
		t.Fatalf("%+v", got)
	}
	for _, bad := range [][]Contribution{nil, {{"a", 0}}, {{"a", 1}, {"a", 2}}, {{"", 1}}} {
		if _, err := SplitByWeight(10, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestSplitByWeightProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		n := 1 + rng.IntN(20)
		cs := make([]Contribution, n)
		for j := range cs {
			cs[j] = Contribution{Operator: string(rune('a'+j)) + "op", Weight: rng.Uint64N(1 << 40)}
		}
		cs[0].Weight++ // non-zero total
		total := rng.Uint64()
		a, err := SplitByWeight(total, cs)
		must(t, err)
		rng.Shuffle(n, func(x, y int) { cs[x], cs[y] = cs[y], cs[x] })
		b, _ := SplitByWeight(total, cs)
		var sum uint64
		for k := range a {
			sum += a[k].Amount
			if a[k] != b[k] {
				t.Fatalf("order of inputs changed the result")
			}
		}
		if sum != total {
			t.Fatalf("shares sum to %d, want %d", sum, total)
		}
	}
}

func TestDistributeRewards(t *testing.T) {
	f := newFixture(t, 2_000_000)
	_, err := f.l.Settle(signed(record(1, t0, t0+10, 1_000_000, 1000), "prov", "alice"), t0+10)
	must(t, err)
	_, err = f.l.Payout(t0 + 10 + DisputeWindow)
	must(t, err)
	r, err := f.l.DistributeRewards([]Contribution{{"val-a", 700}, {"val-b", 300}})
	must(t, err)
	if r[0].Amount != 7000 || r[1].Amount != 3000 {
		t.Fatalf("%+v", r)
	}
	if b, _ := f.l.Balance(ValidatorPool); b != 0 {
		t.Fatalf("pool keeps %d", b)
	}
	f.check()
}
