// Command fetch fills the data directory with every file of the project's manifest, verifying each
// sha256: from the shared mirror when present, otherwise from upstream or npm.
//
//	go run ./internal/assets/fetch [-data DIR] [-shared DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/virtengine/sdk/internal/assets"
)

func main() {
	data := flag.String("data", assets.DataDir(), "data directory (default: $"+assets.EnvDataDir+" or ~/.local/share/virtengine)")
	shared := flag.String("shared", assets.SharedDir(), "local mirror of models and test data (default: $"+assets.EnvSharedDir+" or ../shared)")
	quiet := flag.Bool("quiet", false, "print only the summary and errors")
	flag.Parse()
	m, err := assets.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f := &assets.Fetcher{Dir: *data, Shared: *shared}
	if !*quiet {
		f.Log = os.Stdout
	}
	if err := f.FetchAll(context.Background(), m); err != nil {
		fmt.Fprintln(os.Stderr, "fetch:", err)
		os.Exit(1)
	}
	bad := 0
	for _, s := range m.Check(*data) {
		if s.State != "ok" {
			bad++
			fmt.Fprintf(os.Stderr, "%s: %s\n", s.State, s.Path)
		}
	}
	if bad > 0 {
		os.Exit(1)
	}
	fmt.Printf("data directory %s: %d files verified\n", *data, len(m.Files))
}
