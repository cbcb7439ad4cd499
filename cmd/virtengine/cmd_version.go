package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at link time with -ldflags "-X main.version=…"; otherwise the module version is used.
var version = ""

func init() {
	addCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version of virtengine and of its pinned dependencies",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := map[string]any{"version": buildVersion(), "go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH}
			deps := map[string]string{}
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, d := range bi.Deps {
					switch d.Path {
					case "gocv.io/x/gocv", "github.com/cometbft/cometbft", "github.com/consensys/gnark",
						"github.com/consensys/gnark-crypto", "github.com/cloudflare/circl":
						deps[d.Path] = d.Version
					}
				}
			}
			info["dependencies"] = deps
			return emit(cmd, info, func(w io.Writer) {
				fmt.Fprintf(w, "virtengine %s (%s, %s)\n", info["version"], info["go"], info["platform"])
				for _, k := range []string{"github.com/cloudflare/circl", "github.com/cometbft/cometbft", "github.com/consensys/gnark", "github.com/consensys/gnark-crypto", "gocv.io/x/gocv"} {
					if v, ok := deps[k]; ok {
						fmt.Fprintf(w, "  %-36s %s\n", k, v)
					}
				}
			})
		},
	})
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
