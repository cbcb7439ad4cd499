package sha256x

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSum256 checks every lane count and padding case against crypto/sha256.
func TestSum256(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := []int{0, 1, 55, 56, 63, 64, 65, 119, 120, 511, 512, 513, 1000, 4096 + 55, 4096 + 56, 65552, 256*64*2 + 17}
	for _, n := range lengths {
		for _, k := range []int{1, 2, 5, 6, 7, 8, 9, 11, 12, 15, 16, 17, 31, 33} {
			msgs := make([][]byte, k)
			for i := range msgs {
				msgs[i] = make([]byte, n)
				for j := range msgs[i] {
					msgs[i][j] = byte(rng.Uint32())
				}
			}
			out := make([][32]byte, k)
			Sum256(out, msgs)
			for i := range msgs {
				if out[i] != sha256.Sum256(msgs[i]) {
					t.Fatalf("len %d, %d messages: message %d: got %x", n, k, i, out[i])
				}
			}
		}
	}
}

// TestSum256Mixed mixes lengths: runs of equal length are hashed together.
func TestSum256Mixed(t *testing.T) {
	var msgs [][]byte
	for i := range 40 {
		n := 70000
		if i%13 == 12 {
			n = 123
		}
		m := make([]byte, n)
		for j := range m {
			m[j] = byte(i*7 + j)
		}
		msgs = append(msgs, m)
	}
	out := make([][32]byte, len(msgs))
	Sum256(out, msgs)
	for i := range msgs {
		if out[i] != sha256.Sum256(msgs[i]) {
			t.Fatalf("message %d differs", i)
		}
	}
}

// TestLanesDirect runs both vector widths on every lane count, whatever the thresholds pick.
func TestLanesDirect(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, lanes := range []int{8, 16} {
		for k := 1; k <= lanes; k++ {
			for _, n := range []int{0, 64, 65552, 100} {
				msgs := make([][]byte, k)
				for i := range msgs {
					msgs[i] = make([]byte, n)
					for j := range msgs[i] {
						msgs[i][j] = byte(rng.Uint32())
					}
				}
				out := make([][32]byte, k)
				sumLanes(out, msgs, lanes)
				for i := range msgs {
					if out[i] != sha256.Sum256(msgs[i]) {
						t.Fatalf("%d lanes, %d messages of %d bytes: message %d differs", lanes, k, n, i)
					}
				}
			}
		}
	}
}

// BenchmarkLanes hashes k chunks of 65552 bytes (one sealed envelope chunk) per operation with each
// strategy: the thresholds min16 and min8 come from these numbers.
func BenchmarkLanes(b *testing.B) {
	const n = 65552
	msgs := make([][]byte, 16)
	for i := range msgs {
		msgs[i] = make([]byte, n)
	}
	out := make([][32]byte, 16)
	for _, k := range []int{1, 4, 6, 8, 12, 16} {
		b.Run(fmt.Sprintf("%d/scalar", k), func(b *testing.B) {
			b.SetBytes(int64(k * n))
			for range b.N {
				for i := range k {
					out[i] = sha256.Sum256(msgs[i])
				}
			}
		})
		if !useAVX512 {
			continue
		}
		if k <= 8 {
			b.Run(fmt.Sprintf("%d/x8", k), func(b *testing.B) {
				b.SetBytes(int64(k * n))
				for range b.N {
					sumLanes(out[:k], msgs[:k], 8)
				}
			})
		}
		b.Run(fmt.Sprintf("%d/x16", k), func(b *testing.B) {
			b.SetBytes(int64(k * n))
			for range b.N {
				sumLanes(out[:k], msgs[:k], 16)
			}
		})
	}
}
