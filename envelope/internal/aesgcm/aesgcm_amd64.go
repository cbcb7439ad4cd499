//go:build !purego

package aesgcm

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"unsafe"

	"golang.org/x/sys/cpu"
)

var useVAES = cpu.X86.HasAES && cpu.X86.HasPCLMULQDQ && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW &&
	cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VAES && cpu.X86.HasAVX512VPCLMULQDQ

//go:noescape
func expandKey256(key *[32]byte, rk *[240]byte)

//go:noescape
func encryptBlock(rk *[240]byte, dst, src *[16]byte)

//go:noescape
func ghashInit(h *[16]byte, table *[512]byte)

//go:noescape
func ghashBlock(table *[512]byte, y, blk *[16]byte)

// groupSize is the bytes encGroups and decGroups take per iteration: 32 blocks.
const groupSize = 512

// encGroups encrypts ngroups×groupSize bytes of src into dst in counter mode, the counter blocks being
// ctr+1, ctr+2, … (32-bit big-endian increment; ctr is advanced), and folds the ciphertext into
// the GHASH accumulator y. decGroups is the same, hashing src instead of dst.
//
//go:noescape
func encGroups(rkb *[960]byte, powers *[512]byte, ctr, y *[16]byte, dst, src *byte, ngroups int)

//go:noescape
func decGroups(rkb *[960]byte, powers *[512]byte, ctr, y *[16]byte, dst, src *byte, ngroups int)

const (
	nonceSize = 12
	tagSize   = 16
	// maxPlaintext is the most GCM can encrypt under one nonce: 2^32 - 2 blocks.
	maxPlaintext = (1<<32 - 2) * 16
)

var errOpen = errors.New("cipher: message authentication failed")

type vaesGCM struct {
	rk     [240]byte // AES-256 round keys
	rkb    [960]byte // each round key four times, for 512-bit memory operands
	table  [512]byte // H'^1 … H'^32 in the GHASH representation of gcm_amd64.s
	powers [512]byte // the same, in the order the 32 blocks of a group multiply them
	std    cipher.AEAD
}

func newVAES(key []byte, std cipher.AEAD) *vaesGCM {
	g := &vaesGCM{std: std}
	expandKey256((*[32]byte)(key), &g.rk)
	for r := 0; r < 15; r++ {
		for l := 0; l < 4; l++ {
			copy(g.rkb[64*r+16*l:], g.rk[16*r:16*r+16])
		}
	}
	var zero, h [16]byte
	encryptBlock(&g.rk, &h, &zero)
	ghashInit(&h, &g.table)
	// Group register j, lane l holds block 4j+l of 32, which is multiplied by H'^(32-4j-l).
	for j := 0; j < 8; j++ {
		for l := 0; l < 4; l++ {
			k := 31 - 4*j - l
			copy(g.powers[64*j+16*l:], g.table[16*k:16*k+16])
		}
	}
	return g
}

func (g *vaesGCM) NonceSize() int { return nonceSize }
func (g *vaesGCM) Overhead() int  { return tagSize }

func (g *vaesGCM) Seal(dst, nonce, plaintext, additionalData []byte) []byte {
	if len(nonce) != nonceSize {
		panic("crypto/cipher: incorrect nonce length given to GCM")
	}
	if len(additionalData) > 0 {
		return g.std.Seal(dst, nonce, plaintext, additionalData)
	}
	if uint64(len(plaintext)) > maxPlaintext {
		panic("crypto/cipher: message too large for GCM")
	}
	ret, out := sliceForAppend(dst, len(plaintext)+tagSize)
	if inexactOverlap(out, plaintext) {
		panic("crypto/cipher: invalid buffer overlap of output and input")
	}
	var ctr, tagMask, y [16]byte
	copy(ctr[:], nonce)
	ctr[15] = 1
	encryptBlock(&g.rk, &tagMask, &ctr)
	n := len(plaintext) / groupSize * groupSize
	if n > 0 {
		encGroups(&g.rkb, &g.powers, &ctr, &y, &out[0], &plaintext[0], n/groupSize)
	}
	g.tail(out[n:len(plaintext)], plaintext[n:], &ctr, &y, false)
	g.finish((*[16]byte)(out[len(plaintext):]), &y, &tagMask, len(plaintext))
	return ret
}

func (g *vaesGCM) Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error) {
	if len(nonce) != nonceSize {
		panic("crypto/cipher: incorrect nonce length given to GCM")
	}
	if len(additionalData) > 0 {
		return g.std.Open(dst, nonce, ciphertext, additionalData)
	}
	if len(ciphertext) < tagSize || uint64(len(ciphertext)) > maxPlaintext+tagSize {
		return nil, errOpen
	}
	ct, tag := ciphertext[:len(ciphertext)-tagSize], ciphertext[len(ciphertext)-tagSize:]
	ret, out := sliceForAppend(dst, len(ct))
	if inexactOverlap(out, ciphertext) {
		panic("crypto/cipher: invalid buffer overlap of output and input")
	}
	var ctr, tagMask, y, want [16]byte
	copy(ctr[:], nonce)
	ctr[15] = 1
	encryptBlock(&g.rk, &tagMask, &ctr)
	n := len(ct) / groupSize * groupSize
	if n > 0 {
		decGroups(&g.rkb, &g.powers, &ctr, &y, &out[0], &ct[0], n/groupSize)
	}
	g.tail(out[n:], ct[n:], &ctr, &y, true)
	g.finish(&want, &y, &tagMask, len(ct))
	if subtle.ConstantTimeCompare(want[:], tag) != 1 {
		clear(out)
		return nil, errOpen
	}
	return ret, nil
}

// tail handles the last len(src) < groupSize bytes one block at a time: counter mode from ctr+1 and
// GHASH of the ciphertext (src when opening, dst when sealing), the last block zero-padded.
func (g *vaesGCM) tail(dst, src []byte, ctr, y *[16]byte, opening bool) {
	c := binary.BigEndian.Uint32(ctr[12:])
	for len(src) > 0 {
		c++
		binary.BigEndian.PutUint32(ctr[12:], c)
		var ks, blk [16]byte
		encryptBlock(&g.rk, &ks, ctr)
		k := min(len(src), 16)
		if opening {
			copy(blk[:], src[:k])
		}
		subtle.XORBytes(dst[:k], src[:k], ks[:k])
		if !opening {
			copy(blk[:], dst[:k])
		}
		ghashBlock(&g.table, y, &blk)
		dst, src = dst[k:], src[k:]
	}
}

// finish hashes the length block (no additional data, len(C) in bits) and masks the result.
func (g *vaesGCM) finish(tag, y, tagMask *[16]byte, n int) {
	var lens [16]byte
	binary.BigEndian.PutUint64(lens[8:], uint64(n)*8)
	ghashBlock(&g.table, y, &lens)
	for i := range tag {
		tag[i] = y[15-i] ^ tagMask[i]
	}
}

func sliceForAppend(in []byte, n int) (head, tail []byte) {
	if total := len(in) + n; cap(in) >= total {
		head = in[:total]
	} else {
		head = make([]byte, total)
		copy(head, in)
	}
	return head, head[len(in):]
}

// inexactOverlap reports whether x and y share memory at different offsets (exact overlap, the
// in-place case, is allowed).
func inexactOverlap(x, y []byte) bool {
	if len(x) == 0 || len(y) == 0 || &x[0] == &y[0] {
		return false
	}
	xs, ys := uintptr(unsafe.Pointer(&x[0])), uintptr(unsafe.Pointer(&y[0]))
	return xs <= ys+uintptr(len(y)-1) && ys <= xs+uintptr(len(x)-1)
}
