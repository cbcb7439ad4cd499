package envelope

import (
	"bytes"
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// OpenOptions change how an envelope is opened; nil accepts any signer whose signature verifies.
type OpenOptions struct {
	// Senders, when not empty, are the only signers accepted. An envelope from anyone else is
	// refused with a *SignerError (ErrWrongSigner) before any payload byte is decrypted.
	Senders []*VerifyingKey
}

func (o *OpenOptions) check(signer *VerifyingKey) error {
	if o == nil || len(o.Senders) == 0 {
		return nil
	}
	for _, s := range o.Senders {
		if s.Equal(signer) {
			return nil
		}
	}
	return &SignerError{Signer: signer, Err: ErrWrongSigner}
}

// Reader decrypts an envelope as it is read.
//
// Every byte Read returns has been authenticated as part of the envelope under its file key. The
// sender's signature covers the whole payload, so it can only be checked at the end: Read returns
// the last chunk only after the signature verifies, and a bad signature is reported no later than
// the Read that would return io.EOF. A caller that must not act on unsigned data should buffer
// until io.EOF, or use Open.
//
// Chunks are read ahead and opened in parallel (at most 8 in flight); memory use is bounded.
type Reader struct {
	src       io.Reader
	h         *header
	rawHeader []byte
	aead      cipher.AEAD
	tl        int    // trailer size
	buf       []byte // unread ciphertext, starting at the next chunk; cap chunkCTSize+tl+1; filling.raw
	filling   *job   // the job whose raw buffer is buf
	eof       bool   // src is exhausted: buf holds the final chunk and the trailer
	fifo      []*job // chunks being opened, oldest first
	free      []*job
	cur       *job   // the job whose plaintext is being returned
	plain     []byte // unread plaintext of cur
	counter   uint64 // chunks dispatched
	ctLen     uint64
	digest    *digest
	err       error
	done      bool
}

// NewReader reads the header from src, checks the signer against opts, unwraps the file key with
// id (a single identity or a *Keyring) and returns a Reader for the payload.
func NewReader(src io.Reader, id Identity, opts *OpenOptions) (*Reader, error) {
	h, raw, err := parseHeader(src)
	if err != nil {
		return nil, err
	}
	aead, err := openHeader(h, id, opts)
	if err != nil {
		return nil, err
	}
	tl := h.trailerSize()
	r := &Reader{src: src, h: h, rawHeader: raw, aead: aead, tl: tl, digest: newDigest()}
	r.filling = r.getJob()
	r.buf = r.filling.raw[:0]
	return r, nil
}

// openHeader checks the signer and unwraps the payload AEAD.
func openHeader(h *header, id Identity, opts *OpenOptions) (cipher.AEAD, error) {
	if err := opts.check(h.signer); err != nil {
		return nil, err
	}
	fileKey, err := unwrap(h, id)
	if err != nil {
		return nil, err
	}
	return payloadAEAD(h.aead, fileKey, h.nonce[:])
}

func unwrap(h *header, id Identity) ([]byte, error) {
	if id == nil {
		return nil, fmt.Errorf("%w: no identity given", ErrNotRecipient)
	}
	fileKey, err := id.Unwrap(h.stanzas)
	if errors.Is(err, ErrIncorrectIdentity) {
		return nil, fmt.Errorf("%w: none of %d stanzas opens with the given identities", ErrNotRecipient, len(h.stanzas))
	}
	if err != nil {
		return nil, err
	}
	if len(fileKey) != fileKeySize {
		return nil, fmt.Errorf("%w: unwrapped file key of %d bytes", ErrNotRecipient, len(fileKey))
	}
	return fileKey, nil
}

// Signer is the key named in the header. It is proven only once Read has returned io.EOF.
func (r *Reader) Signer() *VerifyingKey { return r.h.signer }

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(r.plain) == 0 {
		if err := r.advance(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// WriteTo implements io.WriterTo, so io.Copy skips a copy.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(r.plain) > 0 {
			n, err := w.Write(r.plain)
			total += int64(n)
			r.plain = r.plain[n:]
			if err != nil {
				return total, err
			}
		}
		if err := r.advance(); err == io.EOF {
			return total, nil
		} else if err != nil {
			return total, err
		}
	}
}

// advance makes the next chunk's plaintext current, or returns the sticky error or io.EOF.
func (r *Reader) advance() error {
	if r.err != nil {
		return r.err
	}
	if r.done {
		if r.cur != nil {
			r.release()
		}
		return io.EOF
	}
	if err := r.next(); err != nil {
		r.err = err
		r.plain = nil
		return err
	}
	return nil
}

// fill reads until buf is full (a chunk, a trailer and one byte: then its first chunk is not the
// last) or src ends.
func (r *Reader) fill() error {
	for !r.eof && len(r.buf) < cap(r.buf) {
		n, err := r.src.Read(r.buf[len(r.buf):cap(r.buf)])
		r.buf = r.buf[:len(r.buf)+n]
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (r *Reader) getJob() *job {
	if len(r.free) > 0 {
		j := r.free[len(r.free)-1]
		r.free = r.free[:len(r.free)-1]
		return j
	}
	return getOpenJob(r.tl)
}

// release returns the buffers to the pool once the plaintext has been consumed.
func (r *Reader) release() {
	for _, j := range r.free {
		putOpenJob(j)
	}
	if r.cur != nil {
		putOpenJob(r.cur)
	}
	r.free, r.cur, r.filling, r.buf, r.plain = nil, nil, nil, nil, nil
}

// next makes the next chunk current: it keeps up to inFlight() non-final chunks opening in
// parallel and opens the final chunk itself, once every earlier chunk is consumed.
func (r *Reader) next() error {
	if r.cur != nil {
		r.free = append(r.free, r.cur)
		r.cur = nil
	}
	for len(r.fifo) < inFlight() {
		if err := r.fill(); err != nil {
			return err
		}
		if r.eof {
			break
		}
		// A full buffer: its first chunk is not the final one. The chunk is opened where it was
		// read; only the lookahead after it moves to the next buffer.
		j, next := r.filling, r.getJob()
		next.raw = next.raw[:copy(next.raw[:cap(next.raw)], r.buf[chunkCTSize:])]
		j.raw, j.ct = r.buf, r.buf[:chunkCTSize]
		j.counter, j.final = r.counter, false
		r.counter++
		r.filling, r.buf = next, next.raw
		j.done.Add(1)
		go func() { defer j.done.Done(); j.open(r.aead, j.buf) }()
		r.fifo = append(r.fifo, j)
	}
	if len(r.fifo) > 0 {
		j := r.fifo[0]
		j.done.Wait()
		r.fifo = r.fifo[1:]
		r.cur = j
		if j.err != nil {
			return r.diagnose(j.raw[:chunkCTSize+len(trailerMagic)], false, j.counter)
		}
		r.digest.add(j.leaf)
		r.ctLen += chunkCTSize
		r.plain = j.out
		return nil
	}
	return r.final()
}

// final opens the last chunk (all of buf but the trailer) and verifies the trailer.
func (r *Reader) final() error {
	n := len(r.buf)
	if n < TagSize+r.tl {
		return r.diagnose(r.buf, true, r.counter)
	}
	j := r.filling
	r.cur = j
	j.ct, j.counter, j.final = r.buf[:n-r.tl], r.counter, true
	tr := r.buf[n-r.tl:]
	j.open(r.aead, j.buf)
	if j.err != nil || [4]byte(tr[:4]) != trailerMagic {
		return r.diagnose(r.buf, true, r.counter)
	}
	if len(j.out) == 0 && r.counter > 0 {
		return &ChunkError{Index: r.counter, Err: ErrMalformed} // only an empty payload has an empty final chunk
	}
	r.digest.add(j.leaf)
	r.ctLen += uint64(len(j.ct))
	if err := r.verify(tr); err != nil {
		return err
	}
	r.plain = j.out
	r.done = true
	return nil
}

// verify checks the trailer: stored digest = computed digest, and the signature over the transcript.
func (r *Reader) verify(tr []byte) error {
	stored, err := verifyTrailer(r.h.signer, r.rawHeader, tr, r.ctLen)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(r.digest.sum(), stored) != 1 {
		return fmt.Errorf("%w: payload digest does not match the signed one", ErrBadSignature)
	}
	return nil
}

// diagnose explains why the chunk at r.buf failed: data appended after a valid end, a stream cut
// before its end, or a chunk that does not authenticate. It runs only on the error path and tries
// at most maxTrailerProbes positions.
func (r *Reader) diagnose(b []byte, eof bool, counter uint64) error {
	open := func(ct []byte, final bool) error {
		var nonce [12]byte
		chunkNonce(&nonce, counter, final)
		_, err := r.aead.Open(nil, nonce[:], ct, nil)
		return err
	}
	limit := min(len(b), chunkCTSize+len(trailerMagic))
	for p, probes := TagSize, 0; p+len(trailerMagic) <= limit && probes < maxTrailerProbes; p, probes = p+1, probes+1 {
		i := bytes.Index(b[p:limit], trailerMagic[:])
		if i < 0 {
			break
		}
		p += i
		if open(b[:p], true) == nil {
			if !eof || p+r.tl < len(b) {
				return &ChunkError{Index: counter, Err: ErrTrailingData}
			}
			return &ChunkError{Index: counter, Err: ErrTruncated}
		}
	}
	if eof && len(b) >= chunkCTSize {
		if open(b[:chunkCTSize], false) == nil {
			return &ChunkError{Index: counter + 1, Err: ErrTruncated}
		}
	}
	if eof && len(b) < TagSize+r.tl {
		return &ChunkError{Index: counter, Err: ErrTruncated}
	}
	return &ChunkError{Index: counter, Err: ErrChunkAuth}
}
