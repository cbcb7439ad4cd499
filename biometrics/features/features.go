// Package features holds what the biometric pipeline hands to scoring: integer basis-point features,
// reason codes, the quantised face embedding and a hash of the model files. It is pure Go (no cgo)
// so that scoring code (veid, validators) can use it without OpenCV.
//
// Determinism: every field is an integer or a string; reason codes are sorted and deduplicated by
// Normalize; the binary encoding (MarshalBinary) is canonical. Validators running the same model files
// on the same inputs produce the same bytes.
package features

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// MaxBP is 100% in basis points.
const MaxBP = 10000

// EmbeddingDim is the length of a quantised face embedding (dlib ResNet: 128).
const EmbeddingDim = 128

// Version names the feature layout; scoring pins it.
const Version = "biometrics-features-v1"

// Reason is a stable code an app can show and scoring can act on.
type Reason string

// Reason codes. Their text is stable: apps and scoring match on it.
const (
	NoFace           Reason = "NO_FACE"
	MultipleFaces    Reason = "MULTIPLE_FACES"
	FaceTooSmall     Reason = "FACE_TOO_SMALL"
	LowResolution    Reason = "LOW_RESOLUTION"
	Blurry           Reason = "BLURRY"
	Underexposed     Reason = "UNDEREXPOSED"
	Overexposed      Reason = "OVEREXPOSED"
	Glare            Reason = "GLARE"
	PoseTooLarge     Reason = "POSE_TOO_LARGE"
	LowFaceMatch     Reason = "LOW_FACE_MATCH"
	BorderlineMatch  Reason = "BORDERLINE_FACE_MATCH"
	SpoofSuspected   Reason = "SPOOF_SUSPECTED"
	NoMotion         Reason = "NO_MOTION"
	MRZNotFound      Reason = "MRZ_NOT_FOUND"
	MRZCheckDigit    Reason = "MRZ_CHECK_DIGIT"
	MRZCorrected     Reason = "MRZ_CORRECTED"
	DocumentExpired  Reason = "DOCUMENT_EXPIRED"
	FieldMismatch    Reason = "FIELD_MISMATCH"
	NoDocumentFace   Reason = "NO_DOCUMENT_FACE"
	BarcodeNotFound  Reason = "BARCODE_NOT_FOUND"
	BarcodeMalformed Reason = "BARCODE_MALFORMED"
)

// Features is the evidence of one verification, in integers. Every *BP field is in [0, MaxBP].
type Features struct {
	Version string `json:"version"`
	// ModelHash is the hex sha256 over the model files used, in a fixed order (see biometrics.ModelHash).
	ModelHash string `json:"model_hash"`

	FaceSimilarityBP   uint32 `json:"face_similarity_bp"`   // selfie vs document portrait
	LivenessBP         uint32 `json:"liveness_bp"`          // passive and active liveness combined
	QualityBP          uint32 `json:"quality_bp"`           // capture quality
	DocumentValidityBP uint32 `json:"document_validity_bp"` // MRZ / barcode check digits and structure
	ConsistencyBP      uint32 `json:"consistency_bp"`       // MRZ vs OCR / barcode vs claimed fields

	Reasons []Reason `json:"reasons"`

	// Embedding is the selfie's face embedding quantised to int8 (see Quantize).
	Embedding []int8 `json:"embedding,omitempty"`
}

// ErrRange reports a basis-point field above MaxBP or an embedding of the wrong length.
var ErrRange = errors.New("features: value out of range")

// Normalize sorts and deduplicates the reason codes.
func (f *Features) Normalize() {
	sort.Slice(f.Reasons, func(i, j int) bool { return f.Reasons[i] < f.Reasons[j] })
	out := f.Reasons[:0]
	for i, r := range f.Reasons {
		if i == 0 || r != f.Reasons[i-1] {
			out = append(out, r)
		}
	}
	f.Reasons = out
}

// Validate checks the ranges.
func (f *Features) Validate() error {
	for name, v := range map[string]uint32{"face_similarity": f.FaceSimilarityBP, "liveness": f.LivenessBP,
		"quality": f.QualityBP, "document_validity": f.DocumentValidityBP, "consistency": f.ConsistencyBP} {
		if v > MaxBP {
			return fmt.Errorf("%w: %s = %d bp", ErrRange, name, v)
		}
	}
	if len(f.Embedding) != 0 && len(f.Embedding) != EmbeddingDim {
		return fmt.Errorf("%w: embedding has %d values, want %d", ErrRange, len(f.Embedding), EmbeddingDim)
	}
	return nil
}

// MarshalBinary is the canonical encoding: the version and model hash as length-prefixed strings, the
// five basis-point fields as big-endian uint32, the sorted reasons as length-prefixed strings, then the
// embedding bytes. It normalises a copy of the reasons first.
func (f Features) MarshalBinary() ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	g := f
	g.Reasons = append([]Reason(nil), f.Reasons...)
	g.Normalize()
	var b []byte
	str := func(s string) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	str(g.Version)
	str(g.ModelHash)
	for _, v := range []uint32{g.FaceSimilarityBP, g.LivenessBP, g.QualityBP, g.DocumentValidityBP, g.ConsistencyBP} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(g.Reasons)))
	for _, r := range g.Reasons {
		str(string(r))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(g.Embedding)))
	for _, e := range g.Embedding {
		b = append(b, byte(e))
	}
	return b, nil
}
