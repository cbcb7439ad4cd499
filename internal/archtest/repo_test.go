package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// goList runs `go list -json` with extra environment and returns the packages of our module.
type listed struct {
	Package
	Deps []string
}

func goList(t *testing.T, env []string, args ...string) []listed {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-e", "-json"}, args...)...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..")
}

// TestRepositoryFollowsTheMap runs the rules over the real code.
func TestRepositoryFollowsTheMap(t *testing.T) {
	var pkgs []Package
	for _, p := range goList(t, nil, "./...") {
		pkgs = append(pkgs, p.Package)
	}
	if len(pkgs) < 3 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, v := range Check(pkgs) {
		t.Error(v)
	}
}

// cgoPackages returns our packages that have cgo files.
func cgoPackages(all []listed) map[string]bool {
	cgo := map[string]bool{}
	for _, p := range all {
		if len(p.CgoFiles) > 0 {
			cgo[p.ImportPath] = true
		}
	}
	return cgo
}

// TestCgoFreeBuild builds every package that does not depend on a cgo package of ours with
// CGO_ENABLED=0, so SDK users who do not need biometrics need no C libraries.
func TestCgoFreeBuild(t *testing.T) {
	all := goList(t, nil, "./...")
	cgo := cgoPackages(all)
	var pure []string
	for _, p := range all {
		needsCgo := cgo[p.ImportPath]
		for _, d := range p.Deps {
			needsCgo = needsCgo || cgo[d]
		}
		if !needsCgo {
			pure = append(pure, p.ImportPath)
		}
	}
	sort.Strings(pure)
	for _, lib := range []string{"envelope", "zk", "veid", "mfa", "market", "settlement", "hpc"} {
		for _, p := range all {
			if p.ImportPath == Module+"/"+lib && !contains(pure, p.ImportPath) {
				t.Errorf("%s needs cgo; it must build with CGO_ENABLED=0", p.ImportPath)
			}
		}
	}
	cmd := exec.Command("go", append([]string{"build"}, pure...)...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build of %d cgo-free packages failed: %v\n%s", len(pure), err, out)
	}
	t.Logf("built %d packages with CGO_ENABLED=0", len(pure))
}

// TestNoLibraryPullsCgo reports libraries that depend on cgo through another package.
func TestNoLibraryPullsCgo(t *testing.T) {
	all := goList(t, nil, "./...")
	cgo := cgoPackages(all)
	for _, p := range all {
		tp := top(p.ImportPath)
		if _, lib := libraries[tp]; !lib || tp == "biometrics" {
			continue
		}
		for _, d := range p.Deps {
			if cgo[d] {
				t.Errorf("%s depends on the cgo package %s; only biometrics, node, cmd and examples may", p.ImportPath, d)
			}
		}
	}
}

// TestPinnedVersions fails when a pinned dependency drifts (DEVELOPERS.md: never let them float).
func TestPinnedVersions(t *testing.T) {
	pins := map[string]string{
		"gocv.io/x/gocv":                    "v0.31.0", // matches Debian 12's OpenCV 4.6
		"github.com/cometbft/cometbft":      "v0.40.0",
		"github.com/consensys/gnark":        "v0.16.0",
		"github.com/consensys/gnark-crypto": "v0.21.0", // the one gnark v0.16.0 requires
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Path}} {{.Version}}", "all")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			got[f[0]] = f[1]
		}
	}
	for mod, want := range pins {
		if got[mod] != want {
			t.Errorf("%s is at %q, pinned at %s: restore it with `go get %s@%s`", mod, got[mod], want, mod, want)
		}
	}
}
