// Package features holds what the biometric pipeline hands to scoring: integer basis-point features,
// reason codes, measurements for people and logs, the quantised face embedding and a hash of the
// model files. It is pure Go (no cgo) so that scoring code (veid, validators) can use it without
// OpenCV.
//
// # What validators can agree on
//
// The networks (YuNet, dlib's ResNet, MiniFASNet) run in floating point inside OpenCV, whose kernels
// are chosen at run time by the CPU's instruction set (AVX-512, AVX2+FMA, AVX, SSE4, SSE2). The same
// model files on the same image therefore give slightly different floats on different CPUs: with
// OPENCV_CPU_DISABLE simulating other CPUs, landmarks moved by up to 6e-5 px, descriptor values by up
// to 1.3e-4, up to 4 of the 128 int8 descriptor values by one step, face distances by up to 2
// thousandths and live probabilities by up to 8e-7 (biometrics/RESULTS.md). Rounding to int8 or
// to basis points does not remove such differences: a value that lies near a rounding edge rounds
// differently. The int8 embedding is the same bytes on one machine (and on CPUs that take the same
// OpenCV code paths), not on every machine.
//
// The consensus fields (FaceMatchBP, LivenessBP, DocumentValidityBP, ConsistencyBP, and QualityBP
// and Reasons, which the veid mapping does not use) are therefore levels decided by a few documented
// thresholds, far apart compared with that noise:
//
//   - FaceMatchBP: MaxBP for a match (descriptor distance ≤ 0.55), FaceBorderlineBP for borderline
//     (0.55–0.65), 0 for a reject or no portrait. On the shared test images same-person pairs
//     measure at most 0.46 and different people at least 0.79, 90 thousandths or more from an edge:
//     45 times the largest change measured across CPU code paths (2 thousandths).
//   - LivenessBP: MaxBP when every liveness check that ran passed (passive: the ensemble's live
//     probability above 0.5; active, when frames were given: biometrics.ActiveLiveness), else 0.
//   - DocumentValidityBP and ConsistencyBP come from the characters Tesseract read (through check
//     digits and exact string comparisons) and from the block time. The text read was the same on
//     every OpenCV variant and on every Tesseract SIMD path tried (Tesseract's fast models compute
//     in integers).
//
// Guarantee: two validators with the same model files and the same evidence bytes compute the same
// consensus fields unless a measurement lies within the noise of a threshold (a face distance within
// a few thousandths of 0.55 or 0.65, a live probability within about 1e-6 of 0.5, a head turn within
// 1‰ of the required one, a detection score at YuNet's threshold, a face box edge at a pixel
// boundary, a character Tesseract reads with near-equal confidence either way). Such an input is rare, and it is not silent: veid's tally groups
// votes by (model, score, passed, input hash), the validators on the other side of the edge are
// listed as dissenters, and the request is final when more than 2/3 of the voting power still agrees;
// otherwise it is not final and can be resubmitted with a new capture.
//
// The measurements (FaceSimilarityBP, FaceDistanceMilli, PassiveLivenessBP, ActiveTurnPermille) and the
// Embedding are not consensus data: they differ across CPUs, MarshalBinary leaves them out, and the
// veid mapping must not copy them into scoring features.
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
const Version = "biometrics-features-v2"

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

// Consensus levels (see the package documentation).
const (
	// FaceBorderlineBP is FaceMatchBP for a borderline comparison: below veid composite-v2's face
	// match minimum (6000), so a borderline face blocks the pass (ask for another capture).
	FaceBorderlineBP = 5000
)

// Features is the evidence of one verification, in integers. Every *BP field is in [0, MaxBP].
type Features struct {
	Version string `json:"version"`
	// ModelHash is the hex sha256 over the model files used, in a fixed order (see biometrics.ModelHash).
	ModelHash string `json:"model_hash"`

	// Consensus fields: levels decided by documented thresholds (package documentation).
	FaceMatchBP        uint32 `json:"face_match_bp"`        // selfie vs document portrait: MaxBP, FaceBorderlineBP or 0
	LivenessBP         uint32 `json:"liveness_bp"`          // MaxBP when every liveness check run passed, else 0
	QualityBP          uint32 `json:"quality_bp"`           // capture quality: MaxBP − 2000 per failed check
	DocumentValidityBP uint32 `json:"document_validity_bp"` // MRZ / barcode check digits and structure, expiry
	ConsistencyBP      uint32 `json:"consistency_bp"`       // MRZ vs printed text / barcode vs claimed fields

	Reasons []Reason `json:"reasons"`

	// Measurements, for people, logs and calibration. They differ slightly across CPUs: never hash or
	// score them in consensus. MarshalBinary leaves them out.
	FaceSimilarityBP   uint32 `json:"face_similarity_bp"`   // 10000 − distance × 10000 / 1.2, clamped; 0 without a portrait
	FaceDistanceMilli  int    `json:"face_distance_milli"`  // descriptor distance × 1000; −1 without a portrait
	PassiveLivenessBP  uint32 `json:"passive_liveness_bp"`  // the anti-spoofing ensemble's live probability
	ActiveTurnPermille int    `json:"active_turn_permille"` // head turn achieved; 0 without frames

	// Embedding is the selfie's face embedding quantised to int8 (see Quantize). Not consensus data.
	Embedding []int8 `json:"embedding,omitempty"`

	// Document holds the identity facts read from a machine-readable zone whose check digits
	// passed, for issuing credentials (birth date, nationality, expiry). It is personal data: it is
	// not part of the canonical encoding, never serialized, and nil when no valid zone was read.
	Document *Document `json:"-"`
}

// Document is what a valid machine-readable zone says about its holder, dates in ISO 8601
// (YYYY-MM-DD) and states as ICAO 9303 alpha-3 codes.
type Document struct {
	BirthDate    string
	Nationality  string
	IssuingState string
	ExpiryDate   string
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
	for name, v := range map[string]uint32{"face_match": f.FaceMatchBP, "liveness": f.LivenessBP,
		"quality": f.QualityBP, "document_validity": f.DocumentValidityBP, "consistency": f.ConsistencyBP,
		"face_similarity": f.FaceSimilarityBP, "passive_liveness": f.PassiveLivenessBP} {
		if v > MaxBP {
			return fmt.Errorf("%w: %s = %d bp", ErrRange, name, v)
		}
	}
	if len(f.Embedding) != 0 && len(f.Embedding) != EmbeddingDim {
		return fmt.Errorf("%w: embedding has %d values, want %d", ErrRange, len(f.Embedding), EmbeddingDim)
	}
	return nil
}

// MarshalBinary is the canonical encoding of the consensus fields: the version and model hash as
// length-prefixed strings, the five basis-point levels (face match, liveness, quality, document
// validity, consistency) as big-endian uint32, then the sorted reasons as length-prefixed strings.
// The measurements and the embedding are left out: they are not the same on every CPU. It normalises
// a copy of the reasons first.
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
	for _, v := range []uint32{g.FaceMatchBP, g.LivenessBP, g.QualityBP, g.DocumentValidityBP, g.ConsistencyBP} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(g.Reasons)))
	for _, r := range g.Reasons {
		str(string(r))
	}
	return b, nil
}
