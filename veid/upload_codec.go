package veid

import (
	"crypto/ed25519"
	"encoding/binary"
	"time"
)

// uploadMagic starts an encoded upload (PROTOCOL.md §3).
const uploadMagic = "VEUP\x01"

// MarshalBinary encodes the upload: magic | u16 len | signing payload | client sig [64] | user sig [64]
// | u32 len | evidence.
func (u *Upload) MarshalBinary() ([]byte, error) {
	p, err := u.Binding.SigningPayload()
	if err != nil {
		return nil, err
	}
	if len(u.ClientSig) != ed25519.SignatureSize || len(u.UserSig) != ed25519.SignatureSize || len(u.Evidence) > MaxEvidenceLen {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "signature or evidence size")
	}
	out := make([]byte, 0, len(uploadMagic)+2+len(p)+128+4+len(u.Evidence))
	out = append(out, uploadMagic...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(p)))
	out = append(out, p...)
	out = append(out, u.ClientSig...)
	out = append(out, u.UserSig...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(u.Evidence)))
	return append(out, u.Evidence...), nil
}

// reader is a strict cursor over a byte slice; the first short read sets bad.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || n > len(r.b) {
		r.bad = true
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() int {
	v := r.take(1)
	if v == nil {
		return 0
	}
	return int(v[0])
}

func (r *reader) u16() int {
	v := r.take(2)
	if v == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(v))
}

func (r *reader) u32() int {
	v := r.take(4)
	if v == nil {
		return 0
	}
	return int(binary.BigEndian.Uint32(v))
}

func (r *reader) str16() string {
	n := r.u16()
	if n > MaxIDLen {
		r.bad = true
		return ""
	}
	return string(r.take(n))
}

// ParseUpload decodes an upload strictly: exactly one encoding per upload, no trailing bytes, every
// length checked. Any malformed input returns ErrMalformedUpload (wrapped), never a panic.
// It checks structure only; Verifier.Verify checks signatures, salts and times.
func ParseUpload(data []byte) (*Upload, error) {
	bad := func(what string) (*Upload, error) {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "%s", what)
	}
	if len(data) < len(uploadMagic) || string(data[:len(uploadMagic)]) != uploadMagic {
		return bad("magic")
	}
	r := &reader{b: data[len(uploadMagic):]}
	pl := r.take(r.u16())
	cs := r.take(ed25519.SignatureSize)
	us := r.take(ed25519.SignatureSize)
	ev := r.take(r.u32())
	if r.bad {
		return bad("truncated")
	}
	if len(r.b) != 0 {
		return bad("trailing bytes")
	}
	if len(ev) > MaxEvidenceLen {
		return bad("evidence too large")
	}
	b, err := parsePayload(pl)
	if err != nil {
		return nil, err
	}
	return &Upload{Binding: *b, ClientSig: cs, UserSig: us, Evidence: ev}, nil
}

func parsePayload(p []byte) (*Binding, error) {
	bad := func(what string) (*Binding, error) {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "payload: %s", what)
	}
	if len(p) < len(BindingDomain) || string(p[:len(BindingDomain)]) != BindingDomain {
		return bad("domain")
	}
	r := &reader{b: p[len(BindingDomain):]}
	var b Binding
	kind, ok := kindFromCode(byte(r.u8()))
	b.Kind = kind
	b.Salt = r.take(r.u8())
	b.DeviceID = r.str16()
	b.SessionID = r.str16()
	ms := r.take(8)
	b.ClientID = r.str16()
	copy(b.ClientKeyID[:], r.take(KeyIDLen))
	b.Account = r.str16()
	b.UserKey = ed25519.PublicKey(r.take(ed25519.PublicKeySize))
	copy(b.PayloadHash[:], r.take(32))
	if r.bad || !ok {
		return bad("truncated or unknown kind")
	}
	if len(r.b) != 0 {
		return bad("trailing bytes")
	}
	b.CaptureTime = time.UnixMilli(int64(binary.BigEndian.Uint64(ms))).UTC()
	return &b, nil
}
