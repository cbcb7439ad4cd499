package assets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEmbeddedManifestIsComplete(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range m.Files {
		if seen[e.Name] {
			t.Errorf("%s listed twice", e.Name)
		}
		seen[e.Name] = true
		if len(e.SHA256) != 64 || e.Licence == "" || len(e.UsedBy) == 0 {
			t.Errorf("%s: incomplete entry %+v", e.Name, e)
		}
		if strings.HasPrefix(e.Name, "models/") && e.Upstream == "" && e.NPM == "" {
			t.Errorf("model %s has no upstream source: users without ../shared could not fetch it", e.Name)
		}
	}
	for _, want := range []string{"models/face_detection/face_detection_yunet_2022mar.onnx", "models/face_recognition/face_recognition_model.bin", "testdata/hpc/KTH-SP2-1996-2.1-cln.swf.gz"} {
		if !seen[want] {
			t.Errorf("manifest lacks %s", want)
		}
	}
}

func TestFetchFromSharedThenUpstream(t *testing.T) {
	good := []byte("model weights v1")
	shared, dir := t.TempDir(), t.TempDir()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(good) }))
	defer srv.Close()
	m := &Manifest{Files: []Entry{
		{Name: "models/a.onnx", SHA256: sum(good)},                           // from the shared mirror
		{Name: "models/b.onnx", SHA256: sum(good), Upstream: srv.URL},        // shared copy corrupt: upstream
		{Name: "models/c.onnx", SHA256: sum(good), Upstream: srv.URL + "/c"}, // not in the mirror: upstream
	}}
	writeFile(t, filepath.Join(shared, "models/a.onnx"), good)
	writeFile(t, filepath.Join(shared, "models/b.onnx"), []byte("tampered"))
	f := &Fetcher{Dir: dir, Shared: shared}
	if err := f.FetchAll(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	for _, s := range m.Check(dir) {
		if s.State != "ok" {
			t.Errorf("%s: %s", s.Name, s.State)
		}
	}
}

func TestFetchRefusesAMismatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("evil")) }))
	defer srv.Close()
	dir := t.TempDir()
	m := &Manifest{Files: []Entry{{Name: "models/x.onnx", SHA256: sum([]byte("good")), Upstream: srv.URL}}}
	err := (&Fetcher{Dir: dir}).FetchAll(context.Background(), m)
	var fe *FileError
	if !errors.Is(err, ErrChecksum) || !errors.As(err, &fe) || fe.Got != sum([]byte("evil")) {
		t.Fatalf("want a checksum error naming the bad hash, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "models/x.onnx")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a file that failed verification was left in the data directory")
	}
}

func TestFetchWithNoSourceSaysWhatToDo(t *testing.T) {
	m := &Manifest{Files: []Entry{{Name: "testdata/y.jpg", SHA256: sum([]byte("y"))}}}
	err := (&Fetcher{Dir: t.TempDir()}).FetchAll(context.Background(), m)
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("want ErrMissing, got %v", err)
	}
}

func TestPathReportsMissingWithFix(t *testing.T) {
	t.Setenv(EnvDataDir, t.TempDir())
	_, err := ModelPath("face_detection/face_detection_yunet_2022mar.onnx")
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrMissing) {
		t.Fatalf("want a FileError wrapping ErrMissing, got %v", err)
	}
}
