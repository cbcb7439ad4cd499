//go:build !purego

package sha256x

import "golang.org/x/sys/cpu"

// useAVX512: the lanes need AVX-512 F (ZMM, rotates, ternary logic), VL (the same on YMM) and BW
// (byte shuffles on ZMM); cpu also checks that the OS saves the ZMM state.
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW

// Batches smaller than these are better served by fewer lanes. Measured CPU per 65552-byte chunk:
// 16 lanes full 17.7 µs, 12 of 16 23.8 µs, 8 lanes full 23.8 µs, 6 of 8 30.9 µs; SHA-NI alone
// 37.6 µs (see BenchmarkLanes).
var min16, min8 = 11, 6

// blocks16 runs the SHA-256 compression function over nblocks consecutive 64-byte blocks of 16
// messages: lane l reads from lanes[l], and word w of its state is state[16w+l].
//
//go:noescape
func blocks16(state *[128]uint32, lanes *[16]*byte, nblocks int)

// blocks8 is blocks16 over 8 lanes: lanes[0:8], word w of lane l at state[8w+l].
//
//go:noescape
func blocks8(state *[128]uint32, lanes *[16]*byte, nblocks int)
