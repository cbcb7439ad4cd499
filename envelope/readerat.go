package envelope

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"io"
	"sync"
)

// ReaderAt gives random access to the plaintext of a stored envelope: a read decrypts only the
// chunks it covers (at most two for any read up to 64 KiB).
//
// NewReaderAt checks that the sender signed this header together with the payload digest stored in
// the trailer, and that the final chunk authenticates (so the envelope is not truncated). Each chunk
// read is authenticated by the AEAD under the file key; that a chunk is the one the sender hashed is
// proven only by reading all of them, which Verify does. Use Verify (or NewReader) when another
// recipient of the same envelope could be the adversary.
type ReaderAt struct {
	src   io.ReaderAt
	h     *header
	aead  cipher.AEAD
	sizes Sizes
	// digest is the payload digest stored in the trailer, covered by the verified signature.
	digest []byte

	mu     sync.Mutex // guards the one-chunk cache below
	cached int64
	plain  []byte
	ct     []byte
}

// NewReaderAt opens the envelope of size bytes in src with id.
func NewReaderAt(src io.ReaderAt, size int64, id Identity, opts *OpenOptions) (*ReaderAt, error) {
	h, raw, sizes, tr, err := readEnds(src, size)
	if err != nil {
		return nil, err
	}
	aead, err := openHeader(h, id, opts)
	if err != nil {
		return nil, err
	}
	digest, err := verifyTrailer(h.signer, raw, tr, uint64(sizes.Payload))
	if err != nil {
		return nil, err
	}
	ra := &ReaderAt{src: src, h: h, aead: aead, sizes: sizes, digest: digest, cached: -1,
		plain: make([]byte, 0, ChunkSize), ct: make([]byte, chunkCTSize)}
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if err := ra.load(sizes.Chunks - 1); err != nil {
		return nil, err
	}
	if len(ra.plain) == 0 && sizes.Chunks > 1 {
		return nil, &ChunkError{Index: uint64(sizes.Chunks - 1), Err: ErrMalformed}
	}
	return ra, nil
}

// readEnds reads what an envelope of size bytes in src has around its payload: the header and the
// trailer, never a payload byte.
func readEnds(src io.ReaderAt, size int64) (h *header, raw []byte, sizes Sizes, tr []byte, err error) {
	if h, raw, err = parseHeader(io.NewSectionReader(src, 0, size)); err != nil {
		return
	}
	if sizes, err = layout(int64(len(raw)), size, int64(h.trailerSize())); err != nil {
		return
	}
	tr = make([]byte, sizes.Trailer)
	_, err = src.ReadAt(tr, size-sizes.Trailer)
	return
}

// Size is the plaintext size.
func (ra *ReaderAt) Size() int64 { return ra.sizes.Plaintext }

// Signer is the sender whose signature over the header and payload digest verified.
func (ra *ReaderAt) Signer() *VerifyingKey { return ra.h.signer }

// load decrypts chunk i into the cache. The caller holds ra.mu.
func (ra *ReaderAt) load(i int64) error {
	if ra.cached == i {
		return nil
	}
	off := ra.sizes.Header + i*chunkCTSize
	n := min(int64(chunkCTSize), ra.sizes.Header+ra.sizes.Payload-off)
	ct := ra.ct[:n]
	if _, err := ra.src.ReadAt(ct, off); err != nil {
		return err
	}
	var nonce [12]byte
	chunkNonce(&nonce, uint64(i), i == ra.sizes.Chunks-1)
	pt, err := ra.aead.Open(ra.plain[:0], nonce[:], ct, nil)
	if err != nil {
		ra.cached = -1
		return &ChunkError{Index: uint64(i), Err: ErrChunkAuth}
	}
	ra.plain, ra.cached = pt, i
	return nil
}

// ReadAt implements io.ReaderAt over the plaintext. It is safe for concurrent use.
func (ra *ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("envelope: negative offset %d", off)
	}
	ra.mu.Lock()
	defer ra.mu.Unlock()
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= ra.sizes.Plaintext {
			return n, io.EOF
		}
		i := pos / ChunkSize
		if err := ra.load(i); err != nil {
			return n, err
		}
		n += copy(p[n:], ra.plain[pos-i*ChunkSize:])
	}
	return n, nil
}

// Verify reads the whole payload ciphertext and checks it against the signed digest: after it
// returns nil every chunk ReadAt returns is the sender's. It decrypts nothing; it reads 16 chunks
// (1 MiB) at a time and hashes them together.
func (ra *ReaderAt) Verify() error {
	d := newDigest()
	buf := make([]byte, min(batchChunks*chunkCTSize, ra.sizes.Payload))
	for off := int64(0); off < ra.sizes.Payload; {
		n := min(int64(len(buf)), ra.sizes.Payload-off) // whole chunks but at the end
		if _, err := ra.src.ReadAt(buf[:n], ra.sizes.Header+off); err != nil {
			return err
		}
		d.addChunks(buf[:n])
		off += n
	}
	if subtle.ConstantTimeCompare(d.sum(), ra.digest) != 1 {
		return fmt.Errorf("%w: payload digest does not match the signed one", ErrBadSignature)
	}
	return nil
}
