package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/internal/demo"
	"github.com/virtengine/sdk/node"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/devnet"
	"github.com/virtengine/sdk/node/e2e"
	"github.com/virtengine/sdk/node/keyring"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
)

// Command groups of the reference node: node, devnet, keys, tx, query, genesis.
func init() {
	addCommand(newNodeCmd())
	addCommand(newDevnetCmd())
	addCommand(newKeysCmd())
	addCommand(newTxCmd())
	addCommand(newQueryCmd())
	addCommand(newGenesisCmd())
}

var (
	ndNodeAddr string // --node for tx and query
	ndKeyring  string // --keyring
)

func ndDefaultHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".virtengine")
	}
	return ".virtengine"
}

func ndKeyringDir() string {
	if ndKeyring != "" {
		return ndKeyring
	}
	if k := os.Getenv("VIRTENGINE_KEYRING"); k != "" {
		return k
	}
	return filepath.Join(ndDefaultHome(), "keys")
}

// ndSignalContext is cancelled by SIGINT or SIGTERM.
func ndSignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func ndLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func newNodeCmd() *cobra.Command {
	c := &cobra.Command{Use: "node", Short: "Run a VirtEngine validator or full node (CometBFT with the embedded application)"}
	var home, chainID, moniker, rpc, p2p, api string
	initCmd := &cobra.Command{
		Use:   "init --home DIR",
		Short: "Create a node home: keys, config and a one-validator genesis with a funded faucet key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kr, err := keyring.Open(filepath.Join(home, "keys"))
			if err != nil {
				return err
			}
			fk, err := tx.GenerateKey(tx.Ed25519)
			if err != nil {
				return err
			}
			addr := fk.Address()
			vi, err := node.Init(home, node.InitOptions{ChainID: chainID, Moniker: moniker, RPCAddr: ndTCP(rpc), P2PAddr: ndTCP(p2p), APIAddr: api, Faucet: &addr})
			if err != nil {
				return err
			}
			if _, err := kr.Add("faucet", fk); err != nil {
				return err
			}
			out := map[string]any{"home": home, "chain_id": orStr(chainID, node.DefaultChainID), "node_id": vi.NodeID, "faucet": addr.String(),
				"keyring": filepath.Join(home, "keys"), "committee_key": vi.CommitteeKey}
			return emit(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "initialised %s (chain %s, node %s)\n", home, out["chain_id"], vi.NodeID)
				fmt.Fprintf(w, "faucet account %s (key in %s/keys/faucet.json)\n", addr, home)
				fmt.Fprintf(w, "start it with: virtengine node start --home %s\n", home)
			})
		},
	}
	initCmd.Flags().StringVar(&home, "home", filepath.Join(ndDefaultHome(), "node"), "node home directory")
	initCmd.Flags().StringVar(&chainID, "chain-id", node.DefaultChainID, "chain id")
	initCmd.Flags().StringVar(&moniker, "moniker", "", "node name (default: the home's base name)")
	initCmd.Flags().StringVar(&rpc, "rpc", "127.0.0.1:26657", "CometBFT RPC listen address")
	initCmd.Flags().StringVar(&p2p, "p2p", "127.0.0.1:26656", "P2P listen address")
	initCmd.Flags().StringVar(&api, "api", node.DefaultAPIAddr, "HTTP API listen address")

	var shome string
	startCmd := &cobra.Command{
		Use:   "start --home DIR",
		Short: "Start the node; SIGINT or SIGTERM stops it cleanly",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := ndSignalContext()
			defer stop()
			n, err := node.Start(ctx, shome, node.Options{Logger: ndLogger()})
			if err != nil {
				return err
			}
			info := map[string]string{"rpc": n.RPCAddr(), "api": n.APIAddr(), "p2p": n.P2PAddr()}
			emit(cmd, info, func(w io.Writer) {
				fmt.Fprintf(w, "node running: RPC %s, HTTP API http://%s, P2P %s (Ctrl-C stops)\n", info["rpc"], info["api"], info["p2p"])
			})
			<-ctx.Done()
			n.Stop()
			return nil
		},
	}
	startCmd.Flags().StringVar(&shome, "home", filepath.Join(ndDefaultHome(), "node"), "node home directory")
	c.AddCommand(initCmd, startCmd)
	return c
}

func newDevnetCmd() *cobra.Command {
	var n int
	var home, rpc string
	var timeoutCommit time.Duration
	var flow, exit bool
	c := &cobra.Command{
		Use:   "devnet --validators N --home DIR",
		Short: "Create (if needed) and run N validators on loopback in this process; SIGINT/SIGTERM stops all",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			nw, err := devnet.Load(home)
			if err != nil {
				nw, err = devnet.Create(home, devnet.Config{Validators: n, FirstRPC: rpc, TimeoutCommit: timeoutCommit})
				if err != nil {
					return err
				}
			} else if len(nw.Nodes) != n && cmd.Flags().Changed("validators") {
				return fmt.Errorf("%s holds a devnet of %d validators; use another --home for %d", home, len(nw.Nodes), n)
			}
			ctx, stop := ndSignalContext()
			defer stop()
			if err := nw.Start(ctx, devnet.StartOptions{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}); err != nil {
				return err
			}
			type row struct {
				Name string `json:"name"`
				RPC  string `json:"rpc"`
				API  string `json:"api"`
			}
			var rows []row
			for i := range nw.Nodes {
				nd := nw.Node(i)
				rows = append(rows, row{nw.Nodes[i].Name, nd.RPCAddr(), "http://" + nd.APIAddr()})
			}
			out := map[string]any{"chain_id": nw.ChainID, "home": home, "faucet": nw.Faucet.String(), "keyring": filepath.Join(home, "keys"), "validators": rows}
			emit(cmd, out, func(w io.Writer) {
				fmt.Fprintf(w, "devnet %s: %d validator(s), home %s\n", nw.ChainID, len(rows), home)
				for _, r := range rows {
					fmt.Fprintf(w, "  %-6s RPC %-22s HTTP API %s\n", r.Name, r.RPC, r.API)
				}
				fmt.Fprintf(w, "faucet %s: virtengine tx send --keyring %s/keys --from faucet --to ADDR --amount N\n", nw.Faucet, home)
				fmt.Fprintln(w, "Ctrl-C stops all validators")
			})
			if flow {
				var w io.Writer = cmd.OutOrStdout()
				if jsonOut {
					w = io.Discard
				}
				rep, err := e2e.Flow(ctx, w, nw)
				if jsonOut && rep != nil {
					writeJSON(cmd.OutOrStdout(), rep)
				}
				if err != nil {
					nw.Stop()
					return err
				}
				if exit {
					nw.Stop()
					return nil
				}
			}
			<-ctx.Done()
			nw.Stop()
			return nil
		},
	}
	c.Flags().IntVar(&n, "validators", 1, "number of validators")
	c.Flags().StringVar(&home, "home", filepath.Join(ndDefaultHome(), "devnet"), "devnet directory")
	c.Flags().StringVar(&rpc, "rpc", "", "first validator's RPC address (default 127.0.0.1:26657)")
	c.Flags().DurationVar(&timeoutCommit, "timeout-commit", 0, "CometBFT timeout_commit (default 1s)")
	c.Flags().BoolVar(&flow, "flow", false, "run the end-to-end flow (identity → proof → market → HPC → settlement) on the devnet by transactions")
	c.Flags().BoolVar(&exit, "exit", false, "with --flow: stop the devnet when the flow is done")
	return c
}

func newKeysCmd() *cobra.Command {
	c := &cobra.Command{Use: "keys", Short: "Manage account keys in a keyring directory (--keyring, $VIRTENGINE_KEYRING, ~/.virtengine/keys)"}
	c.PersistentFlags().StringVar(&ndKeyring, "keyring", "", "keyring directory")
	var algo string
	add := &cobra.Command{
		Use: "add NAME", Short: "Generate a key (ed25519 or secp256k1)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := tx.ParseAlgo(algo)
			if err != nil {
				return err
			}
			k, err := tx.GenerateKey(a)
			if err != nil {
				return err
			}
			kr, err := keyring.Open(ndKeyringDir())
			if err != nil {
				return err
			}
			e, err := kr.Add(args[0], k)
			if err != nil {
				return err
			}
			e.PrivateKey = ""
			return emit(cmd, e, func(w io.Writer) { fmt.Fprintf(w, "%s %s %s\n", e.Name, e.Algo, e.Address) })
		},
	}
	add.Flags().StringVar(&algo, "algo", "ed25519", "ed25519 or secp256k1")
	list := &cobra.Command{
		Use: "list", Short: "List keys", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kr, err := keyring.Open(ndKeyringDir())
			if err != nil {
				return err
			}
			es, err := kr.List()
			if err != nil {
				return err
			}
			return emit(cmd, es, func(w io.Writer) {
				for _, e := range es {
					fmt.Fprintf(w, "%-20s %-10s %s\n", e.Name, e.Algo, e.Address)
				}
			})
		},
	}
	show := &cobra.Command{
		Use: "show NAME", Short: "Show a key's address", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := keyring.Open(ndKeyringDir())
			if err != nil {
				return err
			}
			_, e, err := kr.Get(args[0])
			if err != nil {
				return err
			}
			e.PrivateKey = ""
			return emit(cmd, e, func(w io.Writer) { fmt.Fprintln(w, e.Address) })
		},
	}
	c.AddCommand(add, list, show)
	return c
}

func ndClient(ctx context.Context) (*client.Client, error) {
	c, err := client.Dial(ndNodeAddr)
	if err != nil {
		return nil, err
	}
	if _, err := c.Height(ctx); err != nil {
		return nil, fmt.Errorf("no node at %s (%v); start one with `virtengine node start` or `virtengine devnet`, or pass --node", ndNodeAddr, err)
	}
	return client.New(ctx, c.RPC)
}

func newTxCmd() *cobra.Command {
	c := &cobra.Command{Use: "tx", Short: "Sign and submit transactions; each waits until committed"}
	c.PersistentFlags().StringVar(&ndNodeAddr, "node", "127.0.0.1:26657", "node RPC address")
	c.PersistentFlags().StringVar(&ndKeyring, "keyring", "", "keyring directory")
	var from string
	var factors []string
	c.PersistentFlags().StringVar(&from, "from", "", "signing key name in the keyring")
	c.PersistentFlags().StringArrayVar(&factors, "factor", nil, "second factor as ID=KEYNAME (a registered factor key), repeatable")

	run := func(cmd *cobra.Command, msg tx.Msg) error {
		if from == "" {
			return errors.New("--from is required: the name of a key in the keyring (virtengine keys list)")
		}
		kr, err := keyring.Open(ndKeyringDir())
		if err != nil {
			return err
		}
		k, _, err := kr.Get(from)
		if err != nil {
			return err
		}
		var fs []tx.NamedSigner
		for _, f := range factors {
			id, name, ok := strings.Cut(f, "=")
			if !ok {
				return fmt.Errorf("--factor %q: want ID=KEYNAME", f)
			}
			fk, _, err := kr.Get(name)
			if err != nil {
				return err
			}
			fs = append(fs, tx.NamedSigner{ID: id, Key: fk})
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
		defer cancel()
		cl, err := ndClient(ctx)
		if err != nil {
			return err
		}
		res, err := cl.Submit(ctx, k, msg, fs...)
		if err != nil {
			return err
		}
		return emit(cmd, res, func(w io.Writer) { fmt.Fprintf(w, "committed %s at height %d\n", res.Hash, res.Height) })
	}
	var to string
	var amount uint64
	send := &cobra.Command{Use: "send --from NAME --to ADDR --amount N", Short: "Transfer " + tx.Denom, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := tx.ParseAddress(to)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			return run(cmd, &tx.MsgSend{To: a, Amount: amount})
		}}
	send.Flags().StringVar(&to, "to", "", "recipient address (40 hex)")
	send.Flags().Uint64Var(&amount, "amount", 0, "amount in "+tx.Denom)
	var account, role string
	grant := &cobra.Command{Use: "grant-role --from NAME --account ADDR --role ROLE", Short: "Grant a role (who may grant what: FEATURES.md §9.2)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := tx.ParseAddress(account)
			if err != nil {
				return fmt.Errorf("--account: %w", err)
			}
			return run(cmd, &tx.MsgGrantRole{Account: a, Role: role})
		}}
	grant.Flags().StringVar(&account, "account", "", "account address")
	grant.Flags().StringVar(&role, "role", "", "administrator, validator, moderator, provider, support or customer")
	var fid, fkind, fkey string
	factorKey := func() (tx.PubKey, error) {
		kr, err := keyring.Open(ndKeyringDir())
		if err != nil {
			return tx.PubKey{}, err
		}
		k, _, err := kr.Get(fkey)
		if err != nil {
			return tx.PubKey{}, err
		}
		return k.PubKey(), nil
	}
	reg := &cobra.Command{Use: "register-factor --from NAME --id ID --kind fido2|totp --key KEYNAME [--factor ID=KEYNAME]...",
		Short: "Register a second-factor key for MFA-gated transactions",
		Long: `register-factor enrolls a second-factor key. The account's first factor needs only the account
key (register fido2 first: the MFA policy's key-rotation rule asks for VEID + FIDO2); every later
one needs that step-up: a verified identity (VEID, score >= 50) and --factor signatures of the
registered FIDO2 key. VEID is never a key: it is the account's identity, final on chain.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pk, err := factorKey()
			if err != nil {
				return err
			}
			return run(cmd, &tx.MsgRegisterFactor{ID: fid, Kind: fkind, PubKey: pk})
		}}
	reg.Flags().StringVar(&fid, "id", "", "factor id")
	reg.Flags().StringVar(&fkind, "kind", tx.FactorFIDO2, "fido2 or totp")
	reg.Flags().StringVar(&fkey, "key", "", "keyring name of the factor's key")
	replace := &cobra.Command{Use: "replace-factor --from NAME --id ID --key KEYNAME --factor ID=KEYNAME...",
		Short: "Replace the key of a registered factor (MFA key-rotation step-up: VEID + FIDO2, signed with the current keys)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pk, err := factorKey()
			if err != nil {
				return err
			}
			return run(cmd, &tx.MsgReplaceFactor{ID: fid, PubKey: pk})
		}}
	replace.Flags().StringVar(&fid, "id", "", "factor id")
	replace.Flags().StringVar(&fkey, "key", "", "keyring name of the factor's new key")
	remove := &cobra.Command{Use: "remove-factor --from NAME --id ID --factor ID=KEYNAME...",
		Short: "Remove a registered factor (MFA disable-a-factor step-up: VEID + FIDO2 + TOTP)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd, &tx.MsgRemoveFactor{ID: fid})
		}}
	remove.Flags().StringVar(&fid, "id", "", "factor id")
	var evDoc, evClaimed, evSelfie string
	var evFrames []string
	var evDemo bool
	evidence := &cobra.Command{Use: "submit-evidence --from NAME (--document IMG --selfie IMG [--claimed FILE.json] [--frame IMG]... | --demo)",
		Short: "Seal an identity evidence bundle (document, selfie, face-video frames) to the validator committee and submit it; validators extract and score it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ev *veid.Evidence
			if evDemo {
				eng, err := node.SharedEngine()
				if err != nil {
					return err
				}
				if ev, _, err = demo.GenuineEvidence(eng); err != nil {
					return err
				}
			} else {
				if evDoc == "" || evSelfie == "" {
					return fmt.Errorf("--document and --selfie are required (or --demo)")
				}
				ev = &veid.Evidence{}
				add := func(kind veid.ScopeKind, name, file string) error {
					b, err := os.ReadFile(file)
					if err != nil {
						return err
					}
					ev.Items = append(ev.Items, veid.EvidenceItem{Kind: kind, Name: name, Data: b})
					return nil
				}
				if err := add(veid.KindIDDocument, "document.jpg", evDoc); err != nil {
					return err
				}
				if evClaimed != "" {
					if err := add(veid.KindIDDocument, "claimed.json", evClaimed); err != nil {
						return err
					}
				}
				if err := add(veid.KindSelfie, "selfie.jpg", evSelfie); err != nil {
					return err
				}
				for i, fr := range evFrames {
					if err := add(veid.KindFaceVideo, fmt.Sprintf("frame-%d.jpg", i), fr); err != nil {
						return err
					}
				}
			}
			pt, err := ev.MarshalBinary()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
			defer cancel()
			cl, err := ndClient(ctx)
			if err != nil {
				return err
			}
			rs, err := cl.Committee(ctx)
			if err != nil {
				return err
			}
			sk, err := envelope.GenerateSigningKey(envelope.Ed25519)
			if err != nil {
				return err
			}
			env, err := envelope.Seal(pt, sk, rs, nil)
			if err != nil {
				return err
			}
			return run(cmd, &tx.MsgSubmitEvidence{Envelope: env})
		}}
	evidence.Flags().StringVar(&evDoc, "document", "", "image of the identity document")
	evidence.Flags().StringVar(&evClaimed, "claimed", "", "JSON of the claimed fields (biometrics.ClaimedFields)")
	evidence.Flags().StringVar(&evSelfie, "selfie", "", "selfie image")
	evidence.Flags().StringSliceVar(&evFrames, "frame", nil, "face-video frame image (repeat, in order; the head turns left)")
	evidence.Flags().BoolVar(&evDemo, "demo", false, "submit the SDK demo's genuine capture (shared test images)")
	var mtype, mjson string
	submit := &cobra.Command{Use: "submit --from NAME --type TYPE --msg JSON", Short: "Sign and submit any message type, given as JSON (field names as in package node/tx)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := tx.NewMsg(mtype)
			if err != nil {
				return err
			}
			dec := json.NewDecoder(strings.NewReader(mjson))
			dec.DisallowUnknownFields()
			if err := dec.Decode(m); err != nil {
				return fmt.Errorf("--msg for %s: %w", mtype, err)
			}
			if err := m.Validate(); err != nil {
				return err
			}
			return run(cmd, m)
		}}
	submit.Flags().StringVar(&mtype, "type", "", "message type: "+strings.Join(tx.Types(), ", "))
	submit.Flags().StringVar(&mjson, "msg", "{}", "the message as JSON")
	c.AddCommand(send, grant, reg, replace, remove, evidence, submit)
	return c
}

func newQueryCmd() *cobra.Command {
	c := &cobra.Command{Use: "query", Short: "Read the node's committed state"}
	c.PersistentFlags().StringVar(&ndNodeAddr, "node", "127.0.0.1:26657", "node RPC address")
	q := func(use, short string, path func(args []string) string, nargs int) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(nargs),
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx, cancel := context.WithTimeout(cmd.Context(), 20*time.Second)
				defer cancel()
				cl, err := ndClient(ctx)
				if err != nil {
					return err
				}
				var v any
				if err := cl.Query(ctx, path(args), &v); err != nil {
					return err
				}
				return writeJSON(cmd.OutOrStdout(), v)
			}}
	}
	c.AddCommand(
		q("account ADDR", "An account: number, sequence, balance, roles, state", func(a []string) string { return "/account/" + a[0] }, 1),
		q("identity ADDR", "An account's consensus identity score", func(a []string) string { return "/identity/" + a[0] }, 1),
		q("request ID", "An identity request", func(a []string) string { return "/identity/request/" + a[0] }, 1),
		q("params", "Network parameters", func([]string) string { return "/params" }, 0),
		q("validators", "Validators with their committee keys", func([]string) string { return "/validators" }, 0),
		q("raw PATH", "Any application query path", func(a []string) string { return "/" + strings.TrimPrefix(a[0], "/") }, 1),
	)
	return c
}

func newGenesisCmd() *cobra.Command {
	c := &cobra.Command{Use: "genesis", Short: "Export a stopped node's state as genesis, or import one into a new home"}
	var home, out string
	export := &cobra.Command{Use: "export --home DIR [-o FILE]", Short: "Dump the committed application state (stop the node first)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := dbm.NewGoLevelDB("app", filepath.Join(home, "data"))
			if err != nil {
				return fmt.Errorf("open %s/data/app.db: %w (is the node still running? stop it first)", home, err)
			}
			a, err := app.New(db, app.Options{})
			if err != nil {
				return err
			}
			defer a.Close()
			g, err := a.Export()
			if err != nil {
				return err
			}
			return ndWriteOut(cmd, out, g)
		}}
	export.Flags().StringVar(&home, "home", filepath.Join(ndDefaultHome(), "node"), "node home")
	export.Flags().StringVarP(&out, "output", "o", "", "output file (default stdout)")
	var ihome, from string
	imp := &cobra.Command{Use: "import --home DIR --from FILE", Short: "Put an exported state into a freshly initialised home's genesis", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := os.ReadFile(from)
			if err != nil {
				return err
			}
			exported, err := app.ParseGenesis(b)
			if err != nil {
				return err
			}
			gpath := filepath.Join(ihome, "config", "genesis.json")
			doc, err := cmttypes.GenesisDocFromFile(gpath)
			if err != nil {
				return fmt.Errorf("%w (run `virtengine node init --home %s` first)", err, ihome)
			}
			if _, err := os.Stat(filepath.Join(ihome, "data", "app.db")); err == nil {
				return fmt.Errorf("%s has already run; import into a fresh home", ihome)
			}
			// Keep this network's validators (with their committee keys); take the exported state.
			current, err := app.ParseGenesis(doc.AppState)
			if err != nil {
				return err
			}
			current.State, current.Params = exported.State, exported.Params
			if doc.AppState, err = json.Marshal(current); err != nil {
				return err
			}
			if err := doc.SaveAs(gpath); err != nil {
				return err
			}
			return emit(cmd, map[string]string{"genesis": gpath}, func(w io.Writer) { fmt.Fprintf(w, "imported state into %s\n", gpath) })
		}}
	imp.Flags().StringVar(&ihome, "home", filepath.Join(ndDefaultHome(), "node"), "node home")
	imp.Flags().StringVar(&from, "from", "", "exported genesis JSON")
	c.AddCommand(export, imp)
	return c
}

func ndWriteOut(cmd *cobra.Command, path string, v any) error {
	if path == "" {
		return writeJSON(cmd.OutOrStdout(), v)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeJSON(f, v)
}

func ndTCP(a string) string {
	if a == "" || strings.Contains(a, "://") {
		return a
	}
	return "tcp://" + a
}

func orStr(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

var _ = hex.EncodeToString
