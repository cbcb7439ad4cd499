package veid

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// Features are the integer inputs of scoring, in basis points (0..10000). They come from the
// biometrics pipeline (document, face match, liveness, consistency) and from the account (history,
// risk). Determinism: only integers and one explicit byte encoding (see InputHash); no floats.
type Features struct {
	// Extractor names the feature extractor and its pinned model files (e.g. the biometrics model
	// version). It is part of the input hash, so validators running another extractor disagree.
	Extractor string `json:"extractor"`

	HasDocument bool `json:"has_document"`
	HasSelfie   bool `json:"has_selfie"`

	Document    uint32 `json:"document_bp"`    // document authenticity and quality
	FaceMatch   uint32 `json:"face_match_bp"`  // document portrait vs selfie similarity, calibrated
	Liveness    uint32 `json:"liveness_bp"`    // passive and active liveness
	Consistency uint32 `json:"consistency_bp"` // MRZ/barcode check digits and cross-checks with printed text
	History     uint32 `json:"history_bp"`     // account age and verified web scopes
	Risk        uint32 `json:"risk_bp"`        // fraud risk: 0 none, 10000 certain
}

// Reason is a stable reason code of a score.
type Reason string

// Reason codes of §3.3.
const (
	ReasonMissingDocument    Reason = "MISSING_DOCUMENT"
	ReasonMissingSelfie      Reason = "MISSING_SELFIE"
	ReasonLowDocument        Reason = "LOW_DOCUMENT_QUALITY"
	ReasonLowFaceMatch       Reason = "LOW_FACE_MATCH"
	ReasonLowLiveness        Reason = "LOW_LIVENESS"
	ReasonLowConsistency     Reason = "LOW_CONSISTENCY"
	ReasonHighRisk           Reason = "HIGH_RISK"
	ReasonBelowPassThreshold Reason = "BELOW_PASS_THRESHOLD"
)

// Contribution is one component's share of a score.
type Contribution struct {
	Component string `json:"component"`
	Value     uint32 `json:"value_bp"`  // the component's input after presence rules (risk is inverted)
	Weight    uint32 `json:"weight_bp"` // weight in basis points of the total
	Minimum   uint32 `json:"minimum_bp"`
	Points    uint32 `json:"points_bp"` // Value*Weight/10000, or 0 below the minimum
}

// Result is the outcome of scoring. Every field is a pure function of the model and the Features.
type Result struct {
	Model         string         `json:"model"`
	Score         int            `json:"score"`    // 0..100 = TotalBP/100, truncated
	TotalBP       uint32         `json:"total_bp"` // 0..10000
	Passed        bool           `json:"passed"`
	Contributions []Contribution `json:"contributions"`
	Reasons       []Reason       `json:"reasons"` // sorted, deduplicated
	InputHash     [32]byte       `json:"input_hash"`
}

// Model is a scoring model. A later model replaces composite-v2 under a new Version; the version is
// carried in every Result and pinned in the network parameters (§3.6).
//
// Score must be a pure, deterministic function of its input; it returns ErrFeatureRange (wrapped)
// for inputs outside 0..10000, ErrTooLong (wrapped) for an Extractor over 65535 bytes (use
// ComputeInputHash), and never panics.
type Model interface {
	Version() string
	Score(f Features) (Result, error)
}

// CompositeV2Version is the version string of the default model.
const CompositeV2Version = "composite-v2"

// component weights and minimums of composite-v2, basis points (FEATURES.md §3.3).
var compositeV2 = [...]struct {
	name    string
	weight  uint32
	minimum uint32
	low     Reason
}{
	{"document", 2500, 5000, ReasonLowDocument},
	{"face_match", 2500, 6000, ReasonLowFaceMatch},
	{"liveness", 2000, 5000, ReasonLowLiveness},
	{"consistency", 1500, 3000, ReasonLowConsistency},
	{"history", 1000, 0, ""},
	{"risk", 500, 3000, ReasonHighRisk}, // value = 10000 - risk; risk above 7000 is HIGH_RISK
}

// CompositeV2 is the default scoring model: document 25%, face match 25%, liveness 20%,
// consistency 15%, history 10%, risk 5%; a component below its minimum contributes nothing and
// blocks the pass; pass at 50.
type CompositeV2 struct{}

// Version returns "composite-v2".
func (CompositeV2) Version() string { return CompositeV2Version }

// Score scores f. See CompositeV2 for the rules.
func (CompositeV2) Score(f Features) (Result, error) {
	for _, v := range [...]uint32{f.Document, f.FaceMatch, f.Liveness, f.Consistency, f.History, f.Risk} {
		if v > BasisPoints {
			return Result{}, newErr("FEATURE_RANGE", ErrFeatureRange, "value %d", v)
		}
	}
	h, err := ComputeInputHash(CompositeV2Version, f)
	if err != nil {
		return Result{}, err
	}
	values := [...]uint32{f.Document, f.FaceMatch, f.Liveness, f.Consistency, f.History, BasisPoints - f.Risk}
	present := [...]bool{f.HasDocument, f.HasDocument && f.HasSelfie, f.HasSelfie, f.HasDocument, true, true}

	var reasons []Reason
	if !f.HasDocument {
		reasons = append(reasons, ReasonMissingDocument)
	}
	if !f.HasSelfie {
		reasons = append(reasons, ReasonMissingSelfie)
	}
	res := Result{Model: CompositeV2Version, Contributions: make([]Contribution, len(compositeV2))}
	for i, c := range compositeV2 {
		v := values[i]
		if !present[i] {
			v = 0
		}
		pts := v * c.weight / BasisPoints // ≤ 10000*2500: fits in uint32
		if v < c.minimum {
			pts = 0
			if present[i] {
				reasons = append(reasons, c.low)
			}
		}
		res.Contributions[i] = Contribution{Component: c.name, Value: v, Weight: c.weight, Minimum: c.minimum, Points: pts}
		res.TotalBP += pts
	}
	res.Score = int(res.TotalBP / 100)
	if res.Score < PassThreshold {
		reasons = append(reasons, ReasonBelowPassThreshold)
	}
	slices.Sort(reasons)
	res.Reasons = slices.Compact(reasons)
	if res.Reasons == nil {
		res.Reasons = []Reason{}
	}
	res.Passed = len(res.Reasons) == 0
	res.InputHash = h
	return res, nil
}

// Score scores f with the default model, composite-v2.
func Score(f Features) (Result, error) { return CompositeV2{}.Score(f) }

// InputHash is SHA-256 over the explicit encoding of the model version and the features:
//
//	"VEID-SCORE-INPUT-v1" 0x00 | u16 len | model | u16 len | extractor | flags (bit0 document, bit1 selfie)
//	| document | face_match | liveness | consistency | history | risk   (each u32 big-endian)
//
// A model or extractor longer than 65535 bytes has no encoding: InputHash then returns the zero
// hash, which no valid input produces and which Score never returns (it fails with ErrTooLong).
//
// Deprecated: use ComputeInputHash, which reports over-long strings as an error.
func InputHash(model string, f Features) [32]byte {
	h, err := ComputeInputHash(model, f)
	if err != nil {
		return [32]byte{}
	}
	return h
}

// ComputeInputHash is the input hash of InputHash for a valid input, and ErrTooLong (code
// "TOO_LONG") when the model or the extractor is longer than 65535 bytes: such strings used to be
// cut to that length, so two extractors differing only after it hashed the same.
func ComputeInputHash(model string, f Features) ([32]byte, error) {
	b := make([]byte, 0, 64+len(model)+len(f.Extractor))
	b = append(b, "VEID-SCORE-INPUT-v1\x00"...)
	b, err := appendStr16s(b, "model version", model, "extractor", f.Extractor)
	if err != nil {
		return [32]byte{}, err
	}
	var flags byte
	if f.HasDocument {
		flags |= 1
	}
	if f.HasSelfie {
		flags |= 2
	}
	b = append(b, flags)
	for _, v := range [...]uint32{f.Document, f.FaceMatch, f.Liveness, f.Consistency, f.History, f.Risk} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return sha256.Sum256(b), nil
}

// maxStr16 is the longest string a u16 length prefix can describe.
const maxStr16 = 0xffff

// checkStr16 refuses a string that appendStr16 cannot encode, with ErrTooLong (code "TOO_LONG").
// The error names the field and its length, never its content.
func checkStr16(field, s string) error {
	if len(s) > maxStr16 {
		return newErr("TOO_LONG", ErrTooLong, "%s is %d bytes", field, len(s))
	}
	return nil
}

// appendStr16 appends u16 len | s, the str16 of PROTOCOL.md. A string over 65535 bytes is refused
// with ErrTooLong naming field, never cut: two different strings never share an encoding.
func appendStr16(b []byte, field, s string) ([]byte, error) {
	if err := checkStr16(field, s); err != nil {
		return b, err
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...), nil
}

// appendStr16s appends the str16 of each (field, value) pair in order; the first error stops it.
func appendStr16s(b []byte, fieldValues ...string) ([]byte, error) {
	var err error
	for i := 0; i+1 < len(fieldValues); i += 2 {
		if b, err = appendStr16(b, fieldValues[i], fieldValues[i+1]); err != nil {
			return b, err
		}
	}
	return b, nil
}
