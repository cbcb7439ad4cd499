package envelope

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

// referenceDigest is the payload digest of FORMAT.md §4 computed the plain way, one chunk after
// another with crypto/sha256, to check the batched, vectorised pipeline against.
func referenceDigest(payload []byte) []byte {
	h := sha256.New()
	h.Write([]byte(digestLabel))
	for len(payload) > 0 {
		n := min(len(payload), chunkCTSize)
		leaf := sha256.Sum256(payload[:n])
		h.Write(leaf[:])
		payload = payload[n:]
	}
	return h.Sum(nil)
}

// pipelineSizes are payload sizes around the batch boundaries (16 chunks) and the chunk boundaries.
var pipelineSizes = []int{
	0, 1, ChunkSize, 15 * ChunkSize, 16*ChunkSize - 1, 16 * ChunkSize, 16*ChunkSize + 1,
	17*ChunkSize + 5, 32 * ChunkSize, 33*ChunkSize + TagSize + 1, 5*16*ChunkSize + 3,
}

// TestPipelineBatches seals and opens at every size of pipelineSizes with 1, 2 and 4 threads, through
// Write and ReadFrom and through Read and WriteTo, and checks the signed digest against the
// reference computation.
func TestPipelineBatches(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, n := range pipelineSizes {
			pt := make([]byte, n)
			for i := range pt {
				pt[i] = byte(i*131 + i>>16)
			}
			for _, how := range []string{"Write", "ReadFrom"} {
				name := fmt.Sprintf("procs=%d/n=%d/%s", procs, n, how)
				var env bytes.Buffer
				w, err := NewWriter(&env, signer, []Recipient{id.Recipient()}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if how == "Write" {
					_, err = w.Write(pt)
				} else {
					_, err = w.ReadFrom(iotest.HalfReader(bytes.NewReader(pt)))
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if err := w.Close(); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				info, err := Inspect(bytes.NewReader(env.Bytes()))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				hl := int(info.Sizes.Header)
				payload := env.Bytes()[hl : hl+int(info.Sizes.Payload)]
				if got := env.Bytes()[hl+len(payload)+4 : hl+len(payload)+4+digestSize]; !bytes.Equal(got, referenceDigest(payload)) {
					t.Fatalf("%s: signed digest differs from the reference", name)
				}
				if !bytes.Equal(payloadDigest(payload), referenceDigest(payload)) {
					t.Fatalf("%s: payloadDigest differs from the reference", name)
				}
				r, err := NewReader(bytes.NewReader(env.Bytes()), id, nil)
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if how == "Write" {
					_, err = r.WriteTo(&got)
				} else {
					_, err = io.Copy(&got, iotest.HalfReader(r))
				}
				if err != nil || !bytes.Equal(got.Bytes(), pt) {
					t.Fatalf("%s: open: %v", name, err)
				}
			}
		}
	}
}

// TestPipelineChunkErrors corrupts one chunk of a multi-batch envelope, cuts it at a chunk boundary
// and appends data after it: the reader returns every earlier chunk, then the typed error that names
// the right chunk, whatever the number of threads.
func TestPipelineChunkErrors(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, MLDSA65)
	const chunks = 40
	pt := make([]byte, chunks*ChunkSize-100)
	for i := range pt {
		pt[i] = byte(i * 3)
	}
	env, err := Seal(pt, signer, []Recipient{id.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(bytes.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	hl := int(info.Sizes.Header)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, bad := range []int{0, 7, 15, 16, 17, 31, 33, chunks - 2, chunks - 1} {
			e := bytes.Clone(env)
			e[hl+bad*chunkCTSize+100] ^= 1
			got, err := readAllChunks(e, id)
			var ce *ChunkError
			if !errors.As(err, &ce) || ce.Index != uint64(bad) || !errors.Is(err, ErrChunkAuth) {
				t.Fatalf("procs=%d chunk %d corrupted: %v", procs, bad, err)
			}
			if want := min(bad, chunks-1) * ChunkSize; len(got) != want || !bytes.Equal(got, pt[:want]) {
				t.Fatalf("procs=%d chunk %d corrupted: %d plaintext bytes before the error, want %d", procs, bad, len(got), want)
			}
		}
		for _, cut := range []int{1, 16, 17, 32} {
			_, err := readAllChunks(env[:hl+cut*chunkCTSize], id)
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("procs=%d cut after chunk %d: %v", procs, cut, err)
			}
		}
		for _, extra := range []int{1, chunkCTSize, 20 * chunkCTSize} {
			_, err := readAllChunks(append(bytes.Clone(env), make([]byte, extra)...), id)
			if !errors.Is(err, ErrTrailingData) {
				t.Fatalf("procs=%d %d bytes appended: %v", procs, extra, err)
			}
		}
	}
}

// readAllChunks reads an envelope with the streaming reader and returns what it gave before the
// error.
func readAllChunks(env []byte, id Identity) ([]byte, error) {
	r, err := NewReader(bytes.NewReader(env), id, nil)
	if err != nil {
		return nil, err
	}
	var got bytes.Buffer
	_, err = io.Copy(&got, r)
	return got.Bytes(), err
}

// TestWriteDoesNotRetain overwrites the caller's slice after each Write: whole chunks are sealed
// straight from it, and must be sealed before Write returns.
func TestWriteDoesNotRetain(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	var want []byte
	var env bytes.Buffer
	w, err := NewWriter(&env, signer, []Recipient{id.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 3*batchChunks*ChunkSize+7) // large enough to be sealed in place (minLend)
	for round := range 5 {
		n := len(p) - round*3*ChunkSize
		for i := range p[:n] {
			p[i] = byte(i*7 + round)
		}
		want = append(want, p[:n]...)
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		clear(p)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := Open(env.Bytes(), id, nil)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("open: %v (equal %v)", err, bytes.Equal(got, want))
	}
}

// TestRewrapAndVerifyBatches: the streaming Rewrap and ReaderAt.Verify hash 16 chunks at a time;
// at every batch boundary the rewrapped envelope opens, Verify accepts it, and a changed chunk
// (first, in the middle, last) makes both fail.
func TestRewrapAndVerifyBatches(t *testing.T) {
	alice, bob := mustIdentity(t, X25519), mustIdentity(t, XWing)
	sender := mustSigner(t, Ed25519)
	for _, n := range pipelineSizes {
		pt := make([]byte, n)
		for i := range pt {
			pt[i] = byte(i * 11)
		}
		env, err := Seal(pt, sender, []Recipient{alice.Recipient()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Rewrap(&out, bytes.NewReader(env), RewrapOptions{Identity: alice, Add: []Recipient{bob.Recipient()}, Signer: sender}); err != nil {
			t.Fatalf("n=%d: rewrap: %v", n, err)
		}
		if got, _, err := Open(out.Bytes(), bob, nil); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("n=%d: open after rewrap: %v", n, err)
		}
		ra, err := NewReaderAt(bytes.NewReader(env), int64(len(env)), alice, nil)
		if err != nil || ra.Verify() != nil {
			t.Fatalf("n=%d: verify: %v", n, err)
		}
		info, _ := Inspect(bytes.NewReader(env))
		hl, chunks := int(info.Sizes.Header), int(info.Sizes.Chunks)
		for _, c := range []int{0, chunks / 2, chunks - 1} {
			bad := bytes.Clone(env)
			bad[hl+c*chunkCTSize+min(5, n)] ^= 1
			if err := Rewrap(io.Discard, bytes.NewReader(bad), RewrapOptions{Identity: alice, Add: []Recipient{bob.Recipient()}, Signer: sender}); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("n=%d chunk %d changed: rewrap: %v", n, c, err)
			}
			if c == chunks-1 {
				continue // NewReaderAt opens the final chunk and refuses it already
			}
			ra, err := NewReaderAt(bytes.NewReader(bad), int64(len(bad)), alice, nil)
			if err != nil {
				t.Fatalf("n=%d chunk %d changed: %v", n, c, err)
			}
			if err := ra.Verify(); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("n=%d chunk %d changed: verify: %v", n, c, err)
			}
		}
	}
}

// TestSealMatchesWriter: Seal (chunks sealed in place on all cores) writes the same bytes as
// NewWriter, Write and Close with the same randomness, and Open (all at once) returns what the
// streaming Reader does, at every batch boundary and thread count.
func TestSealMatchesWriter(t *testing.T) {
	id := mustIdentity(t, XWing)
	signer := mustSigner(t, Ed25519)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, n := range pipelineSizes {
			pt := make([]byte, n)
			for i := range pt {
				pt[i] = byte(i*7 + 3)
			}
			label := fmt.Sprintf("match %d", n)
			one, err := Seal(pt, signer, []Recipient{id.Recipient()}, &SealOptions{rand: detRand(label)})
			if err != nil {
				t.Fatal(err)
			}
			var streamed bytes.Buffer
			w, err := NewWriter(&streamed, signer, []Recipient{id.Recipient()}, &SealOptions{rand: detRand(label)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, iotest.HalfReader(bytes.NewReader(pt))); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(one, streamed.Bytes()) {
				t.Fatalf("procs=%d n=%d: Seal and the Writer differ", procs, n)
			}
			got, from, err := Open(one, id, nil)
			if err != nil || !bytes.Equal(got, pt) || !from.Equal(signer.Public()) {
				t.Fatalf("procs=%d n=%d: Open: %v", procs, n, err)
			}
		}
	}
}

// failingWriter fails after n bytes.
type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, io.ErrShortWrite
	}
	f.n -= len(p)
	return len(p), nil
}

// TestWriteErrorDoesNotRetain: when the destination fails in the middle of a large Write, Write
// still returns only after nothing reads the caller's slice (run with -race).
func TestWriteErrorDoesNotRetain(t *testing.T) {
	id := mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	for _, limit := range []int{5000, 3 * chunkCTSize, 40 * chunkCTSize} {
		w, err := NewWriter(&failingWriter{n: limit}, signer, []Recipient{id.Recipient()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := make([]byte, 8*batchChunks*ChunkSize)
		if _, err := w.Write(p); err == nil {
			t.Fatalf("limit %d: write succeeded", limit)
		}
		clear(p) // a race with a worker still sealing from p would show here under -race
		if err := w.Close(); err == nil {
			t.Fatalf("limit %d: close succeeded", limit)
		}
	}
}
