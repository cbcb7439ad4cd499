package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tinySWF is a three-job trace on a 4-processor machine (SWF: 18 fields a line, ';' header).
const tinySWF = `; MaxProcs: 4
1 0 0 10 2 -1 -1 2 10 -1 1 1 1 -1 1 -1 -1 -1
2 1 0 10 4 -1 -1 4 10 -1 1 1 1 -1 1 -1 -1 -1
3 2 0 5 1 -1 -1 1 5 -1 1 1 1 -1 1 -1 -1 -1
`

// TestSimulateFindsABareTraceNameInTheDataDir: `hpc simulate --trace NAME` run from a directory that
// does not hold NAME reads testdata/hpc/NAME from the data directory; a name found nowhere fails with
// an error naming both places it looked.
func TestSimulateFindsABareTraceNameInTheDataDir(t *testing.T) {
	bin := builtCLI(t)
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "testdata", "hpc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "testdata", "hpc", "tiny.swf"), []byte(tinySWF), 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir() // the working directory has no tiny.swf
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command(bin, append([]string{"--data-dir", data}, args...)...)
		cmd.Dir = work
		return cmd.CombinedOutput()
	}
	out, err := run("hpc", "simulate", "--trace", "tiny.swf", "--policy", "fcfs")
	if err != nil {
		t.Fatalf("simulate --trace tiny.swf: %v\n%s", err, out)
	}
	var r struct {
		Jobs int `json:"jobs"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.Jobs != 3 {
		t.Fatalf("simulate: jobs %d (%v), want 3:\n%s", r.Jobs, err, out)
	}

	// a file in the working directory wins over the data directory's
	local := tinySWF + "4 3 0 5 1 -1 -1 1 5 -1 1 1 1 -1 1 -1 -1 -1\n"
	if err := os.WriteFile(filepath.Join(work, "tiny.swf"), []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = run("hpc", "simulate", "--trace", "tiny.swf", "--policy", "fcfs")
	if err != nil || json.Unmarshal(out, &r) != nil || r.Jobs != 4 {
		t.Fatalf("simulate with a local tiny.swf: jobs %d, err %v, want the local file's 4:\n%s", r.Jobs, err, out)
	}

	// reject twins: a bare name found nowhere names both places; a missing path names the path
	out, err = run("hpc", "simulate", "--trace", "absent.swf.gz")
	msg := string(out)
	if err == nil || !strings.Contains(msg, filepath.Join(work, "absent.swf.gz")) || !strings.Contains(msg, filepath.Join(data, "testdata", "hpc", "absent.swf.gz")) {
		t.Fatalf("absent bare name: err %v, want both places named:\n%s", err, msg)
	}
	out, err = run("hpc", "simulate", "--trace", filepath.Join("sub", "tiny.swf"))
	if err == nil || !strings.Contains(string(out), "does not exist") {
		t.Fatalf("missing path: err %v\n%s", err, out)
	}
}

// TestParsePeerFlag: --peer NODE=ADDR@PUBHEX gives a probe peer; anything else is refused.
func TestParsePeerFlag(t *testing.T) {
	pub := strings.Repeat("ab", 32)
	p, err := parsePeerFlag("c2-n1=127.0.0.1:7950@" + pub)
	if err != nil || p.Node != "c2-n1" || p.Addr != "127.0.0.1:7950" || len(p.Key) != 32 || p.Key[0] != 0xab {
		t.Fatalf("%+v %v", p, err)
	}
	for _, bad := range []string{"c2-n1", "c2-n1=127.0.0.1:7950", "=127.0.0.1:7950@" + pub, "c2-n1=@" + pub, "c2-n1=127.0.0.1:7950@abcd"} {
		if _, err := parsePeerFlag(bad); err == nil {
			t.Errorf("--peer %q accepted", bad)
		}
	}
}
