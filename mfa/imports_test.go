package mfa

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestImportRules enforces the project's dependency rules on this package: no net/http (the HTTP
// adapter is mfa/mfahttp), no cgo, and nothing of ours but internal/assets.
func TestImportRules(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		n++
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case path == "net/http", path == "C":
				t.Errorf("%s imports %q", name, path)
			case strings.HasPrefix(path, "github.com/virtengine/sdk/") && path != "github.com/virtengine/sdk/internal/assets":
				t.Errorf("%s imports %q: mfa imports nothing of ours", name, path)
			}
		}
	}
	if n == 0 {
		t.Fatal("no source files checked")
	}
}
