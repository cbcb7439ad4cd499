package settlement

import "math/bits"

// Split is how one settled amount is divided. Platform + Validator + Provider == Gross always.
type Split struct {
	Gross     uint64 `json:"gross"`
	Platform  uint64 `json:"platform"`
	Validator uint64 `json:"validator"`
	Provider  uint64 `json:"provider"`
}

// SplitFees divides gross into the platform fee (5%), the validator fee (1%) and the provider's share
// (the rest), with truncating integer division (FEATURES.md §7.3): SplitFees(1_000_000) is
// {50_000, 10_000, 940_000}. The three parts always sum to gross.
func SplitFees(gross uint64) Split {
	p := mulDivFloor(gross, PlatformFeeBps, BasisPoints)
	v := mulDivFloor(gross, ValidatorFeeBps, BasisPoints)
	return Split{Gross: gross, Platform: p, Validator: v, Provider: gross - p - v}
}

// mulDivFloor returns ⌊a·b/d⌋ for d > 0 without intermediate overflow; the result fits when b ≤ d.
func mulDivFloor(a, b, d uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, d)
	return q
}

// RoundHalfEven returns n/d rounded to the nearest integer, ties to even (banker's rounding,
// IEEE 754 roundTiesToEven applied to integers). ok is false when d is 0 or the result overflows.
func RoundHalfEven(n, d uint64) (q uint64, ok bool) {
	if d == 0 {
		return 0, false
	}
	return roundHalfEven128(0, n, d)
}

// MulDivHalfEven returns a·b/d with banker's rounding, computed exactly in 128 bits.
func MulDivHalfEven(a, b, d uint64) (uint64, bool) {
	if d == 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(a, b)
	return roundHalfEven128(hi, lo, d)
}

func roundHalfEven128(hi, lo, d uint64) (uint64, bool) {
	if hi >= d {
		return 0, false // quotient does not fit in 64 bits
	}
	q, r := bits.Div64(hi, lo, d)
	// compare 2r with d without overflow: r ≥ d-r  ⇔  2r ≥ d
	half := d - r
	if r > half || (r == half && q&1 == 1) {
		if q == ^uint64(0) {
			return 0, false
		}
		q++
	}
	return q, true
}

func addChecked(a, b uint64) (uint64, error) {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return 0, ErrOverflow
	}
	return s, nil
}
