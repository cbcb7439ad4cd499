package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/internal/assets"
	"github.com/virtengine/sdk/internal/doctor"
)

func init() {
	addCommand(&cobra.Command{
		Use:   "doctor",
		Short: "Check Go, OpenCV, Tesseract, zxing-cpp, Chromium and every model file; say how to fix what is missing",
		Long: `doctor checks this machine for everything VirtEngine needs and prints, for each missing or
wrong piece, the command that fixes it. It exits 1 when anything is missing. Models are verified
against their pinned sha256 in the data directory (--data-dir, $VIRTENGINE_DATA), and each fix
names that directory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := doctor.Run(cmd.Context(), assets.DataDir(), nil)
			if err != nil {
				return err
			}
			if err := emit(cmd, r, func(w io.Writer) {
				fmt.Fprintf(w, "data directory: %s\n", r.DataDir)
				okFiles := 0
				for _, c := range r.Checks {
					if c.OK && c.Want != "" && len(c.Want) > 6 && c.Want[:6] == "sha256" {
						okFiles++
						continue
					}
					mark := "ok  "
					if !c.OK {
						mark = "FAIL"
					}
					fmt.Fprintf(w, "%s %-40s %s\n", mark, c.Name, c.Found)
					if !c.OK {
						fmt.Fprintf(w, "     want %s; fix: %s\n", c.Want, c.Fix)
					}
				}
				fmt.Fprintf(w, "ok   %d pinned model and test files verified\n", okFiles)
				if r.OK {
					fmt.Fprintln(w, "everything is present")
				} else {
					fmt.Fprintf(w, "%d check(s) failed; run the fixes above (%s=%s bash scripts/setup.sh does them all)\n",
						len(r.Missing()), assets.EnvDataDir, assets.ShellQuote(r.DataDir))
				}
			}); err != nil {
				return err
			}
			if !r.OK {
				return &exitError{code: 1, err: fmt.Errorf("%d check(s) failed", len(r.Missing())), reported: true}
			}
			return nil
		},
	})
}
