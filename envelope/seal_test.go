package envelope

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func mustIdentity(t testing.TB, k KEM) *HPKEIdentity {
	t.Helper()
	id, err := GenerateIdentity(k)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustSigner(t testing.TB, s SignatureScheme) *SigningKey {
	t.Helper()
	k, err := GenerateSigningKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	sizes := []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 3*ChunkSize + 17}
	for _, k := range []KEM{XWing, X25519} {
		for _, a := range []AEAD{AES256GCM, ChaCha20Poly1305} {
			for _, s := range []SignatureScheme{Ed25519, MLDSA65} {
				alice, bob := mustIdentity(t, k), mustIdentity(t, k)
				signer := mustSigner(t, s)
				for _, n := range sizes {
					pt := bytes.Repeat([]byte{byte(n)}, n)
					env, err := Seal(pt, signer, []Recipient{alice.Recipient(), bob.Recipient()}, &SealOptions{AEAD: a})
					if err != nil {
						t.Fatal(err)
					}
					for _, id := range []Identity{alice, bob} {
						got, from, err := Open(env, id, nil)
						if err != nil {
							t.Fatalf("%v/%v/%v n=%d: %v", k, a, s, n, err)
						}
						if !bytes.Equal(got, pt) || !from.Equal(signer.Public()) {
							t.Fatalf("%v/%v/%v n=%d: wrong plaintext or signer", k, a, s, n)
						}
					}
				}
			}
		}
	}
}

func TestOpenNotRecipient(t *testing.T) {
	alice, eve := mustIdentity(t, XWing), mustIdentity(t, XWing)
	signer := mustSigner(t, Ed25519)
	env, err := Seal([]byte("hello"), signer, []Recipient{alice.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(env, eve, nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("got %v, want ErrNotRecipient", err)
	}
	anon, err := Seal([]byte("hello"), signer, []Recipient{alice.Recipient()}, &SealOptions{Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(anon, eve, nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("anonymous: got %v, want ErrNotRecipient", err)
	}
	if _, _, err := Open(anon, alice, nil); err != nil {
		t.Fatalf("anonymous: %v", err)
	}
}

// TestStreamingShortReadsAndWrites feeds the Writer odd-sized writes and the Reader a source that
// returns one byte at a time (and the reverse): the pipeline's buffering must not depend on either.
func TestStreamingShortReadsAndWrites(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, MLDSA65) // the larger trailer exercises the lookahead
	for _, n := range []int{0, 5, ChunkSize, 9*ChunkSize + 3, 20 * ChunkSize} {
		pt := make([]byte, n)
		for i := range pt {
			pt[i] = byte(i ^ i>>9)
		}
		var env bytes.Buffer
		w, err := NewWriter(&env, signer, []Recipient{id.Recipient()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for rest, step := pt, 1; len(rest) > 0; step = step*3 + 1 {
			k := min(step, len(rest))
			if _, err := w.Write(rest[:k]); err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte{1}); !errors.Is(err, ErrClosed) {
			t.Fatalf("write after close: %v", err)
		}
		r, err := NewReader(iotest.OneByteReader(bytes.NewReader(env.Bytes())), id, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("n=%d: %v", n, err)
		}
		if _, err := r.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("after EOF: %v", err)
		}
	}
}

// TestOverhead checks TARGETS.md: one classical recipient costs at most 200 bytes plus the signature
// plus 16 bytes per 64 KiB chunk.
func TestOverhead(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	for _, n := range []int{0, 1000, 10 * ChunkSize} {
		env, err := Seal(make([]byte, n), signer, []Recipient{id.Recipient()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		chunks := max(1, (n+ChunkSize-1)/ChunkSize)
		budget := 200 + Ed25519.SignatureSize() + TagSize*chunks
		if over := len(env) - n; over > budget {
			t.Errorf("n=%d: overhead %d bytes, budget %d", n, over, budget)
		}
	}
}

// TestManyRecipients wraps in parallel (run with -race): every recipient opens, order is kept.
func TestManyRecipients(t *testing.T) {
	var ids []*HPKEIdentity
	var rs []Recipient
	for i := 0; i < 12; i++ {
		k := XWing
		if i%3 == 0 {
			k = X25519
		}
		id := mustIdentity(t, k)
		ids, rs = append(ids, id), append(rs, id.Recipient(), id.Recipient()) // each twice: shared keys wrap concurrently
	}
	env, err := Seal([]byte("committee"), mustSigner(t, Ed25519), rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(bytes.NewReader(env))
	if err != nil || len(info.Recipients) != len(rs) {
		t.Fatalf("inspect: %v", err)
	}
	for i, r := range info.Recipients {
		if want := ids[i/2].KeyID().String(); r.KeyID != want {
			t.Fatalf("stanza %d names %s, want %s", i, r.KeyID, want)
		}
	}
	for _, id := range ids {
		if _, _, err := Open(env, id, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWriterReadFrom: io.Copy into a Writer from sources without WriteTo (so ReadFrom is used), at
// sizes around chunk boundaries, gives the same plaintext back.
func TestWriterReadFrom(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3 * ChunkSize, 3*ChunkSize + TagSize + 1} {
		pt := make([]byte, n)
		for i := range pt {
			pt[i] = byte(i * 5)
		}
		for name, src := range map[string]io.Reader{
			"one byte": iotest.OneByteReader(bytes.NewReader(pt)),
			"half":     iotest.HalfReader(bytes.NewReader(pt)),
			"data+EOF": iotest.DataErrReader(bytes.NewReader(pt)),
		} {
			var env bytes.Buffer
			w, err := NewWriter(&env, signer, []Recipient{id.Recipient()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if m, err := w.ReadFrom(src); err != nil || m != int64(n) {
				t.Fatalf("%s n=%d: ReadFrom %d %v", name, n, m, err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, _, err := Open(env.Bytes(), id, nil)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("%s n=%d: %v", name, n, err)
			}
			// The same bytes as Write would produce, apart from the random parts: same length.
			if want, _ := Seal(pt, signer, []Recipient{id.Recipient()}, nil); len(want) != env.Len() {
				t.Fatalf("%s n=%d: %d bytes, Write gives %d", name, n, env.Len(), len(want))
			}
		}
	}
}
