// Package archtest enforces the package map of ARCHITECTURE.md on the code: which of our packages
// may import which, where cgo may appear, and which packages may use net/http. Its tests run the rules
// over `go list -json ./...`, build every cgo-free package with CGO_ENABLED=0, and check that the
// pinned dependency versions have not drifted.
package archtest

import (
	"fmt"
	"sort"
	"strings"
)

// Module is our module path.
const Module = "github.com/virtengine/sdk"

// Package is the part of `go list -json` the rules read.
type Package struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	CgoFiles     []string
}

// Violation is one broken rule.
type Violation struct {
	Package string
	Rule    string
}

func (v Violation) String() string { return v.Package + ": " + v.Rule }

// libraries are the SDK's importable top-level packages, each with the other top-level packages of ours
// it may import (its own subpackages are always allowed, and so is internal/assets).
var libraries = map[string][]string{
	"envelope":   nil,
	"zk":         nil,
	"biometrics": nil,
	"mfa":        nil,
	"veid":       {"envelope", "zk"},
	"settlement": {"envelope"},
	"market":     {"envelope", "settlement"},
	"hpc":        {"envelope", "settlement"},
}

// cgoAllowed are the top-level packages whose code may use cgo (directly: biometrics only).
var cgoAllowed = map[string]bool{"biometrics": true}

// sharedInternal are internal packages every library may import.
var sharedInternal = map[string]bool{
	Module + "/internal/assets": true, // models and test data
	Module + "/internal/swf":    true, // Standard Workload Format traces (hpc simulator, market bid-engine tests)
}

// top returns the first path element below the module ("envelope", "cmd", "internal", …).
func top(importPath string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(importPath, Module), "/")
	if i := strings.IndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return rel
}

func ours(p string) bool { return p == Module || strings.HasPrefix(p, Module+"/") }

// Check applies every rule to pkgs and returns the violations, sorted.
func Check(pkgs []Package) []Violation {
	var out []Violation
	add := func(pkg, format string, a ...any) {
		out = append(out, Violation{Package: pkg, Rule: fmt.Sprintf(format, a...)})
	}
	for _, p := range pkgs {
		if !ours(p.ImportPath) {
			continue
		}
		t := top(p.ImportPath)
		allowed, isLib := libraries[t]
		last := p.ImportPath[strings.LastIndexByte(p.ImportPath, '/')+1:]

		if len(p.CgoFiles) > 0 && !cgoAllowed[t] {
			add(p.ImportPath, "uses cgo (%s); only biometrics may", strings.Join(p.CgoFiles, ", "))
		}
		imports := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		for _, imp := range imports {
			if imp == p.ImportPath {
				continue
			}
			if isLib && imp == "net/http" && !strings.HasSuffix(last, "http") {
				add(p.ImportPath, "imports net/http; libraries stay transport-free (put the adapter in a subpackage named *http)")
			}
			if !ours(imp) {
				continue
			}
			it := top(imp)
			switch {
			case it == "node" && t != "node" && t != "cmd" && t != "examples":
				add(p.ImportPath, "imports %s; nothing but the CLI and examples imports node", imp)
			case it == "cmd" && t != "cmd":
				add(p.ImportPath, "imports %s; nothing imports the CLI", imp)
			case isLib && it != t && !sharedInternal[imp] && !contains(allowed, it):
				add(p.ImportPath, "imports %s; %s may import only %v of ours", imp, t, allowedList(allowed))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func allowedList(a []string) []string {
	return append(append([]string{}, a...), "internal/assets", "internal/swf")
}
