package envelope

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// flagNamed is the only defined header flag: every stanza carries its recipient's KeyID.
const flagNamed = 0x01

// fixedHeaderSize covers magic, version, AEAD, signature scheme, flags, nonce and recipient count.
const fixedHeaderSize = 4 + 1 + 2 + 2 + 1 + NonceSize + 2

// header is the parsed form of FORMAT.md §2.
type header struct {
	aead    AEAD
	named   bool
	nonce   [NonceSize]byte
	stanzas []*Stanza
	signer  *VerifyingKey
}

func (h *header) trailerSize() int {
	return len(trailerMagic) + digestSize + h.signer.scheme.SignatureSize()
}

// marshal is the one encoding of h.
func (h *header) marshal() []byte {
	n := fixedHeaderSize + 4 + len(h.signer.raw)
	for _, s := range h.stanzas {
		n += 4 + len(s.KeyID) + len(s.Body)
	}
	b := make([]byte, 0, n)
	b = append(b, magic[:]...)
	b = append(b, FormatVersion)
	b = binary.BigEndian.AppendUint16(b, uint16(h.aead))
	b = binary.BigEndian.AppendUint16(b, uint16(h.signer.scheme))
	var flags byte
	if h.named {
		flags |= flagNamed
	}
	b = append(b, flags)
	b = append(b, h.nonce[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.stanzas)))
	for _, s := range h.stanzas {
		b = binary.BigEndian.AppendUint16(b, s.Type)
		if h.named {
			b = append(b, s.KeyID...)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(s.Body)))
		b = append(b, s.Body...)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.signer.raw)))
	b = append(b, h.signer.raw...)
	return b
}

// headerReader reads fields from r, keeps the raw bytes for the transcript and tracks the offset
// for error messages.
type headerReader struct {
	r   io.Reader
	raw []byte
}

func (hr *headerReader) next(n int, field string) ([]byte, error) {
	off := len(hr.raw)
	hr.raw = append(hr.raw, make([]byte, n)...)
	if _, err := io.ReadFull(hr.r, hr.raw[off:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &FormatError{Offset: int64(off), Field: field, Reason: "input ends inside the header", Err: ErrTruncated}
		}
		return nil, err
	}
	return hr.raw[off:], nil
}

func (hr *headerReader) u16(field string) (uint16, error) {
	b, err := hr.next(2, field)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(b), nil
}

// parseHeader reads exactly one header from r and returns it with its raw bytes. It accepts only
// what marshal produces: every length is checked against the suite, unknown flags are refused.
func parseHeader(r io.Reader) (*header, []byte, error) {
	hr := &headerReader{r: r, raw: make([]byte, 0, 512)}
	b, err := hr.next(5, "magic")
	if err != nil {
		return nil, nil, err
	}
	if [4]byte(b[:4]) != magic {
		return nil, nil, formatErr(0, "magic", "not a VirtEngine envelope (armored? use Dearmor)")
	}
	if b[4] != FormatVersion {
		return nil, nil, &FormatError{Offset: 4, Field: "version", Reason: fmt.Sprintf("version %d", b[4]), Err: ErrUnsupported}
	}
	h := &header{}
	a, err := hr.u16("aead")
	if err != nil {
		return nil, nil, err
	}
	h.aead = AEAD(a)
	if !h.aead.known() {
		return nil, nil, &FormatError{Offset: 5, Field: "aead", Reason: h.aead.String(), Err: ErrUnsupported}
	}
	sch, err := hr.u16("signature scheme")
	if err != nil {
		return nil, nil, err
	}
	sp, ok := SignatureScheme(sch).params()
	if !ok {
		return nil, nil, &FormatError{Offset: 7, Field: "signature scheme", Reason: SignatureScheme(sch).String(), Err: ErrUnsupported}
	}
	fb, err := hr.next(1, "flags")
	if err != nil {
		return nil, nil, err
	}
	if fb[0]&^flagNamed != 0 {
		return nil, nil, formatErr(9, "flags", fmt.Sprintf("undefined flag bits 0x%02x", fb[0]&^flagNamed))
	}
	h.named = fb[0]&flagNamed != 0
	nb, err := hr.next(NonceSize, "nonce")
	if err != nil {
		return nil, nil, err
	}
	copy(h.nonce[:], nb)
	count, err := hr.u16("recipient count")
	if err != nil {
		return nil, nil, err
	}
	if count == 0 || count > MaxRecipients {
		return nil, nil, formatErr(int64(len(hr.raw)-2), "recipient count", fmt.Sprintf("%d recipients, want 1 to %d", count, MaxRecipients))
	}
	h.stanzas = make([]*Stanza, 0, count)
	for i := 0; i < int(count); i++ {
		off := int64(len(hr.raw))
		typ, err := hr.u16("stanza type")
		if err != nil {
			return nil, nil, err
		}
		s := &Stanza{Type: typ}
		if h.named {
			id, err := hr.next(KeyIDSize, "stanza key id")
			if err != nil {
				return nil, nil, err
			}
			s.KeyID = append([]byte(nil), id...)
		}
		n, err := hr.u16("stanza body length")
		if err != nil {
			return nil, nil, err
		}
		if n == 0 || n > MaxStanzaBody {
			return nil, nil, formatErr(off, "stanza body length", fmt.Sprintf("stanza %d: %d bytes, want 1 to %d", i, n, MaxStanzaBody))
		}
		if _, known := KEM(typ).params(); known && int(n) != KEM(typ).stanzaBodySize() {
			return nil, nil, formatErr(off, "stanza body length", fmt.Sprintf("stanza %d: %v body of %d bytes, want %d", i, KEM(typ), n, KEM(typ).stanzaBodySize()))
		}
		body, err := hr.next(int(n), "stanza body")
		if err != nil {
			return nil, nil, err
		}
		s.Body = append([]byte(nil), body...)
		h.stanzas = append(h.stanzas, s)
	}
	off := int64(len(hr.raw))
	n, err := hr.u16("signer key length")
	if err != nil {
		return nil, nil, err
	}
	if int(n) != sp.pubSize {
		return nil, nil, formatErr(off, "signer key length", fmt.Sprintf("%d bytes, want %d for %v", n, sp.pubSize, SignatureScheme(sch)))
	}
	kb, err := hr.next(int(n), "signer key")
	if err != nil {
		return nil, nil, err
	}
	if h.signer, err = newVerifyingKey(SignatureScheme(sch), kb); err != nil {
		return nil, nil, formatErr(off+2, "signer key", err.Error())
	}
	return h, hr.raw, nil
}

// signTrailer signs the transcript and returns the trailer: magic ‖ digest ‖ signature (FORMAT.md §4).
func signTrailer(s Signer, rawHeader, digest []byte, payloadLen uint64, deterministic bool) ([]byte, error) {
	sig, err := signTranscript(s, transcript(rawHeader, digest, payloadLen), deterministic)
	if err != nil {
		return nil, err
	}
	tr := make([]byte, 0, len(trailerMagic)+digestSize+len(sig))
	return append(append(append(tr, trailerMagic[:]...), digest...), sig...), nil
}

// verifyTrailer checks the trailer's magic and the signature over the header and the digest it
// stores, and returns that digest. The caller compares it with the payload when it reads one.
func verifyTrailer(signer *VerifyingKey, rawHeader, tr []byte, payloadLen uint64) ([]byte, error) {
	if len(tr) < len(trailerMagic)+digestSize || [4]byte(tr[:4]) != trailerMagic {
		return nil, formatErr(int64(len(rawHeader))+int64(payloadLen), "trailer magic", "missing")
	}
	digest := tr[4 : 4+digestSize]
	if !signer.Verify(transcript(rawHeader, digest, payloadLen), tr[4+digestSize:]) {
		return nil, fmt.Errorf("%w: by %s", ErrBadSignature, signer)
	}
	return digest, nil
}

// transcriptLabel starts the signed transcript (FORMAT.md §4).
const transcriptLabel = "virtengine/envelope/v1/signature\x00"

// transcript is what the sender signs: label ‖ SHA-256(header) ‖ SHA-256(payload ciphertext) ‖
// payload ciphertext length (uint64, big endian). It binds every header byte (suites, recipients,
// signer key) and every payload byte, in order.
func transcript(rawHeader []byte, digest []byte, payloadLen uint64) []byte {
	hh := sha256.Sum256(rawHeader)
	t := make([]byte, 0, len(transcriptLabel)+32+digestSize+8)
	t = append(t, transcriptLabel...)
	t = append(t, hh[:]...)
	t = append(t, digest...)
	return binary.BigEndian.AppendUint64(t, payloadLen)
}
