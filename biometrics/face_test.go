package biometrics

import (
	"errors"
	"math"
	"testing"

	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
)

func TestDetect(t *testing.T) {
	e := engine(t)
	for name, want := range map[string]int{"obama.jpg": 1, "two_people.jpg": 2} {
		faces, err := e.Detect(name, face(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(faces) != want {
			t.Fatalf("%s: %d faces, want %d", name, len(faces), want)
		}
		for _, f := range faces {
			// Landmarks lie inside the box, eyes above the mouth, the subject's right eye on the image's left.
			for _, p := range f.Landmarks {
				if int(p.X) < f.Box.Min.X || int(p.X) > f.Box.Max.X || int(p.Y) < f.Box.Min.Y || int(p.Y) > f.Box.Max.Y {
					t.Errorf("%s: landmark %v outside %v", name, p, f.Box)
				}
			}
			if f.Landmarks[RightEye].X >= f.Landmarks[LeftEye].X || f.Landmarks[RightEye].Y >= f.Landmarks[RightMouth].Y {
				t.Errorf("%s: landmark order %v", name, f.Landmarks)
			}
		}
	}
}

// TestEmbedMatchesReference runs the converted ONNX network in OpenCV and the TensorFlow.js network
// directly in Go (facerec.Net.Forward, op by op, no folding) on the same aligned chip of obama.jpg:
// the descriptors agree within 1e-4.
func TestEmbedMatchesReference(t *testing.T) {
	e := engine(t)
	img, err := DecodeImage("obama.jpg", face(t, "obama.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	faces := e.det.Detect(img)
	if len(faces) == 0 {
		t.Fatal("no face")
	}
	chip := Align(img, faces[0])
	defer chip.Close()
	got, err := e.emb.Embed(chip)
	if err != nil {
		t.Fatal(err)
	}
	in, err := referenceInput(chip)
	if err != nil {
		t.Fatal(err)
	}
	mp, _ := assets.ModelPath(facerec.SourceManifest)
	wp, _ := assets.ModelPath(facerec.SourceWeights)
	net, err := facerec.Load(mp, wp)
	if err != nil {
		t.Fatal(err)
	}
	want, err := net.Forward(in)
	if err != nil {
		t.Fatal(err)
	}
	var maxDiff float64
	for i := range want {
		maxDiff = math.Max(maxDiff, math.Abs(float64(got[i]-want[i])))
	}
	if maxDiff > 1e-4 {
		t.Fatalf("ONNX and Go reference differ by %g", maxDiff)
	}
	t.Logf("max |ONNX − reference| = %.2g", maxDiff)
	// Reject twin: a different chip gives a different descriptor.
	other, err := e.EmbedImage("obama2.jpg", face(t, "obama2.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if d := dist(other.Embedding, want); d < 0.05 {
		t.Fatalf("another photo gives the same descriptor (%g)", d)
	}
}

func dist(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

var people = map[string]string{
	"obama.jpg": "obama", "obama2.jpg": "obama", "obama3.jpg": "obama",
	"biden.jpg": "biden", "biden2.jpg": "biden", "astronaut.png": "collins",
}

// TestPairAccuracy compares every pair of the test set: same person matches, different people reject.
// biden.jpg (whose face is small in the frame) matches biden2.jpg at distance 0.45, inside the match
// band.
func TestPairAccuracy(t *testing.T) {
	e := engine(t)
	res := map[string]*FaceResult{}
	for name := range people {
		r, err := e.EmbedImage(name, face(t, name))
		if err != nil {
			t.Fatal(err)
		}
		res[name] = r
	}
	pairs, right := 0, 0
	for a := range people {
		for b := range people {
			if a >= b {
				continue
			}
			c, err := Compare(res[a].Quantized, res[b].Quantized)
			if err != nil {
				t.Fatal(err)
			}
			want := Reject
			if people[a] == people[b] {
				want = Match
			}
			pairs++
			if c.Decision == want {
				right++
			} else {
				t.Errorf("%s vs %s: %s at %d‰, want %s", a, b, c.Decision, c.DistanceMilli, want)
			}
			t.Logf("%-13s %-13s %4d‰ %5d bp %s", a, b, c.DistanceMilli, c.SimilarityBP, c.Decision)
		}
	}
	t.Logf("accuracy %d/%d pairs", right, pairs)
}

func TestMatchImagesAndClose(t *testing.T) {
	e := engine(t)
	m, err := e.MatchImages(face(t, "obama2.jpg"), face(t, "obama3.jpg"))
	if err != nil || m.Decision != Match || m.SimilarityBP < 5000 {
		t.Fatalf("%+v %v", m, err)
	}
	m, err = e.MatchImages(face(t, "obama2.jpg"), face(t, "astronaut.png"))
	if err != nil || m.Decision != Reject {
		t.Fatalf("%+v %v", m, err)
	}
	e2, err := Open(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e2.ModelHash() != e.ModelHash() || len(e2.ModelHash()) != 64 {
		t.Fatal("model hash differs between engines")
	}
	e2.Close()
	e2.Close()
	if _, err := e2.Detect("x", face(t, "obama.jpg")); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed engine: %v", err)
	}
}

func TestCompareIntegers(t *testing.T) {
	a := make([]int8, 128)
	b := make([]int8, 128)
	c, _ := Compare(a, b)
	if c.DistanceMilli != 0 || c.SimilarityBP != 10000 || c.Decision != Match {
		t.Fatalf("%+v", c)
	}
	b[0] = 128 - 1 // distance 127/256 = 0.496
	c, _ = Compare(a, b)
	if c.DistanceMilli != 496 || c.Decision != Match {
		t.Fatalf("%+v", c)
	}
	b[1] = 80 // √(127² + 80²)/256 = 0.586
	if c, _ = Compare(a, b); c.Decision != Borderline {
		t.Fatalf("%+v", c)
	}
	b[2] = 127
	if c, _ = Compare(a, b); c.Decision != Reject {
		t.Fatalf("%+v", c)
	}
	if _, err := Compare(a, b[:5]); err == nil {
		t.Fatal("length mismatch accepted")
	}
	for _, n := range []uint64{0, 1, 2, 3, 4, 15, 16, 17, 1 << 40, 1<<63 - 1} {
		r := isqrt(n)
		if r*r > n || (r+1)*(r+1) <= n {
			t.Fatalf("isqrt(%d) = %d", n, r)
		}
	}
}
