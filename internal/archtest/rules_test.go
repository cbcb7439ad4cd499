package archtest

import (
	"strings"
	"testing"
)

const m = Module + "/"

// A fixture with one violation of each rule, and the legal imports next to them.
func TestCheckRejectsForbiddenImports(t *testing.T) {
	pkgs := []Package{
		{ImportPath: m + "envelope", Imports: []string{"crypto/rand", m + "node"}},                  // node
		{ImportPath: m + "zk", Imports: []string{m + "envelope"}},                                   // zk imports nothing of ours
		{ImportPath: m + "market", Imports: []string{"net/http", m + "envelope", m + "settlement"}}, // net/http
		{ImportPath: m + "mfa/mfahttp", Imports: []string{"net/http"}},                              // allowed: *http adapter
		{ImportPath: m + "hpc", CgoFiles: []string{"sched.go"}},                                     // cgo
		{ImportPath: m + "biometrics", CgoFiles: []string{"zxing.go"}, Imports: []string{m + "internal/assets"}},
		{ImportPath: m + "veid", Imports: []string{m + "envelope", m + "zk"}, XTestImports: []string{m + "biometrics"}}, // test import counts
		{ImportPath: m + "node", Imports: []string{m + "veid", m + "biometrics"}},
		{ImportPath: m + "cmd/virtengine", Imports: []string{m + "node"}},
		{ImportPath: m + "settlement", TestImports: []string{m + "cmd/virtengine"}}, // nothing imports cmd
	}
	got := Check(pkgs)
	want := []string{
		m + "envelope: imports " + m + "node",
		m + "hpc: uses cgo",
		m + "market: imports net/http",
		m + "settlement: imports " + m + "cmd/virtengine",
		m + "veid: imports " + m + "biometrics",
		m + "zk: imports " + m + "envelope",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d violations, want %d:\n%v", len(got), len(want), got)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i].String(), w) {
			t.Errorf("violation %d = %q, want prefix %q", i, got[i], w)
		}
	}
}

func TestCheckAcceptsTheDocumentedMap(t *testing.T) {
	pkgs := []Package{
		{ImportPath: m + "veid", Imports: []string{m + "envelope", m + "zk", m + "internal/assets"}},
		{ImportPath: m + "veid/veidhttp", Imports: []string{"net/http", m + "veid"}},
		{ImportPath: m + "hpc/sim", Imports: []string{m + "hpc", m + "settlement"}},
		{ImportPath: m + "market", Imports: []string{m + "envelope", m + "settlement"}},
		{ImportPath: m + "biometrics/mrz"},
		{ImportPath: m + "examples/operator-devnet", Imports: []string{m + "node"}},
		{ImportPath: "example.com/other", Imports: []string{m + "node"}},
	}
	if v := Check(pkgs); len(v) != 0 {
		t.Fatalf("legal imports reported: %v", v)
	}
}
