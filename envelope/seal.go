package envelope

import (
	"bytes"
	"io"
)

// Seal encrypts plaintext for recipients and signs it with signer, returning the whole envelope.
func Seal(plaintext []byte, signer Signer, recipients []Recipient, opts *SealOptions) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(plaintext) + (len(plaintext)/ChunkSize+1)*TagSize + 512 + len(recipients)*1200)
	w, err := NewWriter(&out, signer, recipients, opts)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Open decrypts an envelope with id (one identity or a *Keyring). It verifies the sender's signature
// over the header and every payload byte before returning anything, and returns the signer's key.
func Open(envelope []byte, id Identity, opts *OpenOptions) (plaintext []byte, signer *VerifyingKey, err error) {
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
