package envelope

import (
	"bytes"
	"crypto/cipher"
	"crypto/sha256"
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
// Chunks are read ahead and opened in parallel, in batches of up to 16; memory use is bounded (at
// most 5 batches of about 1 MiB, however large the payload).
type Reader struct {
	src       io.Reader
	h         *header
	rawHeader []byte
	open      func(b *batch, lo, hi int)
	aead      cipher.AEAD
	tl        int         // trailer size
	buf       []byte      // unread ciphertext, starting at the next chunk; cap chunkCTSize+tl+1
	filling   *chunkBuf   // the buffer buf is in
	eof       bool        // src is exhausted: buf holds the final chunk and the trailer
	fifo      []*batch    // batches being opened, oldest first
	free      []*chunkBuf // this reader's spare buffers; they may hold plaintext until release
	cur       *chunkBuf   // the buffer whose plaintext is being returned
	plain     []byte      // unread plaintext of cur
	counter   uint64      // chunks dispatched
	last      *lastChunk  // started when src ends
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
	r := &Reader{src: src, h: h, rawHeader: raw, aead: aead, open: opener(aead), tl: tl, digest: newDigest()}
	r.filling = r.getBuf()
	r.buf = r.filling[: 0 : chunkCTSize+tl+1]
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

func (r *Reader) getBuf() *chunkBuf {
	if len(r.free) > 0 {
		b := r.free[len(r.free)-1]
		r.free = r.free[:len(r.free)-1]
		return b
	}
	return getChunkBuf()
}

// release returns the buffers to the pool once the plaintext has been consumed, clearing the
// plaintext they may hold.
func (r *Reader) release() {
	if r.cur != nil {
		r.free = append(r.free, r.cur)
	}
	if r.filling != nil {
		r.free = append(r.free, r.filling)
	}
	for _, b := range r.free {
		clear(b[:ChunkSize])
		chunkBufs.Put(b)
	}
	r.free, r.cur, r.filling, r.buf, r.plain = nil, nil, nil, nil, nil
}

// next makes the next chunk current. It reads ahead batches of non-final chunks and keeps up to
// batchesInFlight() of them opening in parallel, and opens the final chunk itself once every
// earlier chunk is consumed.
func (r *Reader) next() error {
	if r.cur != nil {
		r.free = append(r.free, r.cur)
		r.cur = nil
	}
	for !r.eof && len(r.fifo) < batchesInFlight() {
		b := getBatch()
		for b.n < batchChunks {
			if err := r.fill(); err != nil {
				return err
			}
			if r.eof {
				break
			}
			// A full buffer: its first chunk is not the final one. The chunk is opened where it
			// was read; only the lookahead after it moves to the next buffer.
			next := r.getBuf()
			nb := next[: copy(next[:], r.buf[chunkCTSize:]) : chunkCTSize+r.tl+1]
			b.bufs[b.n], b.raw[b.n], b.data[b.n] = r.filling, r.buf, r.buf[:chunkCTSize]
			b.n++
			r.filling, r.buf = next, nb
		}
		if b.n == 0 {
			break
		}
		b.first = r.counter
		r.counter += uint64(b.n)
		b.start(r.eof || len(r.fifo) == 0, r.open)
		r.fifo = append(r.fifo, b)
	}
	if r.eof && r.last == nil {
		r.startLast()
	}
	if len(r.fifo) > 0 {
		b := r.fifo[0]
		if b.pos == 0 {
			b.wait()
		}
		i := b.pos
		if !b.ok[i] {
			return r.diagnose(b.raw[i][:chunkCTSize+len(trailerMagic)], false, b.first+uint64(i))
		}
		b.pos++
		r.digest.add(b.leaves[i])
		r.ctLen += chunkCTSize
		r.plain, r.cur, b.bufs[i] = b.data[i], b.bufs[i], nil
		if b.pos == b.n {
			r.fifo = r.fifo[1:]
		}
		return nil
	}
	return r.final()
}

// lastChunk is the work on the final chunk and the trailer, started as soon as src ends so that it
// runs beside the last batch: open the final chunk, hash it, check the signature over the stored
// digest. final reports its outcome only after every earlier chunk, in the order the checks
// would have run one after the other.
type lastChunk struct {
	*task
	bad    bool // the final chunk does not open or the trailer magic is wrong: diagnose
	buf    *chunkBuf
	plain  []byte
	leaf   [32]byte
	ctLen  uint64 // the final chunk's sealed size
	stored []byte // the signed digest, if the signature verified
	sigErr error
}

// startLast begins the work on the final chunk and the trailer, all of buf once src has ended.
func (r *Reader) startLast() {
	l := &lastChunk{}
	r.last = l
	n := len(r.buf)
	if n < TagSize+r.tl {
		l.bad = true
		l.task = doneTask()
		return
	}
	ct, tr := r.buf[:n-r.tl], r.buf[n-r.tl:]
	counter, aead := r.counter, r.aead
	l.ctLen = uint64(len(ct))
	payloadLen := counter*chunkCTSize + l.ctLen
	l.task = startTask(func() {
		var nonce [12]byte
		chunkNonce(&nonce, counter, true)
		l.buf = getChunkBuf()
		pt, err := aead.Open(l.buf[:0:ChunkSize], nonce[:], ct, nil)
		if err != nil || [4]byte(tr[:4]) != trailerMagic {
			l.bad = true
			return
		}
		l.plain, l.leaf = pt, sha256.Sum256(ct)
		l.stored, l.sigErr = verifyTrailer(r.h.signer, r.rawHeader, tr, payloadLen)
	})
}

// final returns the last chunk once its checks and the signature have passed.
func (r *Reader) final() error {
	l := r.last
	l.wait()
	r.cur = l.buf // released with the others
	if l.bad {
		return r.diagnose(r.buf, true, r.counter)
	}
	if len(l.plain) == 0 && r.counter > 0 {
		return &ChunkError{Index: r.counter, Err: ErrMalformed} // only an empty payload has an empty final chunk
	}
	r.digest.add(l.leaf)
	r.ctLen += l.ctLen
	if l.sigErr != nil {
		return l.sigErr
	}
	if subtle.ConstantTimeCompare(r.digest.sum(), l.stored) != 1 {
		return fmt.Errorf("%w: payload digest does not match the signed one", ErrBadSignature)
	}
	r.plain = l.plain
	r.done = true
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
