// Package devnet makes and runs a network of N validators on loopback in one call: the homes, one
// shared genesis (a funded faucet key with the genesis role, every validator's committee key), the
// peers, and free ports (the first validator's RPC on 127.0.0.1:26657 unless told otherwise).
//
//	net, err := devnet.Create(dir, devnet.Config{Validators: 4})
//	err = net.Start(ctx, devnet.StartOptions{})   // in-process; net.Stop() stops all
package devnet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/internal/demo"
	"github.com/virtengine/sdk/node"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/keyring"
	"github.com/virtengine/sdk/node/tx"
)

// MaxValidators bounds a devnet on one machine.
const MaxValidators = 32

// Config describes a devnet.
type Config struct {
	Validators int
	ChainID    string // default "virtengine-devnet"
	// FirstRPC is the first validator's RPC address; default 127.0.0.1:26657, or a free port when
	// that is taken and RandomPorts is set.
	FirstRPC string
	// RandomPorts picks free ports for every listener (tests).
	RandomPorts bool
	// TimeoutCommit: zero keeps CometBFT's default (1 s).
	TimeoutCommit time.Duration
	// Accounts are extra funded genesis accounts.
	Accounts []app.GenesisAccount
	// DisputeWindow is the settlement dispute window in seconds (genesis Params.DisputeWindow); zero
	// means DefaultDisputeWindow, negative keeps settlement's 7 days.
	DisputeWindow int64
}

// DefaultDisputeWindow is a devnet's settlement dispute window: short, so that a demo's usage is
// paid out while it runs (a production network keeps settlement.DisputeWindow, 7 days).
const DefaultDisputeWindow int64 = 5

// DefaultIdentityVoteWindow is a devnet's Params.IdentityVoteWindow, in blocks.
const DefaultIdentityVoteWindow = 40

// NodeInfo is one validator of a devnet.
type NodeInfo struct {
	Name     string     `json:"name"`
	Home     string     `json:"home"`
	RPC      string     `json:"rpc"`
	P2P      string     `json:"p2p"`
	API      string     `json:"api"`
	NodeID   string     `json:"node_id"`
	Operator tx.Address `json:"operator"`
}

// Network is a created devnet; Start runs it.
type Network struct {
	Dir     string     `json:"dir"`
	ChainID string     `json:"chain_id"`
	Nodes   []NodeInfo `json:"nodes"`
	Faucet  tx.Address `json:"faucet"`

	mu      sync.Mutex
	running []*node.Node
}

// ManifestFile is the devnet description written in the devnet's directory.
const ManifestFile = "devnet.json"

// FaucetKeyName is the keyring name of the faucet key (in <dir>/keys).
const FaucetKeyName = "faucet"

// Create makes the homes of cfg.Validators validators under dir, a shared genesis and a keyring with
// the faucet and each validator's operator key.
func Create(dir string, cfg Config) (*Network, error) {
	if cfg.Validators < 1 || cfg.Validators > MaxValidators {
		return nil, fmt.Errorf("devnet: --validators must be 1..%d", MaxValidators)
	}
	if cfg.ChainID == "" {
		cfg.ChainID = "virtengine-devnet"
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err == nil {
		return nil, fmt.Errorf("devnet: %s already holds a devnet; start it with Load, or use another --home", dir)
	}
	kr, err := keyring.Open(filepath.Join(dir, "keys"))
	if err != nil {
		return nil, err
	}
	faucet, err := tx.GenerateKey(tx.Ed25519)
	if err != nil {
		return nil, err
	}
	if _, err := kr.Add(FaucetKeyName, faucet); err != nil {
		return nil, err
	}
	nw := &Network{Dir: dir, ChainID: cfg.ChainID, Faucet: faucet.Address()}
	var vals []*node.ValidatorInfo
	used := map[string]bool{}
	for i := 0; i < cfg.Validators; i++ {
		name := fmt.Sprintf("node%d", i)
		home := filepath.Join(dir, name)
		rpc, err := pickAddr(i, 26657, cfg, used)
		if err != nil {
			return nil, err
		}
		p2p, err := pickAddr(i, 26656, cfg, used)
		if err != nil {
			return nil, err
		}
		api, err := pickAddr(i, 1317, cfg, used)
		if err != nil {
			return nil, err
		}
		if i == 0 && cfg.FirstRPC != "" {
			rpc = cfg.FirstRPC
		}
		op, err := tx.GenerateKey(tx.Ed25519)
		if err != nil {
			return nil, err
		}
		if _, err := kr.Add(name+"-operator", op); err != nil {
			return nil, err
		}
		vi, err := node.Init(home, node.InitOptions{ChainID: cfg.ChainID, Moniker: name, RPCAddr: "tcp://" + rpc, P2PAddr: "tcp://" + p2p,
			APIAddr: api, SkipGenesis: true, TimeoutCommit: cfg.TimeoutCommit})
		if err != nil {
			return nil, err
		}
		vi.Operator = op.Address()
		vals = append(vals, vi)
		nw.Nodes = append(nw.Nodes, NodeInfo{Name: name, Home: home, RPC: rpc, P2P: p2p, API: api, NodeID: vi.NodeID, Operator: op.Address()})
	}
	params, err := node.GenesisParams() // the biometric model files pinned by hash
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.DisputeWindow == 0:
		params.DisputeWindow = DefaultDisputeWindow
	case cfg.DisputeWindow > 0:
		params.DisputeWindow = cfg.DisputeWindow
	}
	// The only identity documents in the shared test data are expired specimens (ICAO's passport
	// expired in 2012): a devnet evaluates identity evidence at the SDK demo's simulated date.
	params.EvidenceTime = demo.DefaultBlockTime.Unix()
	// Blocks are short (100–200 ms) and every validator of an in-process devnet extracts on the same
	// cores (~1 s of CPU each): give identity requests more blocks to gather their votes.
	params.IdentityVoteWindow = DefaultIdentityVoteWindow
	g := app.Genesis{Params: params, Accounts: append([]app.GenesisAccount{{Address: faucet.Address(), Balance: node.DefaultFaucet, Roles: []string{tx.RoleGenesis}}}, cfg.Accounts...)}
	gt := time.Now().UTC().Truncate(time.Second)
	for _, n := range nw.Nodes {
		if err := node.WriteGenesis(n.Home, cfg.ChainID, vals, g, gt); err != nil {
			return nil, err
		}
	}
	b, _ := json.MarshalIndent(nw, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o600); err != nil {
		return nil, err
	}
	return nw, nil
}

// Load reads a devnet made by Create.
func Load(dir string) (*Network, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("devnet: %w (create one with `virtengine devnet --home %s`)", err, dir)
	}
	var nw Network
	if err := json.Unmarshal(b, &nw); err != nil {
		return nil, err
	}
	return &nw, nil
}

// Keyring opens the devnet's keyring (faucet and operator keys).
func (nw *Network) Keyring() (*keyring.Keyring, error) {
	return keyring.Open(filepath.Join(nw.Dir, "keys"))
}

// Peers returns the persistent_peers string for node i (every other node).
func (nw *Network) Peers(i int) string {
	var ps []string
	for j, n := range nw.Nodes {
		if j != i {
			ps = append(ps, n.NodeID+"@"+n.P2P)
		}
	}
	return strings.Join(ps, ",")
}

// StartOptions configure Start.
type StartOptions struct {
	Logger *slog.Logger
	// Byzantine lists validators (by index) that tamper with their identity votes.
	Byzantine []int
	// Abstain lists validators that cast no identity votes.
	Abstain []int
	// OtherModels lists validators that run model files other than the pinned ones (tests: one
	// file's hash is replaced); they abstain from identity votes and log why.
	OtherModels []int
	// Reference, when set, runs the application it returns (CometBFT's kvstore) on every validator
	// instead of VirtEngine's, for side-by-side benchmarks.
	Reference func() abcitypes.Application
}

// Start runs every validator in this process and returns once all are started.
func (nw *Network) Start(ctx context.Context, o StartOptions) error {
	for i := range nw.Nodes {
		if err := nw.StartNode(ctx, i, o); err != nil {
			nw.Stop()
			return err
		}
	}
	return nil
}

// StartNode runs validator i in this process.
func (nw *Network) StartNode(ctx context.Context, i int, o StartOptions) error {
	n := nw.Nodes[i]
	lg := o.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	no := node.Options{Logger: lg, PersistentPeers: nw.Peers(i), TamperVotes: contains(o.Byzantine, i), Abstain: contains(o.Abstain, i)}
	if contains(o.OtherModels, i) {
		h, err := node.LocalModelHashes()
		if err != nil {
			return fmt.Errorf("devnet: %s: %w", n.Name, err)
		}
		other := sha256.Sum256([]byte("devnet: another face detector"))
		no.ModelHashes = append([]string{hex.EncodeToString(other[:])}, h[1:]...)
	}
	if o.Reference != nil {
		no.ReferenceApp = o.Reference()
	}
	nd, err := node.Start(ctx, n.Home, no)
	if err != nil {
		return fmt.Errorf("devnet: %s: %w", n.Name, err)
	}
	nw.mu.Lock()
	for len(nw.running) <= i {
		nw.running = append(nw.running, nil)
	}
	nw.running[i] = nd
	nw.mu.Unlock()
	return nil
}

// Node returns running validator i (nil if not running in this process).
func (nw *Network) Node(i int) *node.Node {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if i < len(nw.running) {
		return nw.running[i]
	}
	return nil
}

// StopNode stops validator i.
func (nw *Network) StopNode(i int) {
	if n := nw.Node(i); n != nil {
		n.Stop()
		nw.mu.Lock()
		nw.running[i] = nil
		nw.mu.Unlock()
	}
}

// Stop stops every running validator, in parallel.
func (nw *Network) Stop() {
	var wg sync.WaitGroup
	for i := range nw.Nodes {
		wg.Add(1)
		go func(i int) { defer wg.Done(); nw.StopNode(i) }(i)
	}
	wg.Wait()
}

func contains(s []int, i int) bool {
	for _, x := range s {
		if x == i {
			return true
		}
	}
	return false
}

// pickAddr returns 127.0.0.1:<base+10*i> when free, else (with RandomPorts, or when taken) a free port.
func pickAddr(i, base int, cfg Config, used map[string]bool) (string, error) {
	if !cfg.RandomPorts {
		a := fmt.Sprintf("127.0.0.1:%d", base+10*i)
		if free(a) && !used[a] {
			used[a] = true
			return a, nil
		}
		if i == 0 && base == 26657 && cfg.FirstRPC == "" {
			return "", fmt.Errorf("devnet: %s is in use; stop what listens there or pass --rpc 127.0.0.1:<port>", a)
		}
	}
	for tries := 0; tries < 100; tries++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		a := l.Addr().String()
		l.Close()
		if !used[a] {
			used[a] = true
			return a, nil
		}
	}
	return "", errors.New("devnet: no free port on 127.0.0.1")
}

func free(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}
