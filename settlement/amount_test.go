package settlement

import (
	"math"
	"testing"
)

// The vector of FEATURES.md §7.3.
func TestSplitFeesVector(t *testing.T) {
	got := SplitFees(1_000_000)
	want := Split{Gross: 1_000_000, Platform: 50_000, Validator: 10_000, Provider: 940_000}
	if got != want {
		t.Fatalf("SplitFees(1000000) = %+v, want %+v", got, want)
	}
}

func TestSplitFeesTruncates(t *testing.T) {
	for _, c := range []struct{ gross, p, v uint64 }{
		{0, 0, 0}, {1, 0, 0}, {19, 0, 0}, {20, 1, 0}, {99, 4, 0}, {100, 5, 1}, {199, 9, 1},
		{math.MaxUint64, math.MaxUint64 / 20, math.MaxUint64 / 100},
	} {
		s := SplitFees(c.gross)
		if s.Platform != c.p || s.Validator != c.v || s.Provider != c.gross-c.p-c.v {
			t.Errorf("SplitFees(%d) = %+v, want platform %d validator %d", c.gross, s, c.p, c.v)
		}
	}
}

// Banker's rounding: ties go to the even neighbour, everything else to the nearest.
func TestRoundHalfEven(t *testing.T) {
	for _, c := range []struct{ n, d, want uint64 }{
		{5, 10, 0}, {15, 10, 2}, {25, 10, 2}, {35, 10, 4}, {45, 10, 4}, {55, 10, 6},
		{14, 10, 1}, {16, 10, 2}, {24, 10, 2}, {26, 10, 3},
		{1, 2, 0}, {3, 2, 2}, {5, 2, 2}, {7, 2, 4}, {1, 3, 0}, {2, 3, 1},
		{0, 7, 0}, {7, 7, 1}, {2500, 1000, 2}, {3500, 1000, 4}, {2501, 1000, 3},
		{math.MaxUint64, 1, math.MaxUint64}, {math.MaxUint64, 2, 1 << 63}, // .5 rounds to even 2^63
	} {
		got, ok := RoundHalfEven(c.n, c.d)
		if !ok || got != c.want {
			t.Errorf("RoundHalfEven(%d, %d) = %d, %v; want %d", c.n, c.d, got, ok, c.want)
		}
	}
	if _, ok := RoundHalfEven(1, 0); ok {
		t.Error("division by zero accepted")
	}
}

func TestMulDivHalfEven(t *testing.T) {
	// 2.5 units of CPU at 1 per unit: 2500 milli × 1 / 1000 = 2.5 → 2; at 3 per unit 7.5 → 8.
	for _, c := range []struct{ a, b, d, want uint64 }{
		{2500, 1, 1000, 2}, {2500, 3, 1000, 8}, {1500, 1, 1000, 2}, {500, 1, 1000, 0},
		{math.MaxUint64, math.MaxUint64, math.MaxUint64, math.MaxUint64},
	} {
		got, ok := MulDivHalfEven(c.a, c.b, c.d)
		if !ok || got != c.want {
			t.Errorf("MulDivHalfEven(%d, %d, %d) = %d, %v; want %d", c.a, c.b, c.d, got, ok, c.want)
		}
	}
	if _, ok := MulDivHalfEven(math.MaxUint64, math.MaxUint64, 1); ok {
		t.Error("overflow accepted")
	}
	if _, ok := MulDivHalfEven(math.MaxUint64, 3, 2); ok {
		t.Error("overflow by rounding up accepted")
	}
}
