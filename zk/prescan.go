package zk

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	kzgbn254 "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
)

// gnark's decoders allocate every slice at the length the input declares before reading it, so a
// few crafted bytes can ask for hundreds of gigabytes (an unrecoverable out-of-memory crash, found
// by fuzzing). prescan walks the start of a gnark encoding and checks each declared length against
// the input that is left, and against the shape of the credential circuit where it is known, before
// the gnark decoder runs.
type prescan struct {
	b   []byte
	off int
	err error
}

func (s *prescan) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
}

func (s *prescan) need(n int) bool {
	if s.err != nil {
		return false
	}
	if n < 0 || len(s.b)-s.off < n {
		s.fail("truncated encoding at byte %d", s.off)
		return false
	}
	return true
}

// point skips one G1 (size 32) or G2 (size 64) point: compressed unless the top two bits are 00,
// in which case it is twice as long.
func (s *prescan) point(size int) {
	if !s.need(1) {
		return
	}
	if s.b[s.off]>>6 == 0 {
		size *= 2
	}
	if s.need(size) {
		s.off += size
	}
}

func (s *prescan) u16() uint64 {
	if !s.need(2) {
		return 0
	}
	v := binary.BigEndian.Uint16(s.b[s.off:])
	s.off += 2
	return uint64(v)
}

func (s *prescan) u32() uint64 {
	if !s.need(4) {
		return 0
	}
	v := binary.BigEndian.Uint32(s.b[s.off:])
	s.off += 4
	return uint64(v)
}

func (s *prescan) u64() uint64 {
	if !s.need(8) {
		return 0
	}
	v := binary.BigEndian.Uint64(s.b[s.off:])
	s.off += 8
	return v
}

// length checks a declared count of elements of at least minSize bytes each against the input
// left and against max.
func (s *prescan) length(n uint64, minSize int, max uint64, what string) bool {
	if s.err != nil {
		return false
	}
	if n > max || n > uint64(len(s.b)-s.off)/uint64(minSize) {
		s.fail("%s declares %d elements, more than the input holds", what, n)
		return false
	}
	return true
}

// points skips a slice of n points.
func (s *prescan) points(n uint64, size int, what string) {
	if !s.length(n, size, 1<<32, what) {
		return
	}
	for range n {
		s.point(size)
	}
}

// maxCeremonyDomain bounds the domain size a ceremony file may declare (the circuit needs 2^14).
const maxCeremonyDomain = 1 << 20

// prescanSrsCommons checks gnark's SrsCommons encoding (N, then 5N−2 points) at the current offset.
func (s *prescan) srsCommons(n uint64) {
	N := s.u64()
	if s.err != nil {
		return
	}
	if N != n || N < 2 || N > maxCeremonyDomain || N&(N-1) != 0 {
		s.fail("phase 1 domain %d (header %d) is not a power of two in [2, %d]", N, n, maxCeremonyDomain)
		return
	}
	s.length(5*N-2, 32, 5*maxCeremonyDomain, "phase 1 parameters")
}

// prescanPhase1 checks a Phase1 file: our 8-byte domain, three update proofs (G1, G2), SrsCommons.
func prescanPhase1(b []byte) error {
	s := &prescan{b: b}
	n := s.u64()
	for range 3 {
		s.point(32)
		s.point(64)
	}
	s.srsCommons(n)
	return s.err
}

// prescanPhase1Result checks a Phase1Result file: our 8-byte domain, then SrsCommons.
func prescanPhase1Result(b []byte) error {
	s := &prescan{b: b}
	n := s.u64()
	s.srsCommons(n)
	return s.err
}

// maxPhase2Commitments bounds the Pedersen commitments a phase-2 file may declare (the circuit has none).
const maxPhase2Commitments = 16

// prescanPhase2 checks a Phase2 file: u16 commitments, [δ]₁, PKK and Z (G1 slices), then the
// per-commitment slices.
func prescanPhase2(b []byte) error {
	s := &prescan{b: b}
	nc := s.u16()
	if s.err == nil && nc > maxPhase2Commitments {
		s.fail("phase 2 declares %d commitments", nc)
	}
	s.point(32) // [δ]₁
	s.points(s.u32(), 32, "phase 2 PKK")
	s.points(s.u32(), 32, "phase 2 Z")
	s.point(64) // [δ]₂
	for range nc {
		s.points(s.u32(), 32, "phase 2 σ·CKK")
	}
	return s.err
}

// prescanGroth16VK checks gnark's Groth16 verifying key for the credential circuit: six points, K
// with one point per public input plus one, and no commitments.
func prescanGroth16VK(b []byte) error {
	s := &prescan{b: b}
	for _, size := range []int{32, 32, 64, 64, 32, 64} {
		s.point(size)
	}
	k := s.u32()
	if s.err == nil && k != uint64(len(publicNames)+1) {
		s.fail("verifying key has %d K points, the circuit %d", k, len(publicNames)+1)
	}
	s.points(k, 32, "verifying key K")
	if pc := s.u32(); s.err == nil && pc != 0 {
		s.fail("verifying key declares %d committed inputs, the circuit none", pc)
	}
	if nc := s.u32(); s.err == nil && nc != 0 {
		s.fail("verifying key declares %d commitments, the circuit none", nc)
	}
	return s.err
}

// guardDecode runs a gnark decoder and turns a panic on malformed input into ErrMalformed.
func guardDecode(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: decoder failed: %v", ErrMalformed, what, r)
		}
	}()
	return fn()
}

// plonkLinesSize is the encoded size of the KZG verifying key's precomputed pairing lines (a
// fixed-size array, so the same for every key).
var plonkLinesSize = func() int {
	var vk kzgbn254.VerifyingKey
	var buf bytes.Buffer
	enc := bn254.NewEncoder(&buf)
	if err := enc.Encode(&vk.Lines); err != nil {
		panic(err) // fixed-size array of field elements: cannot fail
	}
	return buf.Len()
}()

// prescanPlonkVK checks gnark's versioned PLONK verifying key for the credential circuit: version
// marker 0, version 1, the fixed-size fields, and no commitments (Qcp and the commitment constraint
// indexes empty).
func prescanPlonkVK(b []byte) error {
	s := &prescan{b: b}
	if marker, version := s.u64(), s.u64(); s.err == nil && (marker != 0 || version != 1) {
		s.fail("PLONK verifying key is not in gnark's version-1 format")
	}
	s.u64()         // size
	if s.need(64) { // SizeInv, Generator
		s.off += 64
	}
	s.u64()         // public variables
	if s.need(32) { // CosetShift
		s.off += 32
	}
	for range 8 { // S[0..2], Ql, Qr, Qm, Qo, Qk
		s.point(32)
	}
	if qcp := s.u32(); s.err == nil && qcp != 0 {
		s.fail("PLONK verifying key declares %d commitments, the circuit none", qcp)
	}
	s.point(32) // Kzg.G1
	s.point(64) // Kzg.G2[0]
	s.point(64) // Kzg.G2[1]
	if s.need(plonkLinesSize) {
		s.off += plonkLinesSize
	}
	if n := s.u32(); s.err == nil && n != 0 {
		s.fail("PLONK verifying key declares %d commitment constraints, the circuit none", n)
	}
	return s.err
}

// prescanPlonkProof checks gnark's PLONK proof encoding: eight G1 points, the batched opening's
// claimed values (field elements, bounded by the input), the shifted opening, and no BSB22
// commitments (the circuit has none).
func prescanPlonkProof(b []byte) error {
	s := &prescan{b: b}
	for range 8 { // LRO, Z, H[0..2], BatchedProof.H
		s.point(32)
	}
	if n := s.u32(); s.length(n, 32, 1<<16, "PLONK claimed values") {
		s.off += int(n) * 32
	}
	s.point(32) // ZShiftedOpening.H
	if s.need(32) {
		s.off += 32
	}
	if n := s.u32(); s.err == nil && n != 0 {
		s.fail("PLONK proof declares %d commitments, the circuit none", n)
	}
	return s.err
}
