// Command fetch fills the data directory with every file of the project's manifest, verifying each
// sha256: from the shared mirror when present, otherwise from npm, Debian or the upstream URL.
//
//	go run ./internal/assets/fetch [-data DIR] [-shared DIR] [-quiet] [-tests-optional]
//	go run ./internal/assets/fetch -check [-data DIR]
//
// It exits 1 when a file is still missing, after naming each one with what every source answered and
// the command that fixes it. With -tests-optional it exits 0 when the missing files are read by tests
// only (the CLI and the demo have theirs), after a warning: scripts/setup.sh runs it so. With -check it
// fetches nothing and only verifies the data directory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/virtengine/sdk/internal/assets"
)

func main() {
	data := flag.String("data", assets.DataDir(), "data directory (default: $"+assets.EnvDataDir+", else $XDG_DATA_HOME/virtengine, else ~/.local/share/virtengine)")
	shared := flag.String("shared", assets.SharedDir(), "local mirror of models and test data (default: $"+assets.EnvSharedDir+" or ../shared)")
	quiet := flag.Bool("quiet", false, "print only the summary and errors")
	check := flag.Bool("check", false, "fetch nothing: verify the data directory and say how to fix it")
	testsOptional := flag.Bool("tests-optional", false, "exit 0 with a warning when only files that tests alone read are missing")
	flag.Parse()
	m, err := assets.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *check {
		os.Exit(verify(m, *data))
	}
	f := &assets.Fetcher{Dir: *data, Shared: *shared}
	if !*quiet {
		f.Log = os.Stdout
	}
	err = f.FetchAll(context.Background(), m)
	var fe *assets.FetchError
	switch {
	case err == nil:
	case errors.As(err, &fe):
		fmt.Fprintln(os.Stderr, "fetch:", err)
		fmt.Fprintln(os.Stderr, summary(fe, *data))
		if !*testsOptional || !fe.OnlyTests() {
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "fetch:", err)
		os.Exit(1)
	}
	if fe == nil {
		if code := verify(m, *data); code != 0 {
			os.Exit(code)
		}
		fmt.Printf("data directory %s: %d files verified\n", *data, len(m.Files))
	}
}

// summary says in one line what the missing files mean for this machine.
func summary(fe *assets.FetchError, dir string) string {
	if fe.OnlyTests() {
		return fmt.Sprintf("fetch: %d file(s) missing from %s; tests alone read them: the CLI and the demo have what they need, the test suite does not", len(fe.Failed), dir)
	}
	return fmt.Sprintf("fetch: %d file(s) missing from %s; the CLI or the demo needs some of them", len(fe.Failed), dir)
}

// verify checks every file under dir and prints those that are missing or corrupt with their fix.
func verify(m *assets.Manifest, dir string) int {
	bad, sharedOnly := 0, false
	for _, s := range m.Check(dir) {
		if s.State == "ok" {
			continue
		}
		bad++
		sharedOnly = sharedOnly || s.SharedOnly != ""
		fmt.Fprintf(os.Stderr, "%-7s %s\n", s.State, s.Path)
	}
	if bad == 0 {
		return 0
	}
	fix := assets.FetchCommand(dir)
	if sharedOnly {
		fix = assets.SharedFetchCommand(dir) + "   (some files are only in the project's shared data)"
	}
	fmt.Fprintf(os.Stderr, "fetch: %d of %d files missing or corrupt in %s; fix: %s\n", bad, len(m.Files), dir, fix)
	return 1
}
