// Package sha256x computes SHA-256 (FIPS 180-4) of many messages at once. On amd64 CPUs with
// AVX-512 it hashes 8 or 16 messages of equal length in the lanes of one vector register set, about
// twice the throughput of the SHA extensions on one message; elsewhere it calls crypto/sha256.
//
// The envelope payload digest (FORMAT.md §4) is a SHA-256 per 64 KiB sealed chunk: the chunks in
// flight are such a batch.
package sha256x

//go:generate go run gen.go

import (
	"crypto/sha256"
	"encoding/binary"
)

// Sum256 sets out[i] to SHA-256(msgs[i]) for every i; out must be at least as long as msgs.
// Consecutive messages of the same length are hashed together.
func Sum256(out [][32]byte, msgs [][]byte) {
	out = out[:len(msgs)]
	for i := 0; i < len(msgs); {
		j := i + 1
		for j < len(msgs) && len(msgs[j]) == len(msgs[i]) {
			j++
		}
		sumEqual(out[i:j], msgs[i:j])
		i = j
	}
}

// minVectorLen is the message length below which the lanes' setup costs more than they save.
const minVectorLen = 512

// sumEqual hashes messages of one length.
func sumEqual(out [][32]byte, msgs [][]byte) {
	for len(msgs) > 0 {
		k := len(msgs)
		switch {
		case useAVX512 && len(msgs[0]) >= minVectorLen && k >= min16:
			k = min(k, 16)
			sumLanes(out[:k], msgs[:k], 16)
		case useAVX512 && len(msgs[0]) >= minVectorLen && k >= min8:
			k = min(k, 8)
			sumLanes(out[:k], msgs[:k], 8)
		default:
			k = 1
			out[0] = sha256.Sum256(msgs[0])
		}
		out, msgs = out[k:], msgs[k:]
	}
}

var iv = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// maxBlocksPerCall bounds one assembly call (16 lanes × 16 KiB), so the goroutine reaches a
// preemption point every few tens of microseconds.
const maxBlocksPerCall = 256

// sumLanes hashes k ≤ lanes messages of equal length in one vector pass; unused lanes repeat the
// last message and their results are dropped.
func sumLanes(out [][32]byte, msgs [][]byte, lanes int) {
	var st [8 * 16]uint32 // word w of lane l at w*lanes + l
	var ptrs [16]*byte
	var tails [16][128]byte
	k, n := len(msgs), len(msgs[0])
	for w := range 8 {
		for l := range lanes {
			st[w*lanes+l] = iv[w]
		}
	}
	run := func(nb int) {
		if lanes == 16 {
			blocks16(&st, &ptrs, nb)
		} else {
			blocks8(&st, &ptrs, nb)
		}
	}
	full := n / 64
	for done := 0; done < full; {
		nb := min(full-done, maxBlocksPerCall)
		for l := range lanes {
			ptrs[l] = &msgs[min(l, k-1)][done*64]
		}
		run(nb)
		done += nb
	}
	// Padding (FIPS 180-4 §5.1.1): 0x80, zeros, the bit length; one block, or two when fewer than
	// 9 bytes remain in the last one.
	rem := n % 64
	tl := 64
	if rem >= 56 {
		tl = 128
	}
	for l := range k {
		copy(tails[l][:], msgs[l][full*64:])
		tails[l][rem] = 0x80
		binary.BigEndian.PutUint64(tails[l][tl-8:tl], uint64(n)*8)
	}
	for l := range lanes {
		ptrs[l] = &tails[min(l, k-1)][0]
	}
	run(tl / 64)
	for l := range k {
		for w := range 8 {
			binary.BigEndian.PutUint32(out[l][4*w:], st[w*lanes+l])
		}
	}
}
