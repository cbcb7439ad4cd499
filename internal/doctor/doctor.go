// Package doctor checks that a machine has everything VirtEngine needs: the Go toolchain, the C
// libraries behind biometrics (OpenCV 4.6, Tesseract, zxing-cpp), Chromium for browser tests, and every
// pinned model and test file with its sha256. Each failed check names the command that fixes it.
package doctor

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
)

// Check is the result of one check.
type Check struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Found string `json:"found,omitempty"`
	Want  string `json:"want,omitempty"`
	Fix   string `json:"fix,omitempty"`
}

// Report is every check's result.
type Report struct {
	OK      bool    `json:"ok"`
	DataDir string  `json:"data_dir"`
	Checks  []Check `json:"checks"`
}

// Missing returns the checks that failed.
func (r *Report) Missing() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// Runner runs a command and returns its combined output; tests replace it.
type Runner func(ctx context.Context, name string, args ...string) (string, error)

func execRunner(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

const setupFix = "scripts/setup.sh"

// derived are model files that set-up converts from pinned originals; the conversion is deterministic.
// fix returns the command that makes the file in the data directory dir.
var derived = []struct {
	name, sha256 string
	fix          func(dir string) string
}{
	{"models/" + facerec.ONNXFile, facerec.ONNXSHA256, func(dir string) string {
		return "go run ./biometrics/cmd/facerec-convert -models " + assets.ShellQuote(filepath.Join(dir, "models"))
	}},
}

// fileFix returns the command that fetches entry e into the data directory dir, naming dir so that
// the file lands where it is looked for (the default data directory may be another one).
func fileFix(dir string, e assets.Entry) string {
	if e.SharedOnly != "" {
		return assets.SharedFetchCommand(dir) + " (only the project's shared data has this file: " + e.SharedOnly + ")"
	}
	return assets.FetchCommand(dir)
}

// tool describes one external program or library check.
type tool struct {
	name    string
	cmd     []string
	version *regexp.Regexp // first submatch is the version
	want    string         // required version prefix, "" for any
	fix     string
}

var tools = []tool{
	{"go", []string{"go", "version"}, regexp.MustCompile(`go(\d+\.\d+(\.\d+)?)`), "1.26", "install Go 1.26 from https://go.dev/dl and put it on PATH"},
	{"opencv", []string{"pkg-config", "--modversion", "opencv4"}, regexp.MustCompile(`(\d+\.\d+\.\d+)`), "4.6", "apt-get install libopencv-dev libopencv-contrib-dev opencv-data (or " + setupFix + ")"},
	{"tesseract", []string{"tesseract", "--version"}, regexp.MustCompile(`tesseract (\d+\.\d+\.\d+)`), "", "apt-get install tesseract-ocr libtesseract-dev libleptonica-dev (or " + setupFix + ")"},
	{"zxing-cpp", []string{"pkg-config", "--modversion", "zxing"}, regexp.MustCompile(`(\d+\.\d+(\.\d+)?)`), "", "apt-get install libzxing-dev (or " + setupFix + ")"},
	{"chromium", []string{"chromium", "--version"}, regexp.MustCompile(`Chromium (\d+[.\d]*)`), "", "apt-get install chromium chromium-driver (or " + setupFix + ")"},
	{"npm", []string{"npm", "--version"}, regexp.MustCompile(`(\d+\.\d+\.\d+)`), "", "apt-get install npm (needed once by set-up to fetch the face-recognition weights)"},
}

// Run performs every check against the data directory dir.
func Run(ctx context.Context, dir string, run Runner) (*Report, error) {
	if run == nil {
		run = execRunner
	}
	r := &Report{OK: true, DataDir: dir}
	for _, t := range tools {
		c := Check{Name: t.name, Want: t.want, Fix: t.fix}
		out, err := run(ctx, t.cmd[0], t.cmd[1:]...)
		if m := t.version.FindStringSubmatch(out); err == nil && m != nil {
			c.Found = m[1]
			c.OK = t.want == "" || c.Found == t.want || strings.HasPrefix(c.Found, t.want+".")
		} else {
			c.Found = "not found"
		}
		if c.OK {
			c.Fix = ""
		}
		r.Checks = append(r.Checks, c)
	}
	m, err := assets.Load()
	if err != nil {
		return nil, err
	}
	for _, s := range m.Check(dir) {
		c := Check{Name: s.Name, OK: s.State == "ok", Found: s.State, Want: "sha256 " + s.SHA256[:12] + "…"}
		switch s.State {
		case "missing":
			c.Fix = fileFix(dir, s.Entry)
		case "corrupt":
			c.Found = "corrupt: sha256 " + s.Got[:12] + "…"
			c.Fix = "rm " + assets.ShellQuote(s.Path) + " && " + fileFix(dir, s.Entry)
		}
		r.Checks = append(r.Checks, c)
	}
	for _, d := range derived {
		c := Check{Name: d.name, Want: "sha256 " + d.sha256[:12] + "…", Found: "ok", OK: true}
		p := filepath.Join(dir, filepath.FromSlash(d.name))
		switch got, err := assets.HashFile(p); {
		case err != nil:
			c.OK, c.Found, c.Fix = false, "missing", d.fix(dir)
		case got != d.sha256:
			c.OK, c.Found, c.Fix = false, "corrupt: sha256 "+got[:12]+"…", d.fix(dir)
		}
		r.Checks = append(r.Checks, c)
	}
	for _, c := range r.Checks {
		r.OK = r.OK && c.OK
	}
	return r, nil
}
