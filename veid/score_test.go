package veid

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
)

func feats(doc, face, live, cons, hist, risk uint32) Features {
	return Features{Extractor: "test", HasDocument: true, HasSelfie: true,
		Document: doc, FaceMatch: face, Liveness: live, Consistency: cons, History: hist, Risk: risk}
}

// Vectors computed by hand: points = value*weight/10000 truncated; risk value = 10000-risk.
func TestCompositeV2Vectors(t *testing.T) {
	noSelfie := feats(9000, 8000, 7000, 6000, 5000, 1000)
	noSelfie.HasSelfie = false
	nothing := Features{}
	cases := []struct {
		name    string
		f       Features
		points  [6]uint32
		score   int
		passed  bool
		reasons []Reason
	}{
		// 2250+2000+1400+900+500+450 = 7500
		{"typical", feats(9000, 8000, 7000, 6000, 5000, 1000), [6]uint32{2250, 2000, 1400, 900, 500, 450}, 75, true, nil},
		// 24997500/1e4=2499, 15002500/1e4=1500, 10002000/1e4=1000, 4501500/1e4=450, 1000/1e4=0, 3001*500/1e4=150 → 5599
		{"truncation", feats(9999, 6001, 5001, 3001, 1, 6999), [6]uint32{2499, 1500, 1000, 450, 0, 150}, 55, true, nil},
		{"face below minimum", feats(9000, 5999, 7000, 6000, 5000, 1000), [6]uint32{2250, 0, 1400, 900, 500, 450}, 55, false, []Reason{ReasonLowFaceMatch}},
		{"face at minimum", feats(9000, 6000, 7000, 6000, 5000, 1000), [6]uint32{2250, 1500, 1400, 900, 500, 450}, 70, true, nil},
		{"missing selfie", noSelfie, [6]uint32{2250, 0, 0, 900, 500, 450}, 41, false, []Reason{ReasonBelowPassThreshold, ReasonMissingSelfie}},
		{"nothing", nothing, [6]uint32{0, 0, 0, 0, 0, 500}, 5, false, []Reason{ReasonBelowPassThreshold, ReasonMissingDocument, ReasonMissingSelfie}},
		{"high risk", feats(9000, 8000, 7000, 6000, 5000, 7001), [6]uint32{2250, 2000, 1400, 900, 500, 0}, 70, false, []Reason{ReasonHighRisk}},
		{"perfect", feats(10000, 10000, 10000, 10000, 10000, 0), [6]uint32{2500, 2500, 2000, 1500, 1000, 500}, 100, true, nil},
		// 1250+1500+1000+450+0+150 = 4350: every minimum met, below the pass threshold
		{"minimums only", feats(5000, 6000, 5000, 3000, 0, 7000), [6]uint32{1250, 1500, 1000, 450, 0, 150}, 43, false, []Reason{ReasonBelowPassThreshold}},
		{"low document and liveness", feats(4999, 9000, 4999, 2999, 10000, 0), [6]uint32{0, 2250, 0, 0, 1000, 500}, 37, false,
			[]Reason{ReasonBelowPassThreshold, ReasonLowConsistency, ReasonLowDocument, ReasonLowLiveness}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Score(c.f)
			if err != nil {
				t.Fatal(err)
			}
			var got [6]uint32
			for i, ct := range r.Contributions {
				got[i] = ct.Points
			}
			if got != c.points || r.Score != c.score || r.Passed != c.passed {
				t.Fatalf("got points %v score %d passed %v; want %v %d %v", got, r.Score, r.Passed, c.points, c.score, c.passed)
			}
			if c.reasons == nil {
				c.reasons = []Reason{}
			}
			if !slices.Equal(r.Reasons, c.reasons) {
				t.Fatalf("reasons %v, want %v", r.Reasons, c.reasons)
			}
			if r.Model != "composite-v2" {
				t.Fatalf("model %q", r.Model)
			}
		})
	}
}

func TestScoreRejectsOutOfRange(t *testing.T) {
	for i := range 6 {
		v := [6]uint32{}
		v[i] = BasisPoints + 1
		_, err := Score(feats(v[0], v[1], v[2], v[3], v[4], v[5]))
		var ve *Error
		if !errors.Is(err, ErrFeatureRange) || !errors.As(err, &ve) || ve.Code != "FEATURE_RANGE" {
			t.Fatalf("component %d: %v", i, err)
		}
	}
}

// The input hash is SHA-256 of the documented encoding, rebuilt here byte by byte.
func TestInputHashEncoding(t *testing.T) {
	f := feats(9000, 8000, 7000, 6000, 5000, 1000)
	var b bytes.Buffer
	b.WriteString("VEID-SCORE-INPUT-v1\x00")
	binary.Write(&b, binary.BigEndian, uint16(12))
	b.WriteString("composite-v2")
	binary.Write(&b, binary.BigEndian, uint16(4))
	b.WriteString("test")
	b.WriteByte(3)
	for _, v := range []uint32{9000, 8000, 7000, 6000, 5000, 1000} {
		binary.Write(&b, binary.BigEndian, v)
	}
	want := sha256.Sum256(b.Bytes())
	r, _ := Score(f)
	if r.InputHash != want {
		t.Fatalf("input hash %x, want %x", r.InputHash, want)
	}
	// Golden value: the same on every platform (checked under GOARCH=386 too).
	if got := hex.EncodeToString(want[:]); got != goldenInputHash {
		t.Fatalf("golden input hash changed: %s", got)
	}
	// Any change of input changes the hash.
	g := f
	g.Extractor = "other"
	h := f
	h.Risk++
	if InputHash(CompositeV2Version, g) == want || InputHash(CompositeV2Version, h) == want || InputHash("composite-v3", f) == want {
		t.Fatal("hash ignores an input")
	}
}

// goldenInputHash was computed independently (Python hashlib over the same bytes).
const goldenInputHash = "7afd67f6fc22cec7fa2713641cce60aadc1fc48aae13c319e925c834253561be"

func TestScoreDeterministic(t *testing.T) {
	f := feats(8123, 7456, 6789, 5012, 3456, 1234)
	first, _ := Score(f)
	for range 100 {
		r, _ := Score(f)
		if r.Score != first.Score || r.InputHash != first.InputHash || !slices.Equal(r.Contributions, first.Contributions) {
			t.Fatal("score differs between runs")
		}
	}
}

// A Model implementation can replace composite-v2 under its own version.
func TestModelInterface(t *testing.T) {
	var m Model = CompositeV2{}
	r, err := m.Score(feats(9000, 8000, 7000, 6000, 5000, 1000))
	if err != nil || r.Model != m.Version() {
		t.Fatal(r.Model, err)
	}
}

// Two extractors that differ only after byte 65535 used to be cut to the same prefix and hash the
// same. Both are refused now, by ComputeInputHash and by Score, with ErrTooLong.
func TestInputHashRejectsOverlongStrings(t *testing.T) {
	long := strings.Repeat("x", 65535)
	a, b := feats(9000, 8000, 7000, 6000, 5000, 1000), feats(9000, 8000, 7000, 6000, 5000, 1000)
	a.Extractor, b.Extractor = long+"a", long+"b"
	for _, f := range []Features{a, b} {
		var ve *Error
		if _, err := ComputeInputHash(CompositeV2Version, f); !errors.Is(err, ErrTooLong) || !errors.As(err, &ve) || ve.Code != "TOO_LONG" {
			t.Fatalf("extractor of %d bytes: %v", len(f.Extractor), err)
		}
		if _, err := Score(f); !errors.Is(err, ErrTooLong) {
			t.Fatalf("Score with an extractor of %d bytes: %v", len(f.Extractor), err)
		}
		// The error names the field and its size, not the content.
		if _, err := Score(f); strings.Contains(err.Error(), "xxxx") {
			t.Fatal("error quotes the extractor:", err)
		}
		if h := InputHash(CompositeV2Version, f); h != ([32]byte{}) {
			t.Fatal("deprecated InputHash returned a hash for an unencodable input")
		}
	}
	if _, err := ComputeInputHash(long+"m", feats(9000, 8000, 7000, 6000, 5000, 1000)); !errors.Is(err, ErrTooLong) {
		t.Fatal("over-long model version accepted:", err)
	}

	// Accept twin: exactly 65535 bytes is the longest valid string, hashed with its full length
	// (0xffff prefix), and two such strings differing in the last byte hash differently.
	c, d := feats(9000, 8000, 7000, 6000, 5000, 1000), feats(9000, 8000, 7000, 6000, 5000, 1000)
	c.Extractor, d.Extractor = long[:65534]+"c", long[:65534]+"d"
	hc, err := ComputeInputHash(CompositeV2Version, c)
	if err != nil {
		t.Fatal(err)
	}
	hd, err := ComputeInputHash(CompositeV2Version, d)
	if err != nil || hc == hd {
		t.Fatal("65535-byte extractors: ", err, hc == hd)
	}
	var buf bytes.Buffer
	buf.WriteString("VEID-SCORE-INPUT-v1\x00\x00\x0ccomposite-v2\xff\xff")
	buf.WriteString(c.Extractor)
	buf.WriteByte(3)
	for _, v := range []uint32{9000, 8000, 7000, 6000, 5000, 1000} {
		binary.Write(&buf, binary.BigEndian, v)
	}
	if hc != sha256.Sum256(buf.Bytes()) {
		t.Fatal("65535-byte extractor not encoded as documented")
	}
	if r, err := Score(c); err != nil || r.InputHash != hc || InputHash(CompositeV2Version, c) != hc {
		t.Fatal("Score and InputHash disagree with ComputeInputHash:", err)
	}
}

// ComputeInputHash gives the documented golden value; InputHash is the same for valid inputs.
func TestComputeInputHashGolden(t *testing.T) {
	f := feats(9000, 8000, 7000, 6000, 5000, 1000)
	h, err := ComputeInputHash(CompositeV2Version, f)
	if err != nil || hex.EncodeToString(h[:]) != goldenInputHash || InputHash(CompositeV2Version, f) != h {
		t.Fatalf("%x %v", h, err)
	}
}
