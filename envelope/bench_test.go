package envelope

import (
	"bytes"
	"io"
	"testing"
)

// Benchmarks of this package alone; bench/age compares with age in the same run.

func BenchmarkSeal1MiB(b *testing.B) { benchSeal(b, 1<<20) }

func BenchmarkOpen1MiB(b *testing.B) { benchOpen(b, 1<<20) }

// BenchmarkReaderAt4KiB reads 4 KiB across a chunk boundary: two chunk decryptions at most.
func BenchmarkReaderAt4KiB(b *testing.B) {
	id, signer := mustIdentity(b, X25519), mustSigner(b, Ed25519)
	env, _ := Seal(make([]byte, 64*ChunkSize), signer, []Recipient{id.Recipient()}, nil)
	ra, err := NewReaderAt(bytes.NewReader(env), int64(len(env)), id, nil)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4096)
	for i := 0; i < b.N; i++ {
		if _, err := ra.ReadAt(buf, int64(i%60)*ChunkSize+ChunkSize-2048); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrap(b *testing.B) {
	for _, c := range []struct {
		name string
		kem  KEM
	}{{"xwing", XWing}, {"x25519", X25519}} {
		r := mustIdentity(b, c.kem).Recipient()
		fk := make([]byte, fileKeySize)
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := r.Wrap(fk); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSeal64MiB(b *testing.B) { benchSeal(b, 64<<20) }

func BenchmarkOpen64MiB(b *testing.B) { benchOpen(b, 64<<20) }

// benchSeal streams n bytes through NewWriter to one X25519 recipient.
func benchSeal(b *testing.B, n int) {
	id, signer := mustIdentity(b, X25519), mustSigner(b, Ed25519)
	pt := make([]byte, n)
	b.SetBytes(int64(n))
	for i := 0; i < b.N; i++ {
		w, _ := NewWriter(io.Discard, signer, []Recipient{id.Recipient()}, nil)
		w.Write(pt)
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchOpen streams an n-byte envelope through NewReader.
func benchOpen(b *testing.B, n int) {
	id, signer := mustIdentity(b, X25519), mustSigner(b, Ed25519)
	env, _ := Seal(make([]byte, n), signer, []Recipient{id.Recipient()}, nil)
	b.SetBytes(int64(n))
	for i := 0; i < b.N; i++ {
		r, err := NewReader(bytes.NewReader(env), id, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
