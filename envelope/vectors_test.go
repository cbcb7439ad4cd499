package envelope

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors from the deterministic generator")

const vectorsIndex = "testdata/vectors.json"

func vectorFile(name string) string { return filepath.Join("testdata", "vectors", name+".env") }

func loadVectors(t testing.TB) []vector {
	b, err := os.ReadFile(vectorsIndex)
	if err != nil {
		t.Fatalf("%v (regenerate with: go test ./envelope -run TestVectors -update)", err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors in " + vectorsIndex)
	}
	for i := range vs {
		if vs[i].envelope, err = os.ReadFile(vectorFile(vs[i].Name)); err != nil {
			t.Fatal(err)
		}
	}
	return vs
}

// TestVectorsAreGenerated checks the stored vectors byte for byte against the generator.
func TestVectorsAreGenerated(t *testing.T) {
	gen := generateVectors(t)
	if *update {
		os.RemoveAll(filepath.Join("testdata", "vectors"))
		if err := os.MkdirAll(filepath.Join("testdata", "vectors"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, v := range gen {
			if err := os.WriteFile(vectorFile(v.Name), v.envelope, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		idx, _ := json.MarshalIndent(gen, "", "  ")
		if err := os.WriteFile(vectorsIndex, append(idx, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stored := loadVectors(t)
	if len(stored) != len(gen) {
		t.Fatalf("%d stored vectors, generator makes %d", len(stored), len(gen))
	}
	for i := range gen {
		g, s := gen[i], stored[i]
		if g.Name != s.Name || g.Expect != s.Expect || g.Identity != s.Identity || g.PlaintextSHA256 != s.PlaintextSHA256 {
			t.Errorf("vector %d (%s): index differs from the generator", i, g.Name)
		}
		if !bytes.Equal(g.envelope, s.envelope) {
			t.Errorf("vector %s: envelope bytes differ from the generator", g.Name)
		}
	}
}

// TestVectors opens every stored vector, one-shot and streaming, and checks the declared result.
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			id, err := ParseIdentity(v.Identity)
			if err != nil {
				t.Fatal(err)
			}
			opts := &OpenOptions{}
			for _, s := range v.Senders {
				k, err := ParseVerifyingKey(s)
				if err != nil {
					t.Fatal(err)
				}
				opts.Senders = append(opts.Senders, k)
			}
			pt, _, err := Open(v.envelope, id, opts)
			if got := Code(err); got != v.Expect && !(v.Expect == "success" && err == nil) {
				t.Fatalf("Open: got %q (%v), want %q", got, err, v.Expect)
			}
			if v.Expect == "success" {
				sum := sha256.Sum256(pt)
				if hex.EncodeToString(sum[:]) != v.PlaintextSHA256 || len(pt) != v.PlaintextSize {
					t.Fatal("wrong plaintext")
				}
			} else if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
			// Streaming with 1-byte reads reaches the same verdict.
			r, err := NewReader(io.LimitReader(bytes.NewReader(v.envelope), int64(len(v.envelope))), id, opts)
			if err == nil {
				_, err = io.Copy(io.Discard, oneByteReader{r})
			}
			if got := Code(err); got != v.Expect && !(v.Expect == "success" && err == nil) {
				t.Fatalf("NewReader: got %q (%v), want %q", got, err, v.Expect)
			}
		})
	}
}

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
