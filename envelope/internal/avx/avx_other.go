//go:build !amd64 || purego

package avx

// ZeroUpper does nothing on this architecture.
func ZeroUpper() {}
