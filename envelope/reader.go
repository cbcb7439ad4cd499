package envelope

import (
	"bytes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
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
type Reader struct {
	src       io.Reader
	h         *header
	rawHeader []byte
	aead      cipher.AEAD
	tl        int    // trailer size
	buf       []byte // unread ciphertext, starting at the current chunk; cap chunkCTSize+tl+1
	pbuf      []byte // plaintext of the current chunk
	plain     []byte // unread part of pbuf
	counter   uint64
	ctLen     uint64
	digest    hash.Hash
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
	return &Reader{
		src: src, h: h, rawHeader: raw, aead: aead, tl: tl,
		buf:    make([]byte, 0, chunkCTSize+tl+1),
		pbuf:   make([]byte, 0, ChunkSize),
		digest: sha256.New(),
	}, nil
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
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			r.err = err
			return 0, err
		}
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

func (r *Reader) open(ct []byte, final bool) ([]byte, error) {
	var nonce [12]byte
	chunkNonce(&nonce, r.counter, final)
	return r.aead.Open(r.pbuf[:0], nonce[:], ct, nil)
}

// next decrypts one chunk into r.plain, with a lookahead of one trailer plus one byte to tell the
// final chunk (STREAM) from the others.
func (r *Reader) next() error {
	eof := false
	for len(r.buf) < cap(r.buf) {
		n, err := r.src.Read(r.buf[len(r.buf):cap(r.buf)])
		r.buf = r.buf[:len(r.buf)+n]
		if err == io.EOF {
			eof = true
			break
		}
		if err != nil {
			return err
		}
	}
	if !eof {
		ct := r.buf[:chunkCTSize]
		pt, err := r.open(ct, false)
		if err != nil {
			return r.diagnose(false)
		}
		r.digest.Write(ct)
		r.ctLen += chunkCTSize
		r.counter++
		r.plain = pt
		r.buf = r.buf[:copy(r.buf, r.buf[chunkCTSize:])]
		return nil
	}
	n := len(r.buf)
	if n < TagSize+r.tl {
		return r.diagnose(true)
	}
	ct, tr := r.buf[:n-r.tl], r.buf[n-r.tl:]
	pt, err := r.open(ct, true)
	if err != nil || [4]byte(tr[:4]) != trailerMagic {
		return r.diagnose(true)
	}
	if len(pt) == 0 && r.counter > 0 {
		return &ChunkError{Index: r.counter, Err: ErrMalformed} // only an empty payload has an empty final chunk
	}
	r.digest.Write(ct)
	r.ctLen += uint64(len(ct))
	if err := r.verify(tr); err != nil {
		return err
	}
	r.plain = pt
	r.done = true
	return nil
}

// verify checks the trailer: stored digest = computed digest, and the signature over the transcript.
func (r *Reader) verify(tr []byte) error {
	digest := r.digest.Sum(nil)
	if subtle.ConstantTimeCompare(digest, tr[4:4+digestSize]) != 1 {
		return fmt.Errorf("%w: payload digest does not match the signed one", ErrBadSignature)
	}
	if !r.h.signer.Verify(transcript(r.rawHeader, digest, r.ctLen), tr[4+digestSize:]) {
		return fmt.Errorf("%w: by %s", ErrBadSignature, r.h.signer)
	}
	return nil
}

// diagnose explains why the chunk at r.buf failed: data appended after a valid end, a stream cut
// before its end, or a chunk that does not authenticate. It runs only on the error path and tries
// at most maxTrailerProbes positions.
func (r *Reader) diagnose(eof bool) error {
	b := r.buf
	limit := min(len(b), chunkCTSize+len(trailerMagic))
	for p, probes := TagSize, 0; p+len(trailerMagic) <= limit && probes < maxTrailerProbes; p, probes = p+1, probes+1 {
		i := bytes.Index(b[p:limit], trailerMagic[:])
		if i < 0 {
			break
		}
		p += i
		if _, err := r.open(b[:p], true); err == nil {
			if !eof || p+r.tl < len(b) {
				return &ChunkError{Index: r.counter, Err: ErrTrailingData}
			}
			return &ChunkError{Index: r.counter, Err: ErrTruncated}
		}
	}
	if eof && len(b) >= chunkCTSize {
		if _, err := r.open(b[:chunkCTSize], false); err == nil {
			return &ChunkError{Index: r.counter + 1, Err: ErrTruncated}
		}
	}
	if eof && len(b) < TagSize+r.tl {
		return &ChunkError{Index: r.counter, Err: ErrTruncated}
	}
	return &ChunkError{Index: r.counter, Err: ErrChunkAuth}
}
