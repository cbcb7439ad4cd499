package app

import "math/bits"

func mul64(a, b uint64) (hi, lo uint64) { return bits.Mul64(a, b) }

// div128 divides (hi,lo) by c; when the quotient does not fit 64 bits it saturates.
func div128(hi, lo, c uint64) (uint64, uint64) {
	if c == 0 {
		return 0, 0
	}
	if hi >= c {
		return ^uint64(0), 0
	}
	return bits.Div64(hi, lo, c)
}
