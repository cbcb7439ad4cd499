// Package assets knows every model file and test image the project uses, where they live on this
// machine, and how to fetch and verify them.
//
// The one setting is the data directory: $VIRTENGINE_DATA when set, otherwise
// $XDG_DATA_HOME/virtengine, otherwise ~/.local/share/virtengine. Set-up (scripts/setup.sh, which runs
// `go run ./internal/assets/fetch`) fills it; tests, the CLI and the demo read from it.
//
// Every file is pinned by sha256 in manifest.json. A file is taken from the project's shared mirror
// (../shared beside the repository, or $VIRTENGINE_SHARED) when present, otherwise from its npm or
// Debian package or its upstream URL (pinned to a commit or a versioned file), and is refused when
// its hash differs. A few test files are published nowhere else (they were made or assembled for the
// project); their entries say so and why, and only the shared data has them.
package assets

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// EnvDataDir names the environment variable that overrides the data directory.
const EnvDataDir = "VIRTENGINE_DATA"

// EnvSharedDir names the environment variable that points at a local mirror of the models and test data.
const EnvSharedDir = "VIRTENGINE_SHARED"

//go:embed manifest.json
var manifestJSON []byte

// Entry is one pinned file of the manifest.
type Entry struct {
	// Name is the file's path relative to the data directory (and to the shared mirror).
	Name    string   `json:"name"`
	SHA256  string   `json:"sha256"`
	Licence string   `json:"licence"`
	UsedBy  []string `json:"used_by"`
	// Upstream is a URL pinned to a commit (or to an archive's versioned file name).
	Upstream string `json:"upstream,omitempty"`
	// UpstreamCheck says how the upstream pin was established and whether its bytes were compared.
	UpstreamCheck string `json:"upstream_check,omitempty"`
	NPM           string `json:"npm,omitempty"`      // npm package spec holding the file, e.g. "@scope/pkg@1.2.3"
	NPMPath       string `json:"npm_path,omitempty"` // the file's path inside the packed tarball
	Deb           string `json:"deb,omitempty"`      // Debian package holding the file, "name=version"
	DebPath       string `json:"deb_path,omitempty"` // the file's path inside the package
	// SharedOnly, when set, says why no public source has this file: only the shared data holds it.
	SharedOnly  string `json:"shared_only,omitempty"`
	Description string `json:"description"`
}

// Required reports whether the CLI or the demo reads the file at run time (every model, and the test
// images the demo and `bio bench` use). The other files are read by tests only.
func (e Entry) Required() bool {
	if strings.HasPrefix(e.Name, "models/") {
		return true
	}
	for _, u := range e.UsedBy {
		if u == "internal/demo" || u == "cmd/virtengine" {
			return true
		}
	}
	return false
}

// Manifest is the list of every file the project fetches.
type Manifest struct {
	Version int     `json:"version"`
	Files   []Entry `json:"files"`
}

// Load returns the embedded manifest, sorted by name.
func Load() (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return nil, fmt.Errorf("assets: embedded manifest is corrupt: %w", err)
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Name < m.Files[j].Name })
	return &m, nil
}

// Lookup returns the manifest entry for name.
func (m *Manifest) Lookup(name string) (Entry, bool) {
	for _, e := range m.Files {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// DataDir returns the data directory (see the package doc). It does not create it.
func DataDir() string {
	if d := os.Getenv(EnvDataDir); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "virtengine")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return filepath.Join(os.TempDir(), "virtengine-data")
	}
	return filepath.Join(home, ".local", "share", "virtengine")
}

// ErrMissing reports a pinned file that is not in the data directory.
var ErrMissing = errors.New("assets: file missing")

// ErrChecksum reports a file whose sha256 differs from the manifest.
var ErrChecksum = errors.New("assets: sha256 mismatch")

// FileError says which file failed and what to run to fix it.
type FileError struct {
	Name string
	Path string
	Err  error // ErrMissing or ErrChecksum
	Got  string
	Want string // the pinned sha256, when known
	// Fetched marks a copy that a source gave and that was refused before it reached Path.
	Fetched bool
}

func (e *FileError) Error() string {
	if e.Fetched {
		return fmt.Sprintf("%s: refused a copy of %s with sha256 %s (pinned: %s)", e.Err, e.Name, e.Got, e.Want)
	}
	fix := "run `" + FetchCommand(e.dataDir()) + "` (or scripts/setup.sh) to fetch it"
	if errors.Is(e.Err, ErrChecksum) {
		return fmt.Sprintf("%s: %s is corrupt (sha256 %s); delete it and %s", e.Err, e.Path, e.Got, fix)
	}
	return fmt.Sprintf("%s: %s; %s", e.Err, e.Path, fix)
}

// dataDir recovers the data directory from Path and Name.
func (e *FileError) dataDir() string {
	rel := filepath.FromSlash(e.Name)
	if e.Name != "" && strings.HasSuffix(e.Path, string(filepath.Separator)+rel) {
		return strings.TrimSuffix(e.Path, string(filepath.Separator)+rel)
	}
	return DataDir()
}

// FetchCommand returns the command that fills the data directory dir, naming dir so that the files
// land where they are looked for.
func FetchCommand(dir string) string {
	return "go run ./internal/assets/fetch -data " + ShellQuote(dir)
}

// SharedFetchCommand returns the command that fills dir from a copy of the project's shared data.
func SharedFetchCommand(dir string) string {
	return EnvSharedDir + "=/path/to/shared " + FetchCommand(dir)
}

// ShellQuote quotes s for a POSIX shell when it holds anything but plain path characters.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%~") == "" && !strings.HasPrefix(s, "~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (e *FileError) Unwrap() error { return e.Err }

// Path returns the absolute path of the pinned file name in the data directory, after checking that it
// exists. It does not hash the file (see Verify); callers on a hot path call it once.
func Path(name string) (string, error) {
	p := filepath.Join(DataDir(), filepath.FromSlash(name))
	if _, err := os.Stat(p); err != nil {
		return p, &FileError{Name: name, Path: p, Err: ErrMissing}
	}
	return p, nil
}

// TestdataPath returns the path of a shared test file, e.g. TestdataPath("faces/public_domain/obama.jpg").
func TestdataPath(rel string) (string, error) { return Path("testdata/" + rel) }

// ModelPath returns the path of a model file, e.g. ModelPath("face_detection/face_detection_yunet_2022mar.onnx").
func ModelPath(rel string) (string, error) { return Path("models/" + rel) }
