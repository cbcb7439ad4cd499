package settlement

import (
	"errors"
	"testing"
)

func TestAggregatePrice(t *testing.T) {
	now := t0
	q := func(src string, v uint64, age int64) PriceQuote {
		return PriceQuote{Source: src, Value: v, At: now - age}
	}
	cfg := DefaultOracleConfig
	got, err := AggregatePrice([]PriceQuote{q("a", 1_000_000, 10), q("b", 1_010_000, 20), q("c", 995_000, 0)}, now, cfg)
	if err != nil || got != 1_000_000 {
		t.Fatalf("%d %v", got, err)
	}
	// An outlier (+50%) is dropped; the rest still make 3 sources.
	got, err = AggregatePrice([]PriceQuote{q("a", 1_000_000, 10), q("b", 1_010_000, 20), q("c", 995_000, 0), q("x", 1_500_000, 0)}, now, cfg)
	if err != nil || got != 1_000_000 {
		t.Fatalf("outlier: %d %v", got, err)
	}
	// Stale and future quotes are ignored: too few remain.
	_, err = AggregatePrice([]PriceQuote{q("a", 1_000_000, 301), q("b", 1_010_000, 20), q("c", 995_000, -5)}, now, cfg)
	if !errors.Is(err, ErrOracle) {
		t.Fatalf("stale: %v", err)
	}
	// Sources that disagree: refused rather than averaged.
	_, err = AggregatePrice([]PriceQuote{q("a", 1_000_000, 0), q("b", 1_100_000, 0), q("c", 1_200_000, 0)}, now, cfg)
	if !errors.Is(err, ErrOracle) {
		t.Fatalf("disagreement: %v", err)
	}
	if _, err := AggregatePrice([]PriceQuote{q("a", 1, 0), q("a", 1, 0)}, now, cfg); !errors.Is(err, ErrInvalid) {
		t.Fatalf("duplicate source: %v", err)
	}
	// Order does not matter.
	a, _ := AggregatePrice([]PriceQuote{q("a", 100, 0), q("b", 101, 0), q("c", 102, 0), q("d", 103, 0)}, now, cfg)
	b, _ := AggregatePrice([]PriceQuote{q("d", 103, 0), q("b", 101, 0), q("a", 100, 0), q("c", 102, 0)}, now, cfg)
	if a != b || a != 102 { // mean of 101 and 102 is 101.5 → 102 (even)
		t.Fatalf("%d %d", a, b)
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		s    []uint64
		want uint64
	}{{[]uint64{5}, 5}, {[]uint64{1, 2}, 2}, {[]uint64{2, 3}, 2}, {[]uint64{1, 3}, 2}, {[]uint64{1, 2, 3}, 2},
		{[]uint64{^uint64(0) - 1, ^uint64(0)}, ^uint64(0) - 1}} {
		if got := median(c.s); got != c.want {
			t.Errorf("median(%v) = %d, want %d", c.s, got, c.want)
		}
	}
}

// A quote stamped at the far past is stale: now-At must not wrap around to a small age.
func TestAggregatePriceAncientQuotes(t *testing.T) {
	const minInt64 = -1 << 63
	qs := []PriceQuote{{"a", 1_000_000, minInt64}, {"b", 1_000_000, minInt64 + 1}, {"c", 1_000_000, minInt64 + 2}}
	if p, err := AggregatePrice(qs, t0, DefaultOracleConfig); !errors.Is(err, ErrOracle) {
		t.Fatalf("ancient quotes priced at %d (%v), want ErrOracle", p, err)
	}
	// the boundary still holds: MaxAge seconds old is fresh, one more is stale
	cfg := OracleConfig{MaxAge: 300, MinSources: 1}
	if _, err := AggregatePrice([]PriceQuote{{"a", 5, t0 - 300}}, t0, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := AggregatePrice([]PriceQuote{{"a", 5, t0 - 301}}, t0, cfg); !errors.Is(err, ErrOracle) {
		t.Fatal(err)
	}
}
