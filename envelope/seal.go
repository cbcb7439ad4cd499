package envelope

import (
	"bytes"
	"crypto/cipher"
	"crypto/subtle"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/virtengine/sdk/envelope/internal/sha256x"
)

// Seal encrypts plaintext for recipients and signs it with signer, returning the whole envelope.
// It writes the same bytes as NewWriter, Write and Close, sealing the chunks straight from
// plaintext into the result on all cores.
func Seal(plaintext []byte, signer Signer, recipients []Recipient, opts *SealOptions) ([]byte, error) {
	fileKey := make([]byte, fileKeySize)
	if _, err := io.ReadFull(opts.random(), fileKey); err != nil { // as NewWriter: the key, then the header
		return nil, err
	}
	h, err := buildHeader(fileKey, signer, recipients, opts)
	if err != nil {
		return nil, err
	}
	aead, err := payloadAEAD(h.aead, fileKey, h.nonce[:])
	if err != nil {
		return nil, err
	}
	raw := h.marshal()
	chunks := max(1, (len(plaintext)+ChunkSize-1)/ChunkSize)
	payloadLen := len(plaintext) + chunks*TagSize
	out := make([]byte, len(raw)+payloadLen, len(raw)+payloadLen+h.trailerSize())
	copy(out, raw)
	leaves := make([][32]byte, chunks)
	sealChunks(aead, out[len(raw):], plaintext, leaves)
	d := newDigest()
	for _, l := range leaves {
		d.add(l)
	}
	tr, err := signTrailer(signer, raw, d.sum(), uint64(payloadLen), opts != nil && opts.rand != nil)
	if err != nil {
		return nil, err
	}
	return append(out, tr...), nil
}

// Open decrypts an envelope with id (one identity or a *Keyring). It verifies the sender's signature
// over the header and every payload byte before returning anything, and returns the signer's key.
//
// It hashes and decrypts the chunks straight from envelope into the result on all cores, checking
// the signature over the stored digest beside them, and returns the plaintext only once the
// signature and the digest of every chunk agree. If anything fails it reads the envelope again
// with the streaming Reader, whose error says what and where.
func Open(envelope []byte, id Identity, opts *OpenOptions) (plaintext []byte, signer *VerifyingKey, err error) {
	if pt, from, ok := openAtOnce(envelope, id, opts); ok {
		return pt, from, nil
	}
	r, err := NewReader(bytes.NewReader(envelope), id, opts)
	if err != nil {
		return nil, nil, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, len(envelope))) // the plaintext is shorter than the envelope
	if _, err := io.Copy(buf, r); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), r.Signer(), nil
}

// openAtOnce is Open's path for a valid envelope; ok is false on any error, and then nothing is
// returned.
func openAtOnce(env []byte, id Identity, opts *OpenOptions) (plaintext []byte, signer *VerifyingKey, ok bool) {
	h, raw, err := parseHeader(bytes.NewReader(env))
	if err != nil {
		return nil, nil, false
	}
	sizes, err := layout(int64(len(raw)), int64(len(env)), int64(h.trailerSize()))
	if err != nil {
		return nil, nil, false
	}
	aead, err := openHeader(h, id, opts)
	if err != nil {
		return nil, nil, false
	}
	payload := env[sizes.Header : sizes.Header+sizes.Payload]
	// The signature over the stored digest is checked beside the chunks; nothing is returned
	// before both are done.
	var stored []byte
	var sigErr error
	sig := startTask(func() {
		stored, sigErr = verifyTrailer(h.signer, raw, env[sizes.Header+sizes.Payload:], uint64(sizes.Payload))
	})
	out := make([]byte, sizes.Plaintext)
	leaves := make([][32]byte, sizes.Chunks)
	opened := openChunks(aead, out, payload, leaves)
	sig.wait()
	if !opened || sigErr != nil {
		clear(out)
		return nil, nil, false
	}
	d := newDigest()
	for _, l := range leaves {
		d.add(l)
	}
	if subtle.ConstantTimeCompare(d.sum(), stored) != 1 {
		clear(out)
		return nil, nil, false
	}
	return out, h.signer, true
}

// sealChunks seals the chunks of src into dst (len(src) plus a tag per chunk), the last one final,
// and sets leaves[i] to SHA-256 of sealed chunk i.
func sealChunks(aead cipher.AEAD, dst, src []byte, leaves [][32]byte) {
	n := len(leaves)
	inParallel(n, func(lo, hi int) {
		var nonce [12]byte
		var sealed [batchChunks][]byte
		for b := lo; b < hi; b += batchChunks {
			e := min(b+batchChunks, hi)
			for i := b; i < e; i++ {
				chunkNonce(&nonce, uint64(i), i == n-1)
				p := src[i*ChunkSize : min((i+1)*ChunkSize, len(src))]
				sealed[i-b] = aead.Seal(dst[i*chunkCTSize:i*chunkCTSize], nonce[:], p, nil)
			}
			sha256x.Sum256(leaves[b:e], sealed[:e-b])
		}
	})
}

// openChunks hashes the sealed chunks of payload into leaves and opens them into dst; it reports
// whether every chunk opened.
func openChunks(aead cipher.AEAD, dst, payload []byte, leaves [][32]byte) bool {
	n := len(leaves)
	var failed atomic.Bool
	inParallel(n, func(lo, hi int) {
		var nonce [12]byte
		var sealed [batchChunks][]byte
		for b := lo; b < hi && !failed.Load(); b += batchChunks {
			e := min(b+batchChunks, hi)
			for i := b; i < e; i++ {
				sealed[i-b] = payload[i*chunkCTSize : min((i+1)*chunkCTSize, len(payload))]
			}
			sha256x.Sum256(leaves[b:e], sealed[:e-b])
			for i := b; i < e; i++ {
				chunkNonce(&nonce, uint64(i), i == n-1)
				if _, err := aead.Open(dst[i*ChunkSize:i*ChunkSize], nonce[:], sealed[i-b], nil); err != nil {
					failed.Store(true)
					return
				}
			}
		}
	})
	return !failed.Load()
}

// inParallel runs work over [0, n) split into one contiguous range per core, ranges claimed one
// at a time by helper goroutines and by the caller, which does whatever the helpers have not
// started (on a loaded machine they may not run for a while).
func inParallel(n int, work func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), n)
	if w <= 1 {
		work(0, n)
		return
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	wg.Add(w)
	help := func() {
		for {
			p := int(next.Add(1) - 1)
			if p >= w {
				return
			}
			work(n*p/w, n*(p+1)/w)
			wg.Done()
		}
	}
	for range w - 1 {
		go help()
	}
	help()
	wg.Wait()
}
