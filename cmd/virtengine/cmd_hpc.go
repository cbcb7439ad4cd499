package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/hpc/sim"
)

func init() { addCommand(newHPCCmd()) }

func newHPCCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "hpc",
		Short: "Decentralized HPC: trace simulator, node agent and cluster controller",
		Long: `hpc schedules jobs on clusters of provider and volunteer nodes.

  virtengine hpc simulate --trace FILE.swf.gz --policy default   replay a job trace
  virtengine hpc controller --listen 127.0.0.1:7946 ...          run a cluster controller
  virtengine hpc agent --controller 127.0.0.1:7946 ...           run a node agent`,
	}
	c.AddCommand(newHPCSimulateCmd())
	for _, sub := range hpcExtraCommands {
		c.AddCommand(sub())
	}
	return c
}

// hpcExtraCommands are the hpc subcommands defined in the other cmd_hpc_*.go files.
var hpcExtraCommands []func() *cobra.Command

func newHPCSimulateCmd() *cobra.Command {
	var (
		trace, policy, estimate string
		procs                   int64
		sites                   int
		latency, penalty        int64
	)
	c := &cobra.Command{
		Use:   "simulate --trace FILE.swf[.gz] --policy fcfs|easy|default",
		Short: "Replay a Standard Workload Format trace through a scheduling policy and print JSON metrics",
		Long: `simulate replays an SWF trace (Parallel Workloads Archive) and prints one JSON document with
jobs, mean_wait_s, p50_wait_s, p95_wait_s, max_wait_s, mean_bsld (10 s floor), utilization,
offered_load and decisions_per_s.

--sites N --site-latency-ms L splits the machine into N equal sites L ms apart: a job that cannot
fit within sites ≤ 50 ms apart runs slower by L × penalty basis points, which measures what
decentralization costs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if trace == "" {
				return errors.New("--trace is required: pass an SWF file, e.g. --trace KTH-SP2-1996-2.1-cln.swf.gz from the Parallel Workloads Archive")
			}
			var runs []sim.Config
			for _, name := range strings.Split(policy, ",") {
				c, ok := sim.ConfigByName(strings.TrimSpace(name))
				if !ok {
					return fmt.Errorf("unknown policy %q: use one of %s (comma-separated for several)", name, strings.Join(sim.Names(), ", "))
				}
				runs = append(runs, c)
			}
			opt := sim.LoadOptions{Procs: procs}
			switch estimate {
			case "raise":
			case "kill":
				opt.Estimate = sim.EstimateKill
			default:
				return fmt.Errorf("unknown --estimate %q: use raise (estimate below run time raised to it) or kill (run time cut to the estimate)", estimate)
			}
			w, err := sim.Load(trace, opt)
			if err != nil {
				if errors.Is(err, sim.ErrNoMachineSize) {
					return fmt.Errorf("%w (use --procs N)", err)
				}
				return fmt.Errorf("%w; check the path and that the file is SWF (18 numbers a line, ';' comments)", err)
			}
			var siteList []sim.Site
			var lat [][]int64
			if sites > 1 {
				siteList, lat, err = sim.SplitEven(w.Procs, sites, latency)
				if err != nil {
					return fmt.Errorf("%w: use 1 ≤ --sites ≤ processors and --site-latency-ms ≥ 0", err)
				}
			}
			var out []*sim.Result
			for _, cfg := range runs {
				cfg.Sites, cfg.LatencyMillis, cfg.SpanPenaltyBPPerMilli = siteList, lat, penalty
				r, err := sim.Run(w, cfg)
				if err != nil {
					return err
				}
				out = append(out, r)
			}
			var v any = out
			if len(out) == 1 {
				v = out[0]
			}
			// The report is JSON with or without --json: benchmarks and scripts consume it.
			return emit(cmd, v, func(w io.Writer) { writeJSON(w, v) })
		},
	}
	f := c.Flags()
	f.StringVar(&trace, "trace", "", "SWF trace file (.swf or .swf.gz)")
	f.StringVar(&policy, "policy", "default", "policy: "+strings.Join(sim.Names(), ", ")+" (comma-separated to compare); default is the production scheduler")
	f.StringVar(&estimate, "estimate", "raise", "estimates below the run time: raise or kill")
	f.Int64Var(&procs, "procs", 0, "machine size (default: the trace's MaxProcs)")
	f.IntVar(&sites, "sites", 1, "split the machine into this many sites")
	f.Int64Var(&latency, "site-latency-ms", 0, "latency between sites, milliseconds")
	f.Int64Var(&penalty, "span-penalty-bp-per-ms", 0, fmt.Sprintf("slowdown of a job spanning sites > %d ms apart, basis points per ms (default %d)", sim.LatencyGroupMillis, sim.DefaultSpanPenaltyBPPerMilli))
	return c
}
