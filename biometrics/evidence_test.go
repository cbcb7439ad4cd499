package biometrics

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/features"
)

func TestEvidence(t *testing.T) {
	e := engine(t)
	now := time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC) // before the specimen's expiry (2012-04-15)
	doc := testdata(t, "documents/mrz/passport-td3.jpg")
	in := EvidenceInput{
		Selfie: face(t, "obama2.jpg"), Document: syntheticCard(t, e, "obama.jpg"), Now: now,
		Claimed: ClaimedFields{Surname: "Eriksson", BirthDate: "1974-08-12"},
	}
	// The synthetic card has no MRZ; the specimen passport has one but not Obama's face. Take the face
	// from the card and the zone from the passport by stacking the two images.
	in.Document = stack(t, in.Document, doc)
	f, err := e.Evidence(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if f.FaceMatchBP != features.MaxBP || f.LivenessBP != features.MaxBP || f.DocumentValidityBP != features.MaxBP || f.ConsistencyBP != features.MaxBP {
		t.Fatalf("%+v", f)
	}
	if f.FaceDistanceMilli < 0 || f.FaceDistanceMilli > MatchMaxDistanceMilli || f.PassiveLivenessBP <= LivenessThresholdBP {
		t.Fatalf("measurements %+v", f)
	}
	if len(f.Embedding) != features.EmbeddingDim || f.ModelHash != e.ModelHash() {
		t.Fatalf("embedding %d, hash %q", len(f.Embedding), f.ModelHash)
	}
	// Determinism: the same evidence gives the same bytes.
	g, _ := e.Evidence(in)
	a, _ := f.MarshalBinary()
	b, _ := g.MarshalBinary()
	if !bytes.Equal(a, b) {
		t.Fatal("same evidence, different features")
	}
	t.Logf("face %d (distance %d‰) liveness %d (passive %d) quality %d document %d consistency %d reasons %v", f.FaceMatchBP, f.FaceDistanceMilli,
		f.LivenessBP, f.PassiveLivenessBP, f.QualityBP, f.DocumentValidityBP, f.ConsistencyBP, f.Reasons)

	// Reject twins: another person's selfie, a spoof, a wrong claim, an expired document.
	bad := in
	bad.Selfie = face(t, "astronaut.png")
	if f, _ := e.Evidence(bad); f.FaceMatchBP != 0 || !slices.Contains(f.Reasons, features.LowFaceMatch) {
		t.Errorf("other person: %d %+v", f.FaceMatchBP, f.Reasons)
	}
	bad = in
	bad.Selfie = testdata(t, "faces/liveness/spoof_F2.jpg")
	if f, _ := e.Evidence(bad); f.LivenessBP != 0 || !slices.Contains(f.Reasons, features.SpoofSuspected) {
		t.Errorf("spoof: %d %+v", f.LivenessBP, f.Reasons)
	}
	bad = in
	bad.Claimed.BirthDate = "1974-08-13"
	if f, _ := e.Evidence(bad); f.ConsistencyBP >= features.MaxBP || !slices.Contains(f.Reasons, features.FieldMismatch) {
		t.Errorf("wrong claim: %d %+v", f.ConsistencyBP, f.Reasons)
	}
	bad = in
	bad.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if f, _ := e.Evidence(bad); f.DocumentValidityBP != 0 || !slices.Contains(f.Reasons, features.DocumentExpired) {
		t.Errorf("expired: %+v", f)
	}
}

// stack puts image b under image a (same width after resizing b) and returns a JPEG.
func stack(t *testing.T, a, b []byte) []byte {
	t.Helper()
	return variant(t, a, func(top gocvMat) gocvMat { return stackMats(t, top, b) })
}

type gocvMat = gocv.Mat

func stackMats(t *testing.T, top gocv.Mat, b []byte) gocv.Mat {
	bot, err := DecodeImage("b", b)
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Close()
	rb := gocv.NewMat()
	defer rb.Close()
	gocv.Resize(bot, &rb, image.Pt(top.Cols(), bot.Rows()*top.Cols()/bot.Cols()), 0, 0, gocv.InterpolationArea)
	out := gocv.NewMat()
	gocv.Vconcat(top, rb, &out)
	return out
}

// TestModelHashNamesVIZModel: the system's Tesseract "eng" model decides part of ConsistencyBP, so
// its bytes are part of the model hash: another file gives another hash, none gives a third.
func TestModelHashNamesVIZModel(t *testing.T) {
	e := engine(t)
	_, sysLine, _ := vizModel()
	if h, err := verifyModels(e.modelsDir, sysLine); err != nil || h != e.ModelHash() {
		t.Fatalf("engine hash %s, recomputed %s %v", e.ModelHash(), h, err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "eng.traineddata"), []byte("another model"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TESSDATA_PREFIX", dir)
	d, line, ok := vizModel()
	if !ok || d != dir || line == sysLine {
		t.Fatalf("vizModel with TESSDATA_PREFIX: %q %q %v", d, line, ok)
	}
	other, err := verifyModels(e.modelsDir, line)
	if err != nil {
		t.Fatal(err)
	}
	none, err := verifyModels(e.modelsDir, "")
	if err != nil {
		t.Fatal(err)
	}
	if other == e.ModelHash() || none == e.ModelHash() || other == none {
		t.Fatalf("hashes: engine %s, other eng model %s, none %s", e.ModelHash(), other, none)
	}
}
