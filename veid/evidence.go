package veid

import (
	"encoding/binary"
)

// EvidenceItem is one captured artefact inside an evidence bundle (a document image, a selfie, a
// frame of a face video, a web-scope proof).
type EvidenceItem struct {
	Kind ScopeKind
	Name string // e.g. "document_front.jpg", "frame-003.jpg"
	Data []byte
}

// Evidence is the plaintext that is sealed to the validators: the uploads of one verification
// request, in a fixed order.
type Evidence struct {
	Items []EvidenceItem
}

// MaxEvidenceItems bounds the items of one bundle.
const MaxEvidenceItems = 64

const evidenceMagic = "VEEV\x01"

// MarshalBinary encodes the bundle: "VEEV" 0x01 | u16 count | per item: kind u8 | str16 name |
// u32 len | data (PROTOCOL.md §7).
func (e *Evidence) MarshalBinary() ([]byte, error) {
	if len(e.Items) > MaxEvidenceItems {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "more than %d evidence items", MaxEvidenceItems)
	}
	n := len(evidenceMagic) + 2
	for _, it := range e.Items {
		if it.Kind.code() == 0 || len(it.Name) > MaxIDLen || len(it.Data) > MaxEvidenceLen {
			return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "evidence item %q", it.Name)
		}
		n += 1 + 2 + len(it.Name) + 4 + len(it.Data)
	}
	out := make([]byte, 0, n)
	out = append(out, evidenceMagic...)
	out = binary.BigEndian.AppendUint16(out, uint16(len(e.Items)))
	for _, it := range e.Items {
		out = append(out, it.Kind.code())
		var err error
		if out, err = appendStr16(out, "evidence item name", it.Name); err != nil { // ≤ MaxIDLen, checked above
			return nil, err
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(it.Data)))
		out = append(out, it.Data...)
	}
	return out, nil
}

// ParseEvidence decodes a bundle strictly; malformed input returns ErrMalformedUpload (wrapped).
func ParseEvidence(data []byte) (*Evidence, error) {
	if len(data) < len(evidenceMagic) || string(data[:len(evidenceMagic)]) != evidenceMagic {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "evidence magic")
	}
	r := &reader{b: data[len(evidenceMagic):]}
	count := r.u16()
	if count > MaxEvidenceItems {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "more than %d evidence items", MaxEvidenceItems)
	}
	e := &Evidence{}
	for range count {
		kind, ok := kindFromCode(byte(r.u8()))
		name := r.str16()
		d := r.take(r.u32())
		if r.bad || !ok {
			return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "evidence item truncated or of unknown kind")
		}
		e.Items = append(e.Items, EvidenceItem{Kind: kind, Name: name, Data: d})
	}
	if r.bad || len(r.b) != 0 {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "evidence truncated or trailing bytes")
	}
	return e, nil
}

// Of returns the items of one kind, in order.
func (e *Evidence) Of(k ScopeKind) []EvidenceItem {
	var out []EvidenceItem
	for _, it := range e.Items {
		if it.Kind == k {
			out = append(out, it)
		}
	}
	return out
}
