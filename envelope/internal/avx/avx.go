// Package avx has one function: ZeroUpper, which executes VZEROUPPER on amd64.
//
// Assembly that uses 256-bit registers and returns without VZEROUPPER (circl's ML-KEM, used by the
// X-Wing KEM) leaves the upper halves of the vector registers dirty. Until something clears them,
// every legacy-SSE instruction the thread runs (the SHA-NI code of crypto/sha256 and the AES-NI and
// PCLMULQDQ code of crypto/aes) pays for a merge with the dirty state: measured here, ten HKDF
// extractions after one ML-KEM encapsulation took ten times as long as without it.
package avx
