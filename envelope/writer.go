package envelope

import (
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
// signature; until then the output is not a valid envelope. Chunks are sealed in parallel, in batches
// of up to 16, and written in order; memory use is bounded (at most 5 batches of 1 MiB in flight,
// however large the payload).
type Writer struct {
	dst           io.Writer
	seal          func(b *batch, lo, hi int)
	signer        Signer
	rawHeader     []byte
	cur           *batch   // being filled: its last chunk is the one being written
	fifo          []*batch // sealing or sealed, oldest first
	counter       uint64   // chunks dispatched
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
		// The caller wraps too: on a loaded machine the helpers may start late, and then it does
		// their share.
		var next atomic.Int64
		var wg sync.WaitGroup
		loop := func() {
			for i := int(next.Add(1) - 1); i < len(recipients); i = int(next.Add(1) - 1) {
				wrap(i)
			}
		}
		for w := 1; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				loop()
			}()
		}
		loop()
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
	w := &Writer{
		dst: dst, seal: sealer(aead), signer: signer, rawHeader: raw,
		digest: newDigest(), deterministic: opts != nil && opts.rand != nil,
	}
	w.cur = newBatch()
	return w, nil
}

// newBatch starts a batch with one empty chunk.
func newBatch() *batch {
	b := getBatch()
	addChunk(b)
	return b
}

func addChunk(b *batch) {
	buf := getChunkBuf()
	b.bufs[b.n], b.data[b.n] = buf, buf[:0:chunkCTSize]
	b.n++
}

// fill is the plaintext length of the chunk being filled.
func (w *Writer) fill() int {
	i := w.cur.n - 1
	return len(w.cur.data[i]) + len(w.cur.src[i])
}

// next starts a new chunk once the current one is full and another byte has arrived: the full one
// is not the final chunk (STREAM's final flag is known only at Close).
func (w *Writer) next() error {
	if w.cur.n < batchChunks {
		addChunk(w.cur)
		return nil
	}
	b := w.cur
	w.cur = newBatch()
	return w.launch(b, false)
}

// Write encrypts p. When p is large (at least two batches), its whole chunks are sealed straight
// from p instead of being copied, and Write waits until those are sealed, so p is not retained;
// smaller writes are copied, so that a stream of them keeps every core busy.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	total, lent := len(p), false
	for len(p) > 0 {
		if w.fill() == ChunkSize {
			if err := w.next(); err != nil {
				w.err = err
				if lent {
					w.abandon()
				}
				return total - len(p), err
			}
			continue
		}
		i := w.cur.n - 1
		c := &w.cur.data[i]
		if len(*c) == 0 && len(p) >= minLend {
			w.cur.src[i], p = p[:ChunkSize], p[ChunkSize:]
			w.cur.lent, lent = true, true
			continue
		}
		n := copy((*c)[len(*c):ChunkSize], p)
		*c = (*c)[:len(*c)+n]
		p = p[n:]
	}
	if lent {
		if err := w.giveBack(); err != nil {
			w.err = err
			w.abandon()
			return total, err
		}
	}
	return total, nil
}

// abandon, after an error, waits for the batches still sealing from the caller's slice and drops
// the current batch's references to it: the Writer is unusable, and p must not be retained.
func (w *Writer) abandon() {
	for _, b := range w.fifo {
		if b.lent {
			b.wait()
		}
	}
	if w.cur != nil {
		w.cur.src = [batchChunks][]byte{}
	}
}

// minLend is the smallest remainder of p that Write seals in place: two batches, so that the last
// chunks of p, which might be the final one, are copied and the wait at the end of Write is short
// beside the work before it.
const minLend = 2 * batchChunks * ChunkSize

// giveBack waits until every chunk sealed from the caller's slice is sealed. They are all in
// launched batches (the last minLend bytes of p were copied); the current batch is launched too if
// it holds any, all its chunks but the last (full, none final) as a batch of their own.
func (w *Writer) giveBack() error {
	if w.cur.lent && w.cur.n > 1 {
		b, last := w.cur, w.cur.n-1
		w.cur = getBatch()
		w.cur.bufs[0], w.cur.data[0], w.cur.n = b.bufs[last], b.data[last], 1
		b.bufs[last], b.data[last], b.n = nil, nil, last
		if err := w.launch(b, true); err != nil {
			return err
		}
	}
	for _, b := range w.fifo {
		if b.lent {
			b.wait()
		}
	}
	return nil
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
		c := &w.cur.data[w.cur.n-1]
		n, err := src.Read((*c)[len(*c):cap(*c)]) // cap is ChunkSize+TagSize: room to see past the chunk
		*c = (*c)[:len(*c)+n]
		total += int64(n)
		if len(*c) > ChunkSize {
			var carry [TagSize]byte
			k := copy(carry[:], (*c)[ChunkSize:])
			*c = (*c)[:ChunkSize]
			if derr := w.next(); derr != nil {
				w.err = derr
				return total, derr
			}
			c = &w.cur.data[w.cur.n-1]
			*c = append((*c)[:0], carry[:k]...)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// launch starts sealing b, the next batch in order, and, while too many batches are in flight,
// writes the oldest. alone says that nothing else will overlap with it (see batch.start).
func (w *Writer) launch(b *batch, alone bool) error {
	b.first = w.counter
	w.counter += uint64(b.n)
	b.start(alone || len(w.fifo) == 0, w.seal)
	w.fifo = append(w.fifo, b)
	for len(w.fifo) >= batchesInFlight() || (b.final && len(w.fifo) > 0) {
		if err := w.writeOldest(); err != nil {
			return err
		}
	}
	return nil
}

// writeOldest waits for the oldest batch, writes its chunks and adds them to the digest.
func (w *Writer) writeOldest() error {
	b := w.fifo[0]
	b.wait()
	w.fifo = w.fifo[1:]
	var err error
	for i := range b.n {
		w.digest.add(b.leaves[i])
		w.ctLen += uint64(len(b.data[i]))
		if err == nil {
			_, err = w.dst.Write(b.data[i])
		}
		chunkBufs.Put(b.bufs[i]) // sealed: it holds only ciphertext
	}
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
	b := w.cur
	b.final, w.cur = true, nil
	if err := w.launch(b, true); err != nil {
		w.err = err
		return err
	}
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
