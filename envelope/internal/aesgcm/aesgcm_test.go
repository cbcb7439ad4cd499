package aesgcm

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"math/rand/v2"
	"testing"
)

func stdGCM(t testing.TB, key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// lengths covers the tail (0 to 15 blocks and a partial one), whole groups of 256 bytes and a full
// 64 KiB chunk and more.
var lengths = func() []int {
	var ls []int
	for n := 0; n <= 1100; n++ {
		ls = append(ls, n)
	}
	return append(ls, 4095, 4096, 4097, 65535, 65536, 65537, 65536+255, 200000)
}()

// TestAgainstStdlib seals and opens random messages under random keys and nonces with both
// implementations: same ciphertext and tag, each opens the other's, in place too.
func TestAgainstStdlib(t *testing.T) {
	if !useVAES {
		t.Log("no VAES: New returns crypto/cipher's GCM")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for _, n := range lengths {
		key, nonce, pt := rnd(32), rnd(12), rnd(n)
		ours, err := New(key)
		if err != nil {
			t.Fatal(err)
		}
		ref := stdGCM(t, key)
		want := ref.Seal(nil, nonce, pt, nil)
		got := ours.Seal(nil, nonce, pt, nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("n=%d: sealed bytes differ from crypto/cipher's", n)
		}
		// In place, with a prefix in dst.
		buf := append(rnd(3), pt...)
		sealed := ours.Seal(buf[:3], nonce, buf[3:3+n], nil)
		if !bytes.Equal(sealed[3:], want) {
			t.Fatalf("n=%d: in-place seal differs", n)
		}
		opened, err := ours.Open(nil, nonce, want, nil)
		if err != nil || !bytes.Equal(opened, pt) {
			t.Fatalf("n=%d: open: %v", n, err)
		}
		inPlace := bytes.Clone(want)
		opened, err = ours.Open(inPlace[:0], nonce, inPlace, nil)
		if err != nil || !bytes.Equal(opened, pt) {
			t.Fatalf("n=%d: in-place open: %v", n, err)
		}
		// Any flipped bit, in the ciphertext or the tag, fails and leaves no plaintext.
		for _, i := range []int{0, len(want) / 2, len(want) - 17, len(want) - 1} {
			if i < 0 {
				continue
			}
			bad := bytes.Clone(want)
			bad[i] ^= 0x40
			out := make([]byte, n)
			if _, err := ours.Open(out[:0], nonce, bad, nil); err == nil {
				t.Fatalf("n=%d: flipped byte %d accepted", n, i)
			}
			if !bytes.Equal(out, make([]byte, n)) {
				t.Fatalf("n=%d: failed open left plaintext in dst", n)
			}
		}
		// Additional data goes to crypto/cipher and interoperates.
		ad := rnd(n % 40)
		if got, want := ours.Seal(nil, nonce, pt, ad), ref.Seal(nil, nonce, pt, ad); !bytes.Equal(got, want) {
			t.Fatalf("n=%d: with additional data: differs", n)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	for _, n := range []int{1024, 65536} {
		key := make([]byte, 32)
		pt := make([]byte, n)
		nonce := make([]byte, 12)
		for name, a := range map[string]cipher.AEAD{"stdlib": stdGCM(b, key), "vaes": func() cipher.AEAD { g, _ := New(key); return g }()} {
			b.Run(fmt.Sprintf("%d/%s", n, name), func(b *testing.B) {
				b.SetBytes(int64(n))
				buf := make([]byte, 0, n+16)
				for range b.N {
					a.Seal(buf, nonce, pt, nil)
				}
			})
		}
	}
}
