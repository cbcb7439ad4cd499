package biometrics

import (
	"math/bits"

	"github.com/virtengine/sdk/biometrics/features"
)

// Decision is the outcome of a face comparison.
type Decision string

// Decisions.
const (
	Match      Decision = "match"
	Borderline Decision = "borderline"
	Reject     Decision = "reject"
)

// Thresholds on the Euclidean distance of dlib ResNet descriptors, in thousandths.
//
// Calibration: dlib reports 99.38% on LFW with a single threshold of 0.6. On this package's test set
// (testdata/faces, faces found by Detector.Subject, aligned by Align, distances of the int8-quantised
// descriptors; see TestPairAccuracy) the 4 same-person pairs measure 0.34–0.45 (obama/obama3 0.34,
// obama/obama2 0.43, obama2/obama3 0.45, biden/biden2 0.45) and the 11 different-person pairs
// 0.80–0.89; the portrait printed on a synthetic card matches obama2 and obama3 at 0.46 and 0.34, and
// printed over passport-td3.jpg's portrait at 0.45 and 0.34. Landmark noise moves these by about
// ±0.05 between detector settings (YuNet at 160–320 px, refined at 128–320 px: same-person pairs
// 0.30–0.49, different people 0.72–0.93). A match needs ≤ 0.55, which keeps a 0.10 margin over the
// worst same-person selfie pair and stays under dlib's 0.6; (0.55, 0.65) is borderline (ask for
// another capture or factor); ≥ 0.65 rejects, 0.15 below the closest different-person pair. Seven
// photos cannot calibrate a false-match rate: dlib's LFW figure is the evidence for the 0.6 region,
// these numbers only check the margins.
const (
	MatchMaxDistanceMilli      = 550
	BorderlineMaxDistanceMilli = 650
	// SimilarityZeroDistanceMilli is the distance mapped to 0 bp; similarity falls linearly from
	// 10000 bp at distance 0, through 5000 bp at dlib's 0.6.
	SimilarityZeroDistanceMilli = 1200
)

// Comparison is the result of comparing two quantised descriptors. Integers only: validators
// recompute it bit for bit.
type Comparison struct {
	DistanceMilli int      `json:"distance_milli"` // Euclidean distance × 1000, floored
	SimilarityBP  uint32   `json:"similarity"`     // 10000 − distance × 10000 / 1.2, clamped
	Decision      Decision `json:"decision"`
}

// Compare compares two int8-quantised descriptors (features.Quantize) in integer arithmetic.
func Compare(a, b []int8) (Comparison, error) {
	d2, err := features.DistanceSquaredQ(a, b)
	if err != nil {
		return Comparison{}, err
	}
	// d² is in units of (1/256)²; distance × 1000 = √(d² × 10⁶ / 65536) = √(d² × 15625 / 1024).
	milli := int(isqrt(uint64(d2) * 15625 / 1024))
	c := Comparison{DistanceMilli: milli, SimilarityBP: features.BP(int64(features.MaxBP - milli*features.MaxBP/SimilarityZeroDistanceMilli))}
	switch {
	case milli <= MatchMaxDistanceMilli:
		c.Decision = Match
	case milli < BorderlineMaxDistanceMilli:
		c.Decision = Borderline
	default:
		c.Decision = Reject
	}
	return c, nil
}

// isqrt is the integer square root, floored.
func isqrt(n uint64) uint64 {
	if n < 2 {
		return n
	}
	x := uint64(1) << ((bits.Len64(n) + 1) / 2)
	for {
		y := (x + n/x) / 2
		if y >= x {
			return x
		}
		x = y
	}
}

// FaceMatchLevel is the consensus level of a decision (package features): MaxBP for a match,
// features.FaceBorderlineBP for borderline, 0 for a reject. Only inputs whose distance lies within a
// few thousandths of MatchMaxDistanceMilli or BorderlineMaxDistanceMilli can get another level on
// another CPU (biometrics/RESULTS.md).
func FaceMatchLevel(d Decision) uint32 {
	switch d {
	case Match:
		return features.MaxBP
	case Borderline:
		return features.FaceBorderlineBP
	}
	return 0
}
