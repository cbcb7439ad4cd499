package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDoctorFixNamesTheDataDirInUse: `virtengine --data-dir D doctor` must suggest a fetch into D, not
// into the default data directory (which may be complete while D is empty).
func TestDoctorFixNamesTheDataDirInUse(t *testing.T) {
	bin := builtCLI(t)
	dir := filepath.Join(t.TempDir(), "other data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	want := "go run ./internal/assets/fetch -data '" + dir + "'"

	out, err := exec.Command(bin, "--data-dir", dir, "doctor").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("doctor on an empty data directory must exit 1, got %v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "data directory: "+dir) || !strings.Contains(text, want) {
		t.Errorf("doctor's fix does not name %s:\n%s", dir, text)
	}
	if !strings.Contains(text, "VIRTENGINE_DATA='"+dir+"' bash scripts/setup.sh") {
		t.Errorf("doctor's summary does not name %s for setup.sh:\n%s", dir, text)
	}
	if strings.Contains(text, "fetch (") || strings.Contains(text, "fetch\n") {
		t.Errorf("doctor still suggests a fetch without -data:\n%s", text)
	}

	out, _ = exec.Command(bin, "--data-dir", dir, "doctor", "--json").Output()
	var r struct {
		DataDir string `json:"data_dir"`
		Checks  []struct {
			Name string `json:"name"`
			OK   bool   `json:"ok"`
			Fix  string `json:"fix"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, out)
	}
	if r.DataDir != dir {
		t.Errorf("data_dir = %q, want %q", r.DataDir, dir)
	}
	files := 0
	for _, c := range r.Checks {
		if strings.HasPrefix(c.Name, "models/") || strings.HasPrefix(c.Name, "testdata/") {
			files++
			if c.OK || !strings.Contains(c.Fix, "'"+dir) {
				t.Errorf("%s: fix %q does not name %s", c.Name, c.Fix, dir)
			}
		}
	}
	if files == 0 {
		t.Fatal("doctor --json listed no files")
	}
}
