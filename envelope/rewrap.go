package envelope

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"io"
)

// RewrapOptions say who may read an envelope after Rewrap.
type RewrapOptions struct {
	// Identity unwraps the file key: the caller must be a current recipient.
	Identity Identity
	// Add are new recipients. Remove are KeyIDs of recipients to drop (a named envelope only).
	Add    []Recipient
	Remove []KeyID
	// Signer signs the new header; the rewrapped envelope names it as sender. Required.
	Signer Signer
	// Senders, when not empty, are the only original signers accepted (as in OpenOptions).
	Senders []*VerifyingKey
}

// Rewrapped is a new header and trailer around an unchanged payload: the envelope is
// Header ‖ src[PayloadOffset : PayloadOffset+PayloadSize] ‖ Trailer.
type Rewrapped struct {
	Header        []byte
	Trailer       []byte
	PayloadOffset int64
	PayloadSize   int64
}

// RewrapAt adds and removes recipients of the envelope of size bytes in src by rewriting only its
// header and trailer: it reads the header and the trailer, never a payload byte (FEATURES.md §1.5).
// It checks the original signature over the header and the signed payload digest before re-signing.
//
// Removing a recipient stops it from opening the new envelope, but it may have kept the file key:
// to revoke for real, Rekey.
func RewrapAt(src io.ReaderAt, size int64, opts RewrapOptions) (*Rewrapped, error) {
	h, raw, sizes, tr, err := readEnds(src, size)
	if err != nil {
		return nil, err
	}
	nh, err := rewrapHeader(h, opts)
	if err != nil {
		return nil, err
	}
	trailer, err := resign(h, raw, nh, tr, uint64(sizes.Payload), opts.Signer)
	if err != nil {
		return nil, err
	}
	return &Rewrapped{Header: nh.marshal(), Trailer: trailer, PayloadOffset: sizes.Header, PayloadSize: sizes.Payload}, nil
}

// WriteTo writes the rewrapped envelope to dst, copying the payload from src unchanged (with
// copy_file_range or sendfile when both are files).
func (r *Rewrapped) WriteTo(dst io.Writer, src io.ReaderAt) (int64, error) {
	n, err := dst.Write(r.Header)
	total := int64(n)
	if err != nil {
		return total, err
	}
	m, err := io.Copy(dst, io.NewSectionReader(src, r.PayloadOffset, r.PayloadSize))
	total += m
	if err != nil {
		return total, err
	}
	n, err = dst.Write(r.Trailer)
	return total + int64(n), err
}

// Rewrap is RewrapAt for a stream: it copies the payload from src to dst without decrypting it,
// hashing it to check the signed digest. On error dst holds a partial envelope: discard it.
func Rewrap(dst io.Writer, src io.Reader, opts RewrapOptions) error {
	h, raw, err := parseHeader(src)
	if err != nil {
		return err
	}
	nh, err := rewrapHeader(h, opts)
	if err != nil {
		return err
	}
	if _, err := dst.Write(nh.marshal()); err != nil {
		return err
	}
	// Copy everything but the last trailerSize bytes, which are the old trailer, 16 sealed chunks
	// (1 MiB) at a time, hashed together.
	tl := h.trailerSize()
	digest := newDigest()
	buf := make([]byte, 0, batchChunks*chunkCTSize+tl)
	var payload uint64
	for {
		n, err := io.ReadFull(src, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
		out := buf[:len(buf)-tl] // exactly batchChunks sealed chunks
		digest.addChunks(out)
		if _, err := dst.Write(out); err != nil {
			return err
		}
		payload += uint64(len(out))
		buf = buf[:copy(buf, buf[len(out):])]
	}
	if len(buf) < tl || payload+uint64(len(buf)-tl) < TagSize {
		return &FormatError{Field: "trailer", Reason: "input ends before the trailer", Err: ErrTruncated}
	}
	out, tr := buf[:len(buf)-tl], buf[len(buf)-tl:]
	if len(out) > 0 || payload == 0 { // a full final chunk was already copied by the loop
		digest.addChunks(out)
		payload += uint64(len(out))
	}
	if subtle.ConstantTimeCompare(digest.sum(), tr[4:4+digestSize]) != 1 {
		return fmt.Errorf("%w: payload digest does not match the signed one", ErrBadSignature)
	}
	trailer, err := resign(h, raw, nh, tr, payload, opts.Signer)
	if err != nil {
		return err
	}
	if _, err := dst.Write(out); err != nil {
		return err
	}
	_, err = dst.Write(trailer)
	return err
}

// rewrapHeader returns h with opts' recipients added and removed, signed by opts.Signer.
func rewrapHeader(h *header, opts RewrapOptions) (*header, error) {
	if opts.Signer == nil || opts.Signer.Public() == nil {
		return nil, fmt.Errorf("%w: the new header is signed by whoever rewraps it", ErrNoSigner)
	}
	if err := (&OpenOptions{Senders: opts.Senders}).check(h.signer); err != nil {
		return nil, err
	}
	fileKey, err := unwrap(h, opts.Identity)
	if err != nil {
		return nil, err
	}
	if len(opts.Remove) > 0 && !h.named {
		return nil, fmt.Errorf("%w: this envelope hides its recipients' key ids, so none can be removed; re-encrypt it with Rekey instead", ErrNotRecipient)
	}
	found := make([]bool, len(opts.Remove))
	var kept []*Stanza
	for _, s := range h.stanzas {
		drop := false
		for i, id := range opts.Remove {
			if bytes.Equal(s.KeyID, id[:]) {
				drop, found[i] = true, true
			}
		}
		if !drop {
			kept = append(kept, s)
		}
	}
	for i, ok := range found {
		if !ok {
			return nil, fmt.Errorf("%w: no recipient with key id %s to remove", ErrNotRecipient, opts.Remove[i])
		}
	}
	added, err := wrapAll(fileKey, opts.Add, nil)
	if err != nil {
		return nil, err
	}
	nh := &header{aead: h.aead, named: h.named, nonce: h.nonce, signer: opts.Signer.Public()}
	if err := nh.setStanzas(append(kept, added...)); err != nil {
		return nil, err
	}
	return nh, nil
}

// resign checks the old trailer's signature and returns the new trailer for nh.
func resign(old *header, oldRaw []byte, nh *header, tr []byte, payloadLen uint64, signer Signer) ([]byte, error) {
	digest, err := verifyTrailer(old.signer, oldRaw, tr, payloadLen)
	if err != nil {
		return nil, err
	}
	return signTrailer(signer, nh.marshal(), digest, payloadLen, false)
}

// RekeyOptions describe the re-encryption of Rekey.
type RekeyOptions struct {
	Identity   Identity        // opens the old envelope
	Senders    []*VerifyingKey // optional: original signers accepted
	Signer     Signer          // signs the new envelope
	Recipients []Recipient     // readers of the new envelope
	Seal       *SealOptions
}

// Rekey re-encrypts src under a new file key and nonce for opts.Recipients: the way to revoke a
// recipient who may have kept the old file key. It streams in constant memory. The old signature is
// checked at the end of the input; on any error dst holds a partial envelope: discard it.
func Rekey(dst io.Writer, src io.Reader, opts RekeyOptions) error {
	r, err := NewReader(src, opts.Identity, &OpenOptions{Senders: opts.Senders})
	if err != nil {
		return err
	}
	w, err := NewWriter(dst, opts.Signer, opts.Recipients, opts.Seal)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		return err
	}
	return w.Close()
}
