package envelope

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// countingReaderAt records every byte range read, to prove what an operation touches.
type countingReaderAt struct {
	r     io.ReaderAt
	bytes int64
	reads []([2]int64)
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.bytes += int64(n)
	c.reads = append(c.reads, [2]int64{off, int64(n)})
	return n, err
}

func TestReaderAtRandomReads(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	pt := make([]byte, 5*ChunkSize+123)
	for i := range pt {
		pt[i] = byte(i * 7)
	}
	env, err := Seal(pt, signer, []Recipient{id.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ra, err := NewReaderAt(bytes.NewReader(env), int64(len(env)), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ra.Size() != int64(len(pt)) {
		t.Fatalf("size %d, want %d", ra.Size(), len(pt))
	}
	for _, off := range []int64{0, 1, ChunkSize - 100, ChunkSize, 3*ChunkSize + 5, int64(len(pt)) - 4096} {
		buf := make([]byte, 4096)
		n, err := ra.ReadAt(buf, off)
		if err != nil && !(err == io.EOF && off+int64(n) == int64(len(pt))) {
			t.Fatalf("off %d: %v", off, err)
		}
		if !bytes.Equal(buf[:n], pt[off:off+int64(n)]) {
			t.Fatalf("off %d: wrong bytes", off)
		}
	}
	if n, err := ra.ReadAt(make([]byte, 10), int64(len(pt))-5); n != 5 || err != io.EOF {
		t.Fatalf("read past end: n=%d err=%v", n, err)
	}
	if err := ra.Verify(); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(io.NewSectionReader(ra, 0, ra.Size()))
	if err != nil || !bytes.Equal(all, pt) {
		t.Fatalf("full read: %v", err)
	}
}

func TestReaderAtTamperedChunk(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	pt := make([]byte, 3*ChunkSize)
	env, err := Seal(pt, signer, []Recipient{id.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(bytes.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	env[info.Sizes.Header+chunkCTSize+10] ^= 1 // inside chunk 1
	ra, err := NewReaderAt(bytes.NewReader(env), int64(len(env)), id, nil)
	if err != nil {
		t.Fatal(err) // the last chunk and the signature are intact
	}
	if _, err := ra.ReadAt(make([]byte, 10), ChunkSize+5); !errors.Is(err, ErrChunkAuth) {
		t.Fatalf("got %v, want ErrChunkAuth", err)
	}
	if err := ra.Verify(); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Verify: got %v, want ErrBadSignature", err)
	}
	// Cutting the last chunk off is caught when opening.
	if _, err := NewReaderAt(bytes.NewReader(env), int64(len(env))-1, id, nil); err == nil {
		t.Fatal("truncated envelope opened")
	}
}

func TestRewrapTouchesNoPayload(t *testing.T) {
	alice, bob, carol := mustIdentity(t, XWing), mustIdentity(t, X25519), mustIdentity(t, XWing)
	sender, rewrapper := mustSigner(t, Ed25519), mustSigner(t, MLDSA65)
	pt := bytes.Repeat([]byte("payload "), 40000)
	env, err := Seal(pt, sender, []Recipient{alice.Recipient(), bob.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := &countingReaderAt{r: bytes.NewReader(env)}
	rw, err := RewrapAt(src, int64(len(env)), RewrapOptions{
		Identity: alice, Add: []Recipient{carol.Recipient()}, Remove: []KeyID{bob.KeyID()}, Signer: rewrapper,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range src.reads {
		if r[0] < rw.PayloadOffset+rw.PayloadSize && r[0]+r[1] > rw.PayloadOffset {
			t.Fatalf("rewrap read payload bytes [%d,%d)", r[0], r[0]+r[1])
		}
	}
	var out bytes.Buffer
	if _, err := rw.WriteTo(&out, bytes.NewReader(env)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []Identity{alice, carol} {
		got, from, err := Open(out.Bytes(), id, nil)
		if err != nil || !bytes.Equal(got, pt) || !from.Equal(rewrapper.Public()) {
			t.Fatalf("after rewrap: %v", err)
		}
	}
	if _, _, err := Open(out.Bytes(), bob, nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("removed recipient: got %v, want ErrNotRecipient", err)
	}
	// The streaming form produces the same bytes for a deterministic signer.
	var streamed bytes.Buffer
	err = Rewrap(&streamed, bytes.NewReader(env), RewrapOptions{
		Identity: alice, Add: []Recipient{carol.Recipient()}, Remove: []KeyID{bob.KeyID()}, Signer: sender,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(streamed.Bytes(), carol, &OpenOptions{Senders: []*VerifyingKey{sender.Public()}}); err != nil {
		t.Fatal(err)
	}
}

func TestRewrapRejects(t *testing.T) {
	alice, eve := mustIdentity(t, X25519), mustIdentity(t, X25519)
	sender := mustSigner(t, Ed25519)
	env, err := Seal([]byte("x"), sender, []Recipient{alice.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = RewrapAt(bytes.NewReader(env), int64(len(env)), RewrapOptions{Identity: eve, Add: []Recipient{eve.Recipient()}, Signer: sender})
	if !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("non-recipient rewrap: got %v", err)
	}
	bad := bytes.Clone(env)
	bad[len(bad)-1] ^= 1
	_, err = RewrapAt(bytes.NewReader(bad), int64(len(bad)), RewrapOptions{Identity: alice, Add: []Recipient{eve.Recipient()}, Signer: sender})
	if !errors.Is(err, ErrBadSignature) {
		t.Fatalf("bad signature rewrap: got %v", err)
	}
	anon, err := Seal([]byte("x"), sender, []Recipient{alice.Recipient()}, &SealOptions{Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = RewrapAt(bytes.NewReader(anon), int64(len(anon)), RewrapOptions{Identity: alice, Remove: []KeyID{alice.KeyID()}, Signer: sender})
	if !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("remove from anonymous: got %v", err)
	}
}

func TestRekey(t *testing.T) {
	alice, bob := mustIdentity(t, XWing), mustIdentity(t, XWing)
	sender := mustSigner(t, Ed25519)
	pt := bytes.Repeat([]byte{1, 2, 3}, 100000)
	env, err := Seal(pt, sender, []Recipient{alice.Recipient(), bob.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Rekey(&out, bytes.NewReader(env), RekeyOptions{Identity: alice, Signer: sender, Recipients: []Recipient{alice.Recipient()}}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := Open(out.Bytes(), alice, nil); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("rekeyed: %v", err)
	}
	if _, _, err := Open(out.Bytes(), bob, nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("revoked: got %v", err)
	}
}

// TestRewrapStreamAtChunkBoundaries: the streaming Rewrap copies payloads whose last chunk is full,
// or empty, without changing the signed digest.
func TestRewrapStreamAtChunkBoundaries(t *testing.T) {
	alice, bob := mustIdentity(t, X25519), mustIdentity(t, X25519)
	sender := mustSigner(t, Ed25519)
	for _, n := range []int{0, 1, ChunkSize, 2 * ChunkSize, 2*ChunkSize + 1} {
		pt := bytes.Repeat([]byte{9}, n)
		env, err := Seal(pt, sender, []Recipient{alice.Recipient()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Rewrap(&out, bytes.NewReader(env), RewrapOptions{Identity: alice, Add: []Recipient{bob.Recipient()}, Signer: sender}); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if got, _, err := Open(out.Bytes(), bob, nil); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("n=%d: after streaming rewrap: %v", n, err)
		}
		// Reject twin: one payload byte changed in transit is caught by the digest.
		bad := bytes.Clone(env)
		bad[len(bad)-sender.Public().Scheme().SignatureSize()-digestSize-len(trailerMagic)-1] ^= 1
		if err := Rewrap(io.Discard, bytes.NewReader(bad), RewrapOptions{Identity: alice, Add: []Recipient{bob.Recipient()}, Signer: sender}); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("n=%d: tampered payload rewrapped: %v", n, err)
		}
	}
}

func TestReaderAtChunkBoundaries(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, MLDSA65)
	for _, n := range []int{0, 1, ChunkSize, 3 * ChunkSize, 3*ChunkSize + 1} {
		pt := make([]byte, n)
		for i := range pt {
			pt[i] = byte(i >> 3)
		}
		env, err := Seal(pt, signer, []Recipient{id.Recipient()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ra, err := NewReaderAt(bytes.NewReader(env), int64(len(env)), id, nil)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		got, err := io.ReadAll(io.NewSectionReader(ra, 0, ra.Size()))
		if err != nil || !bytes.Equal(got, pt) || ra.Verify() != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
	}
}
