// Command virtengine is the VirtEngine command line: identity, encryption, proofs, biometrics,
// marketplace, HPC and the reference node. Every command takes --json for machine-readable output.
//
// Each command group lives in its own file (cmd_<group>.go) and registers itself with addCommand in
// an init function, so groups never edit one another's files.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/internal/assets"
)

var (
	jsonOut bool   // --json: print one JSON document on stdout
	dataDir string // --data-dir: overrides $VIRTENGINE_DATA
)

var rootCmd = &cobra.Command{
	Use:   "virtengine",
	Short: "VirtEngine: privacy-preserving identity, encryption, proofs and compute",
	Long: `virtengine is the command line of the VirtEngine SDK.

Start with:
  virtengine doctor        check that this machine has everything (libraries, models)
  virtengine demo          run the end-to-end flow
  virtengine <group> -h    help for a command group

Models and test images live in the data directory: --data-dir, else $VIRTENGINE_DATA,
else ~/.local/share/virtengine. scripts/setup.sh fills it.`,
	SilenceUsage:  true,
	SilenceErrors: true,
	PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
		if dataDir != "" {
			return os.Setenv(assets.EnvDataDir, dataDir)
		}
		return nil
	},
}

func init() {
	rootCmd.PersistentFlags().BoolVar(&jsonOut, "json", false, "print machine-readable JSON")
	rootCmd.PersistentFlags().StringVar(&dataDir, "data-dir", "", "data directory with models and test data (default $"+assets.EnvDataDir+" or ~/.local/share/virtengine)")
}

// addCommand registers a top-level command group; call it from an init function in cmd_<group>.go.
func addCommand(c *cobra.Command) { rootCmd.AddCommand(c) }

// exitError carries a process exit code with a message. With reported set, the command has already
// printed its outcome (e.g. a JSON report), so main prints nothing more.
type exitError struct {
	code     int
	err      error
	reported bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	if err := rootCmd.Execute(); err != nil {
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if ee != nil && ee.reported {
			// already printed by the command
		} else if jsonOut {
			writeJSON(os.Stdout, map[string]any{"error": err.Error()})
		} else {
			fmt.Fprintln(os.Stderr, "virtengine:", err)
		}
		os.Exit(code)
	}
}
