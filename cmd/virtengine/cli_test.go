package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	cliOnce sync.Once
	cliBin  string
	cliErr  error
	cliOut  []byte
)

// builtCLI builds virtengine once per test binary and returns its path; tests that drive the real
// binary (flags parsed afresh, exit codes, stdout/stderr as users see them) share it.
func builtCLI(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "virtengine-cli-")
		if err != nil {
			cliErr = err
			return
		}
		cliBin = filepath.Join(dir, "virtengine")
		cliOut, cliErr = exec.Command("go", "build", "-o", cliBin, ".").CombinedOutput()
	})
	if cliErr != nil {
		t.Fatalf("go build: %v\n%s", cliErr, cliOut)
	}
	return cliBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if cliBin != "" {
		os.RemoveAll(filepath.Dir(cliBin))
	}
	os.Exit(code)
}
