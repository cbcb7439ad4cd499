package envelope

import (
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// SealOptions change how an envelope is sealed; the zero value (or nil) is right for most uses.
type SealOptions struct {
	// AEAD is the payload cipher; 0 means AES256GCM.
	AEAD AEAD
	// Anonymous leaves recipient KeyIDs out of the header, so an observer cannot tell who can read
	// it; readers then try their identities on every stanza (FEATURES.md §1.6).
	Anonymous bool

	rand io.Reader // vector generator only: the source of the nonce, file key and KEM randomness
}

func (o *SealOptions) aead() AEAD {
	if o == nil || o.AEAD == 0 {
		return AES256GCM
	}
	return o.AEAD
}

func (o *SealOptions) random() io.Reader {
	if o == nil || o.rand == nil {
		return rand.Reader
	}
	return o.rand
}

// Writer encrypts a payload as it is written. Close must be called to write the final chunk and the
// signature; until then the output is not a valid envelope. Chunks are sealed in parallel and
// written in order; memory use is bounded (at most 8 chunks of 64 KiB in flight).
type Writer struct {
	dst           io.Writer
	aead          cipher.AEAD
	signer        Signer
	rawHeader     []byte
	cur           *job   // chunk being filled
	fifo          []*job // sealed or sealing, oldest first
	free          []*job
	counter       uint64
	ctLen         uint64
	digest        *digest
	err           error
	closed        bool
	deterministic bool
}

// NewWriter writes the header to dst and returns a Writer for the payload. The envelope is signed by
// signer and readable by each of recipients (1 to MaxRecipients).
func NewWriter(dst io.Writer, signer Signer, recipients []Recipient, opts *SealOptions) (*Writer, error) {
	fileKey := make([]byte, fileKeySize)
	rnd := opts.random()
	if _, err := io.ReadFull(rnd, fileKey); err != nil {
		return nil, err
	}
	h, err := buildHeader(fileKey, signer, recipients, opts)
	if err != nil {
		return nil, err
	}
	return newWriterWithKey(dst, signer, h, fileKey, opts)
}

// buildHeader wraps fileKey for every recipient and draws the nonce.
func buildHeader(fileKey []byte, signer Signer, recipients []Recipient, opts *SealOptions) (*header, error) {
	if signer == nil || signer.Public() == nil {
		return nil, fmt.Errorf("%w: every envelope is signed by its sender", ErrNoSigner)
	}
	if _, ok := signer.Public().scheme.params(); !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, signer.Public().scheme)
	}
	if len(recipients) == 0 {
		return nil, ErrNoRecipients
	}
	a := opts.aead()
	if !a.known() {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, a)
	}
	h := &header{aead: a, signer: signer.Public(), named: opts == nil || !opts.Anonymous}
	if _, err := io.ReadFull(opts.random(), h.nonce[:]); err != nil {
		return nil, err
	}
	stanzas, err := wrapAll(fileKey, recipients, opts)
	if err != nil {
		return nil, err
	}
	return h, h.setStanzas(stanzas)
}

// wrapAll wraps the file key for each recipient, in order. Wraps run in parallel (one KEM
// encapsulation each, FEATURES.md §1.2); with the vector generator's deterministic randomness they
// run in sequence, so the random stream is consumed in order.
func wrapAll(fileKey []byte, recipients []Recipient, opts *SealOptions) ([]*Stanza, error) {
	if len(recipients) > MaxRecipients {
		return nil, fmt.Errorf("%w: %d recipients, at most %d", ErrTooManyRecipients, len(recipients), MaxRecipients)
	}
	results := make([][]*Stanza, len(recipients))
	errs := make([]error, len(recipients))
	wrap := func(i int) {
		r := recipients[i]
		if r == nil {
			return
		}
		if rw, ok := r.(randWrapper); ok && opts != nil && opts.rand != nil {
			results[i], errs[i] = rw.wrapWithRand(fileKey, opts.rand)
		} else {
			results[i], errs[i] = r.Wrap(fileKey)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(recipients))
	if opts != nil && opts.rand != nil || workers < 2 || len(recipients) < 4 {
		for i := range recipients {
			wrap(i)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < len(recipients); i = int(next.Add(1) - 1) {
					wrap(i)
				}
			}()
		}
		wg.Wait()
	}
	var out []*Stanza
	for i := range recipients {
		if recipients[i] == nil {
			return nil, fmt.Errorf("%w: recipient %d is nil", ErrInvalidKey, i)
		}
		if errs[i] != nil {
			return nil, fmt.Errorf("envelope: wrapping for recipient %d: %w", i, errs[i])
		}
		if len(results[i]) == 0 {
			return nil, fmt.Errorf("envelope: recipient %d returned no stanza", i)
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

// setStanzas installs stanzas, checking the limits, and drops KeyIDs in anonymous mode. A header is
// named only if every stanza carries a KeyID.
func (h *header) setStanzas(stanzas []*Stanza) error {
	if len(stanzas) == 0 {
		return ErrNoRecipients
	}
	if len(stanzas) > MaxRecipients {
		return fmt.Errorf("%w: %d stanzas, at most %d", ErrTooManyRecipients, len(stanzas), MaxRecipients)
	}
	for _, s := range stanzas {
		if len(s.Body) == 0 || len(s.Body) > MaxStanzaBody {
			return fmt.Errorf("envelope: stanza body of %d bytes, want 1 to %d", len(s.Body), MaxStanzaBody)
		}
		if len(s.KeyID) != KeyIDSize {
			h.named = false
		}
	}
	out := make([]*Stanza, len(stanzas))
	for i, s := range stanzas {
		c := *s
		if !h.named {
			c.KeyID = nil
		}
		out[i] = &c
	}
	h.stanzas = out
	return nil
}

func newWriterWithKey(dst io.Writer, signer Signer, h *header, fileKey []byte, opts *SealOptions) (*Writer, error) {
	aead, err := payloadAEAD(h.aead, fileKey, h.nonce[:])
	if err != nil {
		return nil, err
	}
	raw := h.marshal()
	if _, err := dst.Write(raw); err != nil {
		return nil, err
	}
	return &Writer{
		dst: dst, aead: aead, signer: signer, rawHeader: raw, cur: getSealJob(),
		digest: newDigest(), deterministic: opts != nil && opts.rand != nil,
	}, nil
}

// Write encrypts p. A chunk is sealed only when the next byte arrives, so that the last chunk can be
// full (STREAM's final flag is known only at Close).
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	total := len(p)
	for len(p) > 0 {
		if len(w.cur.buf) == ChunkSize {
			if err := w.dispatch(false); err != nil {
				w.err = err
				return total - len(p), err
			}
		}
		b := w.cur.buf
		n := copy(b[len(b):ChunkSize], p)
		w.cur.buf = b[:len(b)+n]
		p = p[n:]
	}
	return total, nil
}

// ReadFrom implements io.ReaderFrom: io.Copy reads straight into chunk buffers, saving a copy. A
// chunk is sealed once a byte beyond it has been read (at most TagSize bytes move to the next one).
func (w *Writer) ReadFrom(src io.Reader) (int64, error) {
	if w.closed {
		return 0, ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	var total int64
	for {
		b := w.cur.buf
		n, err := src.Read(b[len(b):cap(b)]) // cap is ChunkSize+TagSize: room to see past the chunk
		w.cur.buf = b[:len(b)+n]
		total += int64(n)
		if len(w.cur.buf) > ChunkSize {
			var carry [TagSize]byte
			k := copy(carry[:], w.cur.buf[ChunkSize:])
			w.cur.buf = w.cur.buf[:ChunkSize]
			if derr := w.dispatch(false); derr != nil {
				w.err = derr
				return total, derr
			}
			w.cur.buf = append(w.cur.buf[:0], carry[:k]...)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// dispatch starts sealing the current chunk and, when too many are in flight, writes the oldest.
func (w *Writer) dispatch(final bool) error {
	j := w.cur
	j.counter, j.final = w.counter, final
	w.counter++
	j.done.Add(1)
	go func() { defer j.done.Done(); j.seal(w.aead) }()
	w.fifo = append(w.fifo, j)
	switch {
	case final:
		w.cur = nil
	case len(w.free) > 0:
		w.cur, w.free = w.free[len(w.free)-1], w.free[:len(w.free)-1]
		w.cur.buf = w.cur.buf[:0]
	default:
		w.cur = getSealJob()
	}
	for len(w.fifo) >= inFlight() || (final && len(w.fifo) > 0) {
		if err := w.writeOldest(); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) writeOldest() error {
	j := w.fifo[0]
	j.done.Wait()
	w.fifo = w.fifo[1:]
	w.digest.add(j.leaf)
	w.ctLen += uint64(len(j.out))
	w.free = append(w.free, j)
	_, err := w.dst.Write(j.out)
	return err
}

// Close seals the final chunk and writes the trailer: magic, payload digest and signature
// (FORMAT.md §4). It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if err := w.dispatch(true); err != nil {
		w.err = err
		return err
	}
	for _, j := range w.free { // every chunk is written: the buffers hold only ciphertext
		sealJobs.Put(j)
	}
	w.free = nil
	tr, err := signTrailer(w.signer, w.rawHeader, w.digest.sum(), w.ctLen, w.deterministic)
	if err != nil {
		w.err = err
		return err
	}
	_, w.err = w.dst.Write(tr)
	return w.err
}

// signTranscript signs and checks the signature's length against the header's scheme, so a faulty
// external Signer cannot produce an unparsable envelope.
func signTranscript(s Signer, t []byte, deterministic bool) ([]byte, error) {
	var sig []byte
	var err error
	if k, ok := s.(*SigningKey); ok && deterministic {
		d := *k
		d.deterministic = true
		sig, err = d.Sign(t)
	} else {
		sig, err = s.Sign(t)
	}
	if err != nil {
		return nil, fmt.Errorf("envelope: signing: %w", err)
	}
	if len(sig) != s.Public().scheme.SignatureSize() {
		return nil, fmt.Errorf("envelope: signer returned %d bytes, want %d for %v", len(sig), s.Public().scheme.SignatureSize(), s.Public().scheme)
	}
	return sig, nil
}
