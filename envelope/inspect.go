package envelope

import (
	"encoding/hex"
	"fmt"
	"io"
)

// Info describes an envelope without any key: what Inspect returns.
type Info struct {
	Version    int             `json:"version"`
	AEAD       AEAD            `json:"aead"`
	Signature  SignatureScheme `json:"signature"`
	Signer     string          `json:"signer"`        // claimed sender key; proven only by Open
	SignerID   string          `json:"signer_key_id"` // its KeyID
	Anonymous  bool            `json:"anonymous"`     // recipients' KeyIDs hidden
	Recipients []RecipientInfo `json:"recipients"`
	Sizes      Sizes           `json:"sizes"`
}

// RecipientInfo is one stanza as seen without keys.
type RecipientInfo struct {
	Type  KEM    `json:"type"`
	KeyID string `json:"key_id,omitempty"` // hex, empty in anonymous mode
}

// Sizes are the byte counts of an envelope's parts.
type Sizes struct {
	Header    int64 `json:"header"`
	Payload   int64 `json:"payload"` // ciphertext, tags included
	Trailer   int64 `json:"trailer"`
	Plaintext int64 `json:"plaintext"`
	Chunks    int64 `json:"chunks"`
}

// MarshalText names the KEM in JSON.
func (k KEM) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// MarshalText names the AEAD in JSON.
func (a AEAD) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// MarshalText names the scheme in JSON.
func (s SignatureScheme) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Inspect reads an envelope from r to its end and describes it: suites, recipient key ids, signer
// and sizes. It needs no key and verifies nothing but the framing; memory use is constant.
func Inspect(r io.Reader) (*Info, error) {
	h, raw, err := parseHeader(r)
	if err != nil {
		return nil, err
	}
	rest, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, err
	}
	info := h.info()
	sz, err := layout(int64(len(raw)), int64(len(raw))+rest, int64(h.trailerSize()))
	if err != nil {
		return nil, err
	}
	info.Sizes = sz
	return info, nil
}

func (h *header) info() *Info {
	info := &Info{
		Version: FormatVersion, AEAD: h.aead, Signature: h.signer.scheme,
		Signer: h.signer.String(), SignerID: h.signer.KeyID().String(), Anonymous: !h.named,
	}
	for _, s := range h.stanzas {
		info.Recipients = append(info.Recipients, RecipientInfo{Type: KEM(s.Type), KeyID: hex.EncodeToString(s.KeyID)})
	}
	return info
}

// layout splits an envelope of total bytes, whose header has headerLen bytes, into its parts
// (FORMAT.md §4): every chunk but the last is chunkCTSize bytes, the last TagSize to chunkCTSize.
func layout(headerLen, total, trailerLen int64) (Sizes, error) {
	payload := total - headerLen - trailerLen
	if payload < TagSize {
		return Sizes{}, &FormatError{Offset: total, Field: "payload", Reason: fmt.Sprintf("%d bytes after the header, need at least %d", total-headerLen, TagSize+trailerLen), Err: ErrTruncated}
	}
	chunks := (payload + chunkCTSize - 1) / chunkCTSize
	last := payload - (chunks-1)*chunkCTSize
	if chunks > 1 && last == TagSize {
		return Sizes{}, &FormatError{Offset: total - trailerLen - TagSize, Field: "payload", Reason: "empty final chunk after a full one", Err: ErrMalformed}
	}
	return Sizes{Header: headerLen, Payload: payload, Trailer: trailerLen, Plaintext: payload - chunks*TagSize, Chunks: chunks}, nil
}
