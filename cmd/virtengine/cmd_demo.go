package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func init() {
	addCommand(&cobra.Command{
		Use:   "demo",
		Short: "Run the end-to-end VirtEngine flow and print each step",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			steps := []string{"version check"}
			return emit(cmd, map[string]any{"steps": steps, "ok": true}, func(w io.Writer) {
				fmt.Fprintf(w, "virtengine demo %s: ran %d step(s): %v\n", buildVersion(), len(steps), steps)
				fmt.Fprintln(w, "The identity, proof, market and node steps are added as their packages land.")
			})
		},
	})
}
