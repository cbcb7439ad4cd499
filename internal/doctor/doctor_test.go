package doctor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
)

// fakeTools answers the tool checks as a set-up machine would, so that these tests look only at files.
func fakeTools(ctx context.Context, name string, args ...string) (string, error) {
	switch name + " " + strings.Join(args, " ") {
	case "go version":
		return "go version go1.26.8 linux/amd64", nil
	case "pkg-config --modversion opencv4":
		return "4.6.0", nil
	case "tesseract --version":
		return "tesseract 5.3.0\n leptonica-1.82.0", nil
	case "pkg-config --modversion zxing":
		return "1.4.0", nil
	case "chromium --version":
		return "Chromium 156.0.8078.73 built on Debian", nil
	case "npm --version":
		return "11.1.0", nil
	}
	return "", errors.New("not found")
}

// copyData makes a private copy of the real data directory so the test can damage it.
func copyData(t *testing.T) string {
	t.Helper()
	src := assets.DataDir()
	m, err := assets.Load()
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	names := []string{"models/" + facerec.ONNXFile}
	for _, e := range m.Files {
		names = append(names, e.Name)
	}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatalf("%v: run scripts/setup.sh first", err)
		}
		p := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func find(r *Report, name string) Check {
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	return Check{}
}

func TestDoctorAllPresent(t *testing.T) {
	dir := copyData(t)
	r, err := Run(context.Background(), dir, fakeTools)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || len(r.Missing()) != 0 {
		t.Fatalf("expected everything present, missing: %+v", r.Missing())
	}
}

func TestDoctorNamesDeletedAndCorruptModels(t *testing.T) {
	dir := copyData(t)
	const del = "models/face_detection/face_detection_yunet_2022mar.onnx"
	const bad = "models/tessdata/mrz.traineddata"
	const conv = "models/" + facerec.ONNXFile
	if err := os.Remove(filepath.Join(dir, del)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, bad))
	if err != nil {
		t.Fatal(err)
	}
	b[100] ^= 0x01 // one flipped bit
	if err := os.WriteFile(filepath.Join(dir, bad), b, 0o644); err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(filepath.Join(dir, conv)); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), dir, fakeTools)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || len(r.Missing()) != 3 {
		t.Fatalf("want exactly 3 failed checks, got %+v", r.Missing())
	}
	// Every fix names this data directory: the default one may be another, and a fix that fetched
	// there would leave this one broken.
	if c := find(r, conv); c.OK || c.Found != "missing" || !strings.Contains(c.Fix, "facerec-convert -models "+filepath.Join(dir, "models")) {
		t.Errorf("deleted converted model: %+v", c)
	}
	if c := find(r, del); c.OK || c.Found != "missing" || c.Fix != "go run ./internal/assets/fetch -data "+dir {
		t.Errorf("deleted model: %+v", c)
	}
	if c := find(r, bad); c.OK || !strings.HasPrefix(c.Found, "corrupt") || c.Fix != "rm "+filepath.Join(dir, bad)+" && go run ./internal/assets/fetch -data "+dir {
		t.Errorf("corrupted model: %+v", c)
	}
}

// TestDoctorSharedOnlyFixPointsAtTheSharedData: a file that no public source has can only come from a
// copy of the shared data, and the fix says so.
func TestDoctorSharedOnlyFixPointsAtTheSharedData(t *testing.T) {
	dir := copyData(t)
	const name = "testdata/documents/pdf417/aamva/aamva_expected.json"
	if err := os.Remove(filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), dir, fakeTools)
	if err != nil {
		t.Fatal(err)
	}
	want := "VIRTENGINE_SHARED=/path/to/shared go run ./internal/assets/fetch -data " + dir
	if c := find(r, name); c.OK || !strings.HasPrefix(c.Fix, want) || !strings.Contains(c.Fix, "only the project's shared data") {
		t.Errorf("missing shared-only file: %+v", c)
	}
}

func TestDoctorWrongOpenCVAndMissingTool(t *testing.T) {
	dir := copyData(t)
	run := func(ctx context.Context, name string, args ...string) (string, error) {
		switch {
		case name == "pkg-config" && args[1] == "opencv4":
			return "4.8.0", nil
		case name == "chromium":
			return "", errors.New("exec: chromium: not found")
		}
		return fakeTools(ctx, name, args...)
	}
	r, err := Run(context.Background(), dir, run)
	if err != nil {
		t.Fatal(err)
	}
	if c := find(r, "opencv"); c.OK || c.Found != "4.8.0" || c.Fix == "" {
		t.Errorf("opencv 4.8 must be refused: %+v", c)
	}
	if c := find(r, "chromium"); c.OK || !strings.Contains(c.Fix, "apt-get install chromium") {
		t.Errorf("missing chromium: %+v", c)
	}
}

// TestDoctorThisMachine runs the real tool checks: after scripts/setup.sh everything must be present.
func TestDoctorThisMachine(t *testing.T) {
	r, err := Run(context.Background(), assets.DataDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Missing() {
		t.Errorf("%s: found %q, want %q; fix: %s", c.Name, c.Found, c.Want, c.Fix)
	}
}
