//go:build !purego

package avx

// ZeroUpper clears the upper halves of the vector registers (VZEROUPPER).
//
//go:noescape
func ZeroUpper()
