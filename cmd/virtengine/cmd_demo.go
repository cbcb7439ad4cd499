package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/internal/demo"
)

func init() { addCommand(newDemoCmd()) }

func newDemoCmd() *cobra.Command {
	var validators int
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run the end-to-end VirtEngine flow and print each step",
		Long: `demo runs the SDK end to end on the shared test images: biometrics on a specimen passport,
a selfie and a face-video frame sequence; evidence sealed to in-process validators that each score
it; a >2/3 tally; a W3C verifiable credential and a zk credential; a relying party's request
"age ≥ 18 and score ≥ 70" answered with a Groth16 proof and verified. It then shows the network
refusing a replayed proof, a reused capture salt, the same face on a second account and a spoofed
selfie.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			if jsonOut {
				w = io.Discard
			}
			rep, err := demo.RunSDK(cmd.Context(), w, demo.Options{Validators: validators})
			if err != nil {
				return fmt.Errorf("demo failed: %w\nrun `virtengine doctor` to check the machine, or scripts/setup.sh to fetch the models", err)
			}
			return emit(cmd, rep, func(io.Writer) {})
		},
	}
	c.Flags().IntVar(&validators, "validators", 3, "number of in-process validators")
	return c
}
