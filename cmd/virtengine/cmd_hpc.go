package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/hpc"
	"github.com/virtengine/sdk/hpc/agent"
	"github.com/virtengine/sdk/hpc/sim"
	"github.com/virtengine/sdk/internal/assets"
)

func init() { addCommand(newHPCCmd()) }

func newHPCCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "hpc",
		Short: "Decentralized HPC: trace simulator, node agent and cluster controller",
		Long: `hpc schedules jobs on clusters of provider and volunteer nodes.

  virtengine hpc simulate --trace FILE.swf.gz --policy default   replay a job trace
  virtengine hpc keygen --out node.key                           make an Ed25519 key (node, provider, controller)
  virtengine hpc cluster --id c1 --provider-key p.key --out c1.json   describe a provider's cluster
  virtengine hpc register --provider-key p.key --add-to c1.json ...  sign a node's registration into it
  virtengine hpc controller --listen 127.0.0.1:7946 ...          run a cluster controller (DTLS)
  virtengine hpc agent --controller 127.0.0.1:7946 ...           run a node agent (DTLS heartbeats)
  virtengine hpc drain --control ctl.sock NODE                   drain a node of a running controller
  virtengine hpc template list|publish|approve|render            signed workload templates (#SBATCH)`,
	}
	c.AddCommand(newHPCSimulateCmd(), newHPCKeygenCmd(), newHPCClusterCmd(), newHPCRegisterCmd(), newHPCControllerCmd(), newHPCDrainCmd(), newHPCAgentCmd(), newHPCTemplateCmd())
	return c
}

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
			path, err := resolveTrace(trace)
			if err != nil {
				return err
			}
			w, err := sim.Load(path, opt)
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

// resolveTrace returns the trace file to read: name itself when it exists, otherwise, for a bare file
// name (no directory), the file of that name among the project's test data (testdata/hpc in the data
// directory, where `go run ./internal/assets/fetch` puts the Parallel Workloads Archive traces).
// When neither exists the error names every place it looked.
func resolveTrace(name string) (string, error) {
	_, err := os.Stat(name)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return name, nil // exists, or fails for another reason that sim.Load reports
	}
	if filepath.Base(name) != name {
		return "", fmt.Errorf("trace %s does not exist; check the path", name)
	}
	data, err := assets.TestdataPath("hpc/" + name)
	if err == nil {
		return data, nil
	}
	wd, _ := os.Getwd()
	return "", fmt.Errorf("trace %s not found: looked in the working directory (%s) and in the data directory (%s); pass a path, or run `%s` to fetch the archive's traces",
		name, filepath.Join(wd, name), data, assets.FetchCommand(assets.DataDir()))
}

// readKey reads an Ed25519 private key file: the 32-byte seed in hex (as keygen writes it).
func readKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w; create one with `virtengine hpc keygen --out %s`", err, path)
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s is not a hex Ed25519 seed (64 hex digits); create one with `virtengine hpc keygen`", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func parsePub(s, flag string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("--%s must be an Ed25519 public key in hex (64 digits), as `virtengine hpc keygen` prints", flag)
	}
	return ed25519.PublicKey(b), nil
}

func newHPCKeygenCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "keygen --out FILE",
		Short: "Create an Ed25519 key for a node, a provider or a controller and print its public key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out is required: the file to write the private key to")
			}
			seed := make([]byte, ed25519.SeedSize)
			if _, err := rand.Read(seed); err != nil {
				return err
			}
			if err := os.WriteFile(out, []byte(hex.EncodeToString(seed)+"\n"), 0o600); err != nil {
				return fmt.Errorf("%w; choose a writable path for --out", err)
			}
			pub := hex.EncodeToString(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
			v := map[string]string{"file": out, "public_key": pub}
			return emit(cmd, v, func(w io.Writer) { fmt.Fprintf(w, "wrote %s\npublic key %s\n", out, pub) })
		},
	}
	c.Flags().StringVar(&out, "out", "", "file for the private key (hex seed, mode 0600)")
	return c
}

func newHPCRegisterCmd() *cobra.Command {
	var (
		provKey, cluster, node, nodePub, partition, operator, addTo string
		res                                                         hpc.Resources
	)
	c := &cobra.Command{
		Use:   "register --provider-key FILE --cluster ID --node ID --node-pub HEX --cores N",
		Short: "Sign a node registration as the cluster's provider (prints JSON for the controller's --registrations)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pk, err := readKey(provKey)
			if err != nil {
				return err
			}
			np, err := parsePub(nodePub, "node-pub")
			if err != nil {
				return err
			}
			reg := hpc.NodeRegistration{Cluster: cluster, Node: node, Partition: partition, Capacity: res, NodeKey: np,
				Operator: operator, IssuedAt: time.Now().Unix()}
			if node == "" || cluster == "" || res.Cores < 1 {
				return errors.New("--cluster, --node and --cores ≥ 1 are required")
			}
			sr, err := hpc.SignRegistration(reg, pk)
			if err != nil {
				return err
			}
			if addTo == "" {
				return writeJSON(cmd.OutOrStdout(), sr)
			}
			cf, err := readControllerFile(addTo)
			if err != nil {
				return err
			}
			if err := sr.Verify(&cf.Cluster); err != nil {
				return fmt.Errorf("%w; sign with the provider key the cluster file names", err)
			}
			cf.Registrations = append(cf.Registrations, sr)
			if err := writeControllerFile(addTo, cf); err != nil {
				return err
			}
			return emit(cmd, map[string]any{"file": addTo, "node": node, "registrations": len(cf.Registrations)}, func(w io.Writer) {
				fmt.Fprintf(w, "registered node %s in %s (%d nodes)\n", node, addTo, len(cf.Registrations))
			})
		},
	}
	f := c.Flags()
	f.StringVar(&provKey, "provider-key", "", "the provider's private key file")
	f.StringVar(&cluster, "cluster", "", "cluster id")
	f.StringVar(&node, "node", "", "node id")
	f.StringVar(&nodePub, "node-pub", "", "the node's public key (hex)")
	f.StringVar(&partition, "partition", "batch", "partition")
	f.StringVar(&operator, "operator", "", "account paid for the node's contribution")
	f.StringVar(&addTo, "add-to", "", "append the registration to this cluster file (from `hpc cluster`) instead of printing it")
	f.Int64Var(&res.Cores, "cores", 0, "cores")
	f.Int64Var(&res.MemoryMB, "memory-mb", 0, "memory, MB")
	f.Int64Var(&res.GPUs, "gpus", 0, "GPUs")
	return c
}

// controllerFile is the controller's cluster description: the cluster and its signed registrations.
type controllerFile struct {
	Cluster       hpc.Cluster              `json:"cluster"`
	Registrations []hpc.SignedRegistration `json:"registrations"`
}

func readControllerFile(path string) (*controllerFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w; create it with `virtengine hpc cluster --out %s`", err, path)
	}
	var cf controllerFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("%s: %w; expected {\"cluster\": {...}, \"registrations\": [...]} as `virtengine hpc cluster` writes", path, err)
	}
	return &cf, nil
}

func writeControllerFile(path string, cf *controllerFile) error {
	b, err := json.MarshalIndent(cf, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func newHPCClusterCmd() *cobra.Command {
	var id, provider, provKey, region, out string
	var partitions []string
	c := &cobra.Command{
		Use:   "cluster --id ID --provider-key FILE --out FILE.json",
		Short: "Describe a provider's cluster (partitions, provider key) in a file the controller reads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pk, err := readKey(provKey)
			if err != nil {
				return err
			}
			cl := hpc.Cluster{ID: id, Provider: provider, Region: region, ProviderKey: pk.Public().(ed25519.PublicKey)}
			if cl.Provider == "" {
				cl.Provider = id
			}
			for _, p := range partitions {
				cl.Partitions = append(cl.Partitions, hpc.Partition{Name: p})
			}
			if err := cl.Validate(); err != nil {
				return fmt.Errorf("%w; pass --id and at least one --partition", err)
			}
			if out == "" {
				return errors.New("--out is required: the cluster file to write")
			}
			if err := writeControllerFile(out, &controllerFile{Cluster: cl, Registrations: []hpc.SignedRegistration{}}); err != nil {
				return err
			}
			return emit(cmd, map[string]any{"file": out, "cluster": id}, func(w io.Writer) {
				fmt.Fprintf(w, "wrote %s; add nodes with `virtengine hpc register --add-to %s ...`\n", out, out)
			})
		},
	}
	f := c.Flags()
	f.StringVar(&id, "id", "", "cluster id")
	f.StringVar(&provider, "provider", "", "provider account (default: the cluster id)")
	f.StringVar(&provKey, "provider-key", "", "the provider's private key file (its public key goes in the file)")
	f.StringVar(&region, "region", "", "region")
	f.StringSliceVar(&partitions, "partition", []string{"batch"}, "partition names")
	f.StringVar(&out, "out", "", "cluster file to write")
	return c
}

func newHPCControllerCmd() *cobra.Command {
	var (
		listen, keyFile, clusterFile, control string
		duration                              time.Duration
	)
	c := &cobra.Command{
		Use:   "controller --listen ADDR --key FILE --cluster FILE.json",
		Short: "Run a cluster controller: accept DTLS heartbeats from registered nodes and track their liveness",
		Long: `controller listens on UDP for node agents (DTLS 1.2, mutual authentication by Ed25519 keys).

--cluster names a JSON file {"cluster": {...hpc.Cluster...}, "registrations": [...]} where each
registration is the output of ` + "`virtengine hpc register`" + `. It prints one line (or one JSON object with
--json) per node state change: alive, stale after 120 s of silence, offline after 300 s,
deregistered after 1 h.

--control PATH serves an operator socket (Unix, mode 0600: only this user can use it):
` + "`virtengine hpc drain --control PATH NODE`" + ` drains a node (it learns it from its next ack and takes
no new work); --undo takes it back.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := readKey(keyFile)
			if err != nil {
				return err
			}
			cf, err := readControllerFile(clusterFile)
			if err != nil {
				return err
			}
			reg, err := hpc.NewRegistry(cf.Cluster, hpc.Timers{})
			if err != nil {
				return err
			}
			now := time.Now().Unix()
			for _, r := range cf.Registrations {
				if err := reg.Register(r, now); err != nil {
					return fmt.Errorf("registration of %s: %w (sign it with the cluster's provider key)", r.Registration.Node, err)
				}
			}
			out := cmd.OutOrStdout()
			var mu sync.Mutex
			ctrl, err := agent.NewController(agent.ControllerConfig{Key: key, Registry: reg, OnChange: func(ch hpc.Change) {
				mu.Lock()
				defer mu.Unlock()
				v := map[string]any{"node": ch.Node, "from": ch.From.String(), "to": ch.To.String(), "at": ch.At, "reason": ch.Reason}
				if jsonOut {
					json.NewEncoder(out).Encode(v)
				} else {
					fmt.Fprintf(out, "%s: %s -> %s (%s)\n", ch.Node, ch.From, ch.To, ch.Reason)
				}
			}})
			if err != nil {
				return err
			}
			addr, err := ctrl.Listen(listen)
			if err != nil {
				return fmt.Errorf("%w; choose a free --listen address", err)
			}
			defer ctrl.Close()
			if control != "" {
				srv, err := ctrl.ServeControl(control, func(req agent.ControlRequest, rep agent.ControlReply) {
					if req.Op == agent.OpStatus {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if jsonOut {
						json.NewEncoder(out).Encode(map[string]any{"control": req.Op, "node": req.Node, "ok": rep.OK, "error": rep.Error})
					} else if rep.OK {
						fmt.Fprintf(out, "%s: %s (operator)\n", req.Node, req.Op)
					} else {
						fmt.Fprintf(out, "operator %s %s refused: %s\n", req.Op, req.Node, rep.Error)
					}
				})
				if err != nil {
					return fmt.Errorf("%w; choose another --control path or stop the controller using it", err)
				}
				defer srv.Close()
			}
			mu.Lock()
			if jsonOut {
				json.NewEncoder(out).Encode(map[string]any{"listening": addr.String(), "controller_key": hex.EncodeToString(ctrl.PublicKey()), "nodes": len(cf.Registrations)})
			} else {
				fmt.Fprintf(out, "controller for cluster %s listening on %s (key %x, %d nodes)\n", cf.Cluster.ID, addr, []byte(ctrl.PublicKey()), len(cf.Registrations))
			}
			mu.Unlock()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, duration)
				defer cancel()
			}
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
					ctrl.Tick()
				}
			}
		},
	}
	f := c.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:7946", "UDP address to listen on")
	f.StringVar(&keyFile, "key", "", "the controller's private key file")
	f.StringVar(&clusterFile, "cluster", "", "JSON file with the cluster and its signed node registrations")
	f.DurationVar(&duration, "duration", 0, "stop after this long (default: until interrupted)")
	f.StringVar(&control, "control", "", "serve an operator control socket (Unix, mode 0600) at this path for `hpc drain`")
	return c
}

func newHPCDrainCmd() *cobra.Command {
	var (
		control string
		undo    bool
	)
	c := &cobra.Command{
		Use:   "drain --control PATH NODE",
		Short: "Drain a node of a running controller (no new work; it finishes its jobs) through its control socket",
		Long: `drain asks the controller serving --control PATH (its --control flag) to drain NODE: the node
takes no new jobs, learns it from its next heartbeat ack, and keeps running its jobs. --undo
takes new work on the node again. Only the controller's user can open the socket (mode 0600).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if control == "" {
				return errors.New("--control is required: the socket the controller serves (its --control flag)")
			}
			op := agent.OpDrain
			if undo {
				op = agent.OpUndrain
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			rep, err := agent.Control(ctx, control, agent.ControlRequest{Op: op, Node: args[0]})
			if err != nil {
				return err
			}
			var st *hpc.NodeStatus
			for i := range rep.Nodes {
				if rep.Nodes[i].Registration.Node == args[0] {
					st = &rep.Nodes[i]
				}
			}
			v := map[string]any{"node": args[0], "op": op, "status": st}
			return emit(cmd, v, func(w io.Writer) {
				if undo {
					fmt.Fprintf(w, "node %s takes new work again\n", args[0])
				} else {
					fmt.Fprintf(w, "node %s draining: no new work; it learns it from its next heartbeat ack\n", args[0])
				}
			})
		},
	}
	c.Flags().StringVar(&control, "control", "", "the controller's control socket")
	c.Flags().BoolVar(&undo, "undo", false, "undrain: take new work on the node again")
	return c
}

func newHPCAgentCmd() *cobra.Command {
	var (
		controller, ctrlPub, keyFile, cluster, node string
		probeListen, probeAdvertise                 string
		peerFlags                                   []string
		res                                         hpc.Resources
		interval                                    time.Duration
		count                                       int
	)
	c := &cobra.Command{
		Use:   "agent --controller ADDR --controller-pub HEX --key FILE --cluster ID --node ID",
		Short: "Run a node agent: heartbeat to the cluster controller over DTLS",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := readKey(keyFile)
			if err != nil {
				return err
			}
			cp, err := parsePub(ctrlPub, "controller-pub")
			if err != nil {
				return err
			}
			cfg := agent.AgentConfig{Cluster: cluster, Node: node, Key: key, Controller: controller,
				ControllerKey: cp, Capacity: res, Interval: interval, ProbeAdvertise: probeAdvertise}
			if probeListen != "" {
				var static []agent.ProbePeer
				for _, pf := range peerFlags {
					p, err := parsePeerFlag(pf)
					if err != nil {
						return err
					}
					static = append(static, p)
				}
				pr, err := agent.NewProber(agent.ProberConfig{Node: node, Key: key, Listen: probeListen, Static: static})
				if err != nil {
					return fmt.Errorf("%w; check --probe-listen and --peer", err)
				}
				defer pr.Close()
				cfg.Prober = pr
			} else if len(peerFlags) > 0 {
				return errors.New("--peer needs --probe-listen: the UDP address this agent probes from and answers probes on")
			}
			a, err := agent.NewAgent(cfg)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			out := cmd.OutOrStdout()
			sent, failed := 0, 0
			var lastErr error
			a.Run(ctx, func(ack agent.Ack, err error) {
				sent++
				if err != nil {
					failed++
					lastErr = err
					if jsonOut {
						json.NewEncoder(out).Encode(map[string]any{"error": err.Error()})
					} else {
						fmt.Fprintf(out, "heartbeat failed: %v\n", err)
					}
				} else if jsonOut {
					json.NewEncoder(out).Encode(map[string]any{"seq": ack.Seq, "state": ack.Liveness.String(), "drain": ack.Drain})
				} else {
					fmt.Fprintf(out, "heartbeat %d acknowledged: %s%s\n", ack.Seq, ack.Liveness, map[bool]string{true: " (drain requested)"}[ack.Drain])
				}
				if count > 0 && sent >= count {
					cancel()
				}
			})
			if failed == sent && sent > 0 {
				return fmt.Errorf("no heartbeat was accepted (last error: %v); check --controller, --controller-pub and that the provider registered this node's key", lastErr)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&controller, "controller", "127.0.0.1:7946", "the controller's UDP address")
	f.StringVar(&ctrlPub, "controller-pub", "", "the controller's public key (hex), pinned")
	f.StringVar(&keyFile, "key", "", "this node's private key file")
	f.StringVar(&cluster, "cluster", "", "cluster id")
	f.StringVar(&node, "node", "", "node id (as registered)")
	f.Int64Var(&res.Cores, "cores", 1, "cores offered")
	f.Int64Var(&res.MemoryMB, "memory-mb", 0, "memory offered, MB")
	f.Int64Var(&res.GPUs, "gpus", 0, "GPUs offered")
	f.DurationVar(&interval, "interval", hpc.HeartbeatIntervalSeconds*time.Second, "heartbeat interval")
	f.IntVar(&count, "count", 0, "stop after this many heartbeats (default: until interrupted)")
	f.StringVar(&probeListen, "probe-listen", "", "measure latency to peer nodes: UDP address for signed probes (e.g. 127.0.0.1:0); the controller names the cluster's other nodes")
	f.StringVar(&probeAdvertise, "probe-advertise", "", "probe address announced to the controller (default: the bound --probe-listen address)")
	f.StringArrayVar(&peerFlags, "peer", nil, "also probe NODE=ADDR@PUBHEX (e.g. a node of another cluster); repeatable")
	return c
}

// parsePeerFlag parses --peer NODE=ADDR@PUBHEX.
func parsePeerFlag(s string) (agent.ProbePeer, error) {
	node, rest, ok1 := strings.Cut(s, "=")
	addr, pub, ok2 := strings.Cut(rest, "@")
	if !ok1 || !ok2 || node == "" || addr == "" {
		return agent.ProbePeer{}, fmt.Errorf("--peer %q: write NODE=HOST:PORT@PUBLIC_KEY_HEX", s)
	}
	k, err := parsePub(pub, "peer")
	if err != nil {
		return agent.ProbePeer{}, err
	}
	return agent.ProbePeer{Node: node, Key: k, Addr: addr}, nil
}

func readTemplateLib(path string) ([]hpc.SignedTemplate, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var lib []hpc.SignedTemplate
	if err := json.Unmarshal(b, &lib); err != nil {
		return nil, fmt.Errorf("%s: %w; expected a JSON array written by `virtengine hpc template publish`", path, err)
	}
	return lib, nil
}

func writeTemplateLib(path string, lib []hpc.SignedTemplate) error {
	b, err := json.MarshalIndent(lib, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func newHPCTemplateCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "template",
		Short: "Signed workload templates: list the built-ins, publish, approve, render an #SBATCH script",
		Long: `Only templates signed by their publisher and approved by a library approver run (FEATURES §8.4).

  virtengine hpc template list
  virtengine hpc template publish --key publisher.key --lib lib.json gpu-train@1
  virtengine hpc template approve --key approver.key --lib lib.json gpu-train@1
  virtengine hpc template render --lib lib.json --approver HEX --job-name j1 gpu-train@1 script=train.py`,
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the built-in templates",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ts := hpc.BuiltinTemplates()
			return emit(cmd, ts, func(w io.Writer) {
				for _, t := range ts {
					fmt.Fprintf(w, "%s@%s\t%-11s %s\n", t.Name, t.Version, t.Kind, t.Description)
				}
			})
		},
	}
	var keyFile, libFile, approver, jobName string
	publish := &cobra.Command{
		Use:   "publish --key FILE --lib FILE NAME@VERSION...",
		Short: "Sign built-in templates as their publisher into a library file",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := readKey(keyFile)
			if err != nil {
				return err
			}
			lib, err := readTemplateLib(libFile)
			if err != nil {
				return err
			}
			for _, a := range args {
				found := false
				for _, t := range hpc.BuiltinTemplates() {
					if t.Name+"@"+t.Version == a {
						st, err := hpc.PublishTemplate(t, key)
						if err != nil {
							return err
						}
						lib = append(lib, st)
						found = true
					}
				}
				if !found {
					return fmt.Errorf("no built-in template %q: see `virtengine hpc template list`", a)
				}
			}
			if err := writeTemplateLib(libFile, lib); err != nil {
				return err
			}
			return emit(cmd, map[string]any{"lib": libFile, "published": args}, func(w io.Writer) {
				fmt.Fprintf(w, "published %v into %s; an approver must now run `virtengine hpc template approve`\n", args, libFile)
			})
		},
	}
	approve := &cobra.Command{
		Use:   "approve --key FILE --lib FILE NAME@VERSION...",
		Short: "Approve templates of a library file as a library approver",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := readKey(keyFile)
			if err != nil {
				return err
			}
			lib, err := readTemplateLib(libFile)
			if err != nil {
				return err
			}
			for _, a := range args {
				found := false
				for i := range lib {
					if lib[i].Template.Name+"@"+lib[i].Template.Version == a {
						if err := lib[i].Approve(key); err != nil {
							return err
						}
						found = true
					}
				}
				if !found {
					return fmt.Errorf("%s has no template %q: publish it first", libFile, a)
				}
			}
			if err := writeTemplateLib(libFile, lib); err != nil {
				return err
			}
			return emit(cmd, map[string]any{"lib": libFile, "approved": args}, func(w io.Writer) {
				fmt.Fprintf(w, "approved %v in %s\n", args, libFile)
			})
		},
	}
	render := &cobra.Command{
		Use:   "render --lib FILE --approver HEX --job-name NAME NAME@VERSION [param=value...]",
		Short: "Render the SLURM batch script of an approved template",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ap, err := parsePub(approver, "approver")
			if err != nil {
				return err
			}
			ts, err := readTemplateLib(libFile)
			if err != nil {
				return err
			}
			lib := hpc.NewLibrary(ap)
			for _, t := range ts {
				if err := lib.Add(t); err != nil && t.Template.Name+"@"+t.Template.Version == args[0] {
					return fmt.Errorf("%w; only templates signed by their publisher and approved by --approver run", err)
				}
			}
			params := map[string]string{}
			for _, kv := range args[1:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("parameter %q: write name=value", kv)
				}
				params[k] = v
			}
			script, spec, err := lib.Render(hpc.RenderRequest{Template: args[0], JobName: jobName, Params: params})
			if err != nil {
				return err
			}
			return emit(cmd, map[string]any{"script": script, "job": spec}, func(w io.Writer) { fmt.Fprint(w, script) })
		},
	}
	for _, sc := range []*cobra.Command{publish, approve} {
		sc.Flags().StringVar(&keyFile, "key", "", "private key file")
		sc.Flags().StringVar(&libFile, "lib", "templates.json", "library file")
	}
	render.Flags().StringVar(&libFile, "lib", "templates.json", "library file")
	render.Flags().StringVar(&approver, "approver", "", "the approver's public key (hex) this library trusts")
	render.Flags().StringVar(&jobName, "job-name", "job", "job name")
	c.AddCommand(list, publish, approve, render)
	return c
}
