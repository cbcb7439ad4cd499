package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/internal/demo"
	"github.com/virtengine/sdk/node/e2e"
)

func init() { addCommand(newDemoCmd()) }

// demoReport is what `virtengine demo --json` prints: the SDK part and the node part.
type demoReport struct {
	SDK  *demo.Report `json:"sdk"`
	Node *e2e.Report  `json:"node,omitempty"`
}

func newDemoCmd() *cobra.Command {
	var (
		validators, sdkValidators int
		sdkOnly                   bool
		rpc                       string
	)
	c := &cobra.Command{
		Use:   "demo",
		Short: "Run the end-to-end VirtEngine flow: the SDK on real images, then a node by transactions",
		Long: `demo runs VirtEngine end to end, printing each step with its timing.

Part 1, the SDK on the shared test images: biometrics on a specimen passport, a selfie and a
face-video frame sequence; evidence sealed to in-process validators that each score it; a >2/3
tally; a W3C verifiable credential and a zk credential; a relying party's request "age ≥ 18 and
score ≥ 70" answered with a Groth16 proof and verified. It then shows the refusals of a replayed
proof, a reused capture salt, the same face on a second account and a spoofed selfie.

Part 2, the network: a devnet on CometBFT (one validator by default, --validators 4 for a BFT
network) runs onboarding → score by consensus → credential → proof verified by a relying party →
offering → order → bid → lease → HPC job → usage → settlement → invoice → payout, all by signed
transactions, and checks that every validator has the same app hash.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			if jsonOut {
				w = io.Discard
			}
			start := time.Now()
			rep := demoReport{}
			fmt.Fprintln(w, "== Part 1: the SDK on real images ==")
			var err error
			rep.SDK, err = demo.RunSDK(cmd.Context(), w, demo.Options{Validators: sdkValidators})
			if err != nil {
				return fmt.Errorf("demo (SDK part) failed: %w\nrun `virtengine doctor` to check the machine, or scripts/setup.sh to fetch the models", err)
			}
			if !sdkOnly {
				fmt.Fprintf(w, "\n== Part 2: a VirtEngine network (%d validator(s) on CometBFT) ==\n", validators)
				rep.Node, err = e2e.Run(cmd.Context(), w, e2e.Config{Validators: validators, FirstRPC: rpc})
				if err != nil {
					return fmt.Errorf("demo (node part) failed: %w\nis another node using the ports? pass --rpc 127.0.0.1:PORT, or run `virtengine doctor`", err)
				}
				if !rep.Node.AppHashesAgree {
					return fmt.Errorf("demo: the validators' app hashes differ; this is a bug, please report it with the output above")
				}
			}
			return emit(cmd, rep, func(w io.Writer) {
				fmt.Fprintf(w, "\ndemo finished in %.1fs\n", time.Since(start).Seconds())
			})
		},
	}
	c.Flags().IntVar(&validators, "validators", 1, "validators in the devnet of part 2 (4 for a BFT network)")
	c.Flags().IntVar(&sdkValidators, "sdk-validators", 3, "in-process validators scoring the evidence in part 1")
	c.Flags().BoolVar(&sdkOnly, "sdk-only", false, "run part 1 only (no node)")
	c.Flags().StringVar(&rpc, "rpc", "", "first validator's CometBFT RPC address (default: a free port on 127.0.0.1)")
	return c
}
