//go:build !purego

package aesgcm

import (
	"bytes"
	"crypto/aes"
	"testing"
)

// TestCounterWrap starts near the end of the 32-bit counter: GCM increments only the last 32 bits
// of the counter block, wrapping without carry into the nonce.
func TestCounterWrap(t *testing.T) {
	if !useVAES {
		t.Skip("no VAES")
	}
	key := make([]byte, 32)
	g := newVAES(key, stdGCM(t, key))
	var ctr, y [16]byte
	for i := range 12 {
		ctr[i] = byte(i + 1)
	}
	ctr[12], ctr[13], ctr[14], ctr[15] = 0xff, 0xff, 0xff, 0xf0
	start := ctr
	src := make([]byte, groupSize)
	dst := make([]byte, groupSize)
	encGroups(&g.rkb, &g.powers, &ctr, &y, &dst[0], &src[0], 1)
	b, _ := aes.NewCipher(key)
	blk := start
	for i := range groupSize / 16 {
		c := uint32(blk[12])<<24 | uint32(blk[13])<<16 | uint32(blk[14])<<8 | uint32(blk[15])
		c++
		blk[12], blk[13], blk[14], blk[15] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
		var ks [16]byte
		b.Encrypt(ks[:], blk[:])
		if !bytes.Equal(dst[16*i:16*i+16], ks[:]) {
			t.Fatalf("block %d: keystream differs", i)
		}
	}
	if ctr != blk {
		t.Fatalf("counter after the group: %x, want %x", ctr, blk)
	}
}
