package assets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
		if len(e.SHA256) != 64 || e.Licence == "" || len(e.UsedBy) == 0 || e.Description == "" {
			t.Errorf("%s: incomplete entry %+v", e.Name, e)
		}
	}
	for _, want := range []string{"models/face_detection/face_detection_yunet_2022mar.onnx", "models/face_recognition/face_recognition_model.bin", "testdata/hpc/KTH-SP2-1996-2.1-cln.swf.gz"} {
		if !seen[want] {
			t.Errorf("manifest lacks %s", want)
		}
	}
}

var (
	commitRef  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	npmPinned  = regexp.MustCompile(`^(@[a-z0-9-]+/)?[a-z0-9._-]+@\d+\.\d+\.\d+$`)
	debPinned  = regexp.MustCompile(`^[a-z0-9.+-]+=[0-9][A-Za-z0-9.+~:-]*$`)
	archiveURL = "https://www.cs.huji.ac.il/labs/parallel/workload/" // the Parallel Workloads Archive: versions are in the file names
)

// TestEveryFileHasAPinnedSourceOrSaysWhyNot: without ../shared a file can only come from a source the
// manifest pins, so each entry has one (pinned to a commit, an exact package version or the archive's
// versioned file) or says why only the shared data has it. The CLI and the demo never depend on a
// shared-only file.
func TestEveryFileHasAPinnedSourceOrSaysWhyNot(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	public := 0
	for _, e := range m.Files {
		hasSource := e.Upstream != "" || e.NPM != "" || e.Deb != ""
		switch {
		case hasSource && e.SharedOnly != "":
			t.Errorf("%s has a source and says it is shared-only", e.Name)
		case !hasSource && e.SharedOnly == "":
			t.Errorf("%s has no source and does not say why: users without ../shared could not fetch it", e.Name)
		case e.SharedOnly != "" && e.Required():
			t.Errorf("%s is read by the CLI or the demo but only the shared data has it", e.Name)
		case hasSource:
			public++
		}
		if e.Upstream != "" {
			checkPinned(t, e)
		}
		if e.NPM != "" && (!npmPinned.MatchString(e.NPM) || e.NPMPath == "") {
			t.Errorf("%s: npm source %q is not an exact version with a path", e.Name, e.NPM)
		}
		if e.Deb != "" && (!debPinned.MatchString(e.Deb) || e.DebPath == "") {
			t.Errorf("%s: Debian source %q is not name=version with a path", e.Name, e.Deb)
		}
	}
	t.Logf("%d of %d files have a public source; %d only in the shared data", public, len(m.Files), len(m.Files)-public)
}

func checkPinned(t *testing.T, e Entry) {
	t.Helper()
	if e.UpstreamCheck == "" {
		t.Errorf("%s: upstream_check must say how the pin was established", e.Name)
	}
	u, err := url.Parse(e.Upstream)
	if err != nil || u.Scheme != "https" {
		t.Errorf("%s: upstream %q is not an https URL", e.Name, e.Upstream)
		return
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	switch u.Host {
	case "raw.githubusercontent.com": // /OWNER/REPO/COMMIT/PATH
		if len(parts) < 4 || !commitRef.MatchString(parts[2]) {
			t.Errorf("%s: upstream %s is not pinned to a full commit hash", e.Name, e.Upstream)
		}
	case "media.githubusercontent.com": // /media/OWNER/REPO/COMMIT/PATH (Git LFS)
		if len(parts) < 5 || parts[0] != "media" || !commitRef.MatchString(parts[3]) {
			t.Errorf("%s: upstream %s is not pinned to a full commit hash", e.Name, e.Upstream)
		}
	default:
		if !strings.HasPrefix(e.Upstream, archiveURL) {
			t.Errorf("%s: upstream host %s is neither GitHub at a commit nor a known versioned archive", e.Name, u.Host)
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
	dir := filepath.Join(t.TempDir(), "my data")
	m := &Manifest{Files: []Entry{{Name: "testdata/y.jpg", SHA256: sum([]byte("y")), UsedBy: []string{"biometrics"}, SharedOnly: "made for this project"}}}
	err := (&Fetcher{Dir: dir, Shared: t.TempDir()}).FetchAll(context.Background(), m)
	var fe *FetchError
	if !errors.Is(err, ErrMissing) || !errors.As(err, &fe) || len(fe.Failed) != 1 {
		t.Fatalf("want a FetchError wrapping ErrMissing, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"testdata/y.jpg", "made for this project", "not there", "VIRTENGINE_SHARED=/path/to/shared go run ./internal/assets/fetch -data '" + dir + "'"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if !fe.OnlyTests() || !fe.SharedOnly() {
		t.Errorf("a test-only, shared-only file: OnlyTests=%v SharedOnly=%v", fe.OnlyTests(), fe.SharedOnly())
	}
}

// TestFetchGoesOnPastAFailure: one unreachable file must not stop the others, and every failed file
// is named; a host that could not be reached is not asked again for the next file.
func TestFetchGoesOnPastAFailure(t *testing.T) {
	good := []byte("trace")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(good) }))
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // connections are refused from now on
	dials := 0
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == strings.TrimPrefix(deadURL, "http://") {
			dials++
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	m := &Manifest{Files: []Entry{
		{Name: "models/a.onnx", SHA256: sum([]byte("a")), Upstream: deadURL + "/a"},
		{Name: "testdata/b.swf", SHA256: sum(good), Upstream: srv.URL + "/b"},
		{Name: "testdata/c.jpg", SHA256: sum([]byte("c")), Upstream: deadURL + "/c", UsedBy: []string{"biometrics"}},
	}}
	dir := t.TempDir()
	err := (&Fetcher{Dir: dir, Client: client}).FetchAll(context.Background(), m)
	var fe *FetchError
	if !errors.As(err, &fe) || len(fe.Failed) != 2 || fe.Failed[0].Name != "models/a.onnx" || fe.Failed[1].Name != "testdata/c.jpg" {
		t.Fatalf("want a and c named as failed, got %v", err)
	}
	if VerifyFile(dir, m.Files[1]) != nil {
		t.Error("the reachable file was not fetched")
	}
	if fe.OnlyTests() {
		t.Error("a missing model is not a test-only failure")
	}
	if dials != 1 {
		t.Errorf("the dead host was tried %d times, want 1", dials)
	}
	if !strings.Contains(err.Error(), "-data "+dir) {
		t.Errorf("the fix does not name the data directory: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRequired(t *testing.T) {
	for _, c := range []struct {
		e    Entry
		want bool
	}{
		{Entry{Name: "models/x.onnx", UsedBy: []string{"biometrics"}}, true},
		{Entry{Name: "testdata/faces/x.jpg", UsedBy: []string{"biometrics", "internal/demo"}}, true},
		{Entry{Name: "testdata/hpc/x.swf.gz", UsedBy: []string{"hpc", "cmd/virtengine"}}, true},
		{Entry{Name: "testdata/documents/x.png", UsedBy: []string{"biometrics"}}, false},
	} {
		if got := c.e.Required(); got != c.want {
			t.Errorf("%s used by %v: Required() = %v", c.e.Name, c.e.UsedBy, got)
		}
	}
	m, _ := Load()
	for _, name := range []string{"testdata/documents/mrz/passport-td2.jpg", "testdata/faces/public_domain/obama.jpg", "testdata/faces/public_domain/obama2.jpg",
		"testdata/faces/public_domain/obama3.jpg", "testdata/faces/liveness/spoof_F1.jpg", "testdata/documents/mrz/passport-td3.jpg", "testdata/hpc/KTH-SP2-1996-2.1-cln.swf.gz"} {
		if e, ok := m.Lookup(name); !ok || !e.Required() {
			t.Errorf("%s: the demo or the CLI reads it, so the manifest must mark it (used_by internal/demo or cmd/virtengine)", name)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/root/.local/share/virtengine": "/root/.local/share/virtengine",
		"/tmp/my data":                  "'/tmp/my data'",
		"/tmp/it's":                     `'/tmp/it'\''s'`,
		"":                              "''",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestPathReportsMissingWithFix(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDataDir, dir)
	_, err := ModelPath("face_detection/face_detection_yunet_2022mar.onnx")
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrMissing) {
		t.Fatalf("want a FileError wrapping ErrMissing, got %v", err)
	}
	if !strings.Contains(err.Error(), "go run ./internal/assets/fetch -data "+dir) {
		t.Errorf("the fix must name the data directory in use: %v", err)
	}
}

// TestDebMember reads one file out of a real .deb built here with dpkg-deb, as the Debian source does.
func TestDebMember(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "pkg/DEBIAN/control"), []byte("Package: ve-test\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n"))
	want := []byte("pinned bytes")
	writeFile(t, filepath.Join(root, "pkg/usr/share/ve/x.png"), want)
	deb := filepath.Join(root, "ve-test.deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "--build", filepath.Join(root, "pkg"), deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build: %v\n%s", err, out)
	}
	r, err := debMember(context.Background(), deb, "usr/share/ve/x.png")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || string(got) != string(want) {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := debMember(context.Background(), deb, "usr/share/ve/none.png"); err == nil {
		t.Fatal("a path the package lacks must be an error")
	}
}
