package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto/ed25519"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	rpclocal "github.com/cometbft/cometbft/rpc/client/local"
	"github.com/spf13/viper"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/node/api"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
)

// Options configure Start.
type Options struct {
	// Logger receives the node's structured logs (CometBFT's included, at CometLevel and above).
	Logger *slog.Logger
	// CometLevel filters CometBFT's own logs (they are many); the zero value means slog.LevelWarn,
	// and CometVerbose lowers it to slog.LevelInfo.
	CometLevel   slog.Level
	CometVerbose bool
	// RPCAddr, P2PAddr and APIAddr override the home's configuration when set.
	RPCAddr, P2PAddr, APIAddr string
	// PersistentPeers overrides config.toml's persistent_peers ("id@host:port,…").
	PersistentPeers string
	// NoAPI disables the HTTP API server.
	NoAPI bool
	// TamperVotes makes this validator lie in identity votes (Byzantine tests only).
	TamperVotes bool
	// Abstain makes this validator cast no identity votes (as with a different model).
	Abstain bool
	// SnapshotInterval: blocks between state-sync snapshots (0: every 100, negative: none).
	SnapshotInterval int64
	// StateSync, when set, makes a fresh node restore a snapshot from peers instead of replaying
	// the chain: the light client trusts the header at TrustHeight with hash TrustHash and verifies
	// the snapshot's app hash against the chain (node/app checks the state against it).
	StateSync *StateSync
	// ModelHashes are the sha256 (hex) of the model files this validator scores with; nil means
	// LocalModelHashes (this machine's copies of ModelFiles, hashed at start). When the network pins
	// hashes in its parameters (node init and devnets pin PinnedModelHashes), a validator whose files
	// differ abstains from identity votes and logs why.
	ModelHashes []string
	// Extractor computes identity features from opened evidence bundles; nil means the biometrics
	// extractor (BioExtractor over SharedEngine, opened at the first extraction).
	Extractor veid.Extractor
	// VoteWait bounds ExtendVote's wait for an extraction in progress; zero means DefaultVoteWait.
	VoteWait time.Duration
	// ReferenceApp, when set, runs another ABCI application (CometBFT's kvstore) in place of
	// VirtEngine's under the same CometBFT configuration: benchmarks compare the two side by side.
	ReferenceApp abcitypes.Application
}

// StateSync configures a node that joins by state sync.
type StateSync struct {
	RPCServers    []string // host:port of nodes' CometBFT RPC, for the light client
	TrustHeight   int64
	TrustHash     string // hex header hash at TrustHeight
	DiscoveryTime time.Duration
}

// Node is a running validator or full node.
type Node struct {
	home   string
	cmt    *nm.Node
	app    *app.App
	api    *api.Server
	apiLn  net.Listener
	apiSrv *http.Server
	log    *slog.Logger

	stopOnce sync.Once
	done     chan struct{}
}

// Start opens home, starts CometBFT with the embedded application and the HTTP API, and returns once
// the node is running. It stops when ctx ends or Stop is called.
func Start(ctx context.Context, home string, o Options) (*Node, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	switch {
	case o.CometVerbose:
		o.CometLevel = slog.LevelInfo
	case o.CometLevel == 0:
		o.CometLevel = slog.LevelWarn
	}
	c, err := loadCometConfig(home)
	if err != nil {
		return nil, err
	}
	var lc LocalConfig
	if err := readJSON(localConfigFile(home), &lc); err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNotInitialised, err)
	}
	if o.RPCAddr != "" {
		c.RPC.ListenAddress = o.RPCAddr
	}
	if o.P2PAddr != "" {
		c.P2P.ListenAddress = o.P2PAddr
	}
	// Evidence bundles are large transactions: CometBFT's mempool (1 MiB) and RPC body (1 MB)
	// defaults must not refuse what CheckTx accepts.
	if c.Mempool.MaxTxBytes < tx.MaxTxBytes {
		c.Mempool.MaxTxBytes = tx.MaxTxBytes
	}
	if min := int64(tx.MaxTxBytes)*2 + 64<<10; c.RPC.MaxBodyBytes < min { // hex or base64 in JSON-RPC
		c.RPC.MaxBodyBytes = min
	}
	if o.PersistentPeers != "" {
		c.P2P.PersistentPeers = o.PersistentPeers
	}
	if ss := o.StateSync; ss != nil {
		c.StateSync.Enable = true
		c.StateSync.RPCServers = ss.RPCServers
		if len(ss.RPCServers) == 1 {
			c.StateSync.RPCServers = []string{ss.RPCServers[0], ss.RPCServers[0]} // CometBFT wants two
		}
		c.StateSync.TrustHeight, c.StateSync.TrustHash = ss.TrustHeight, ss.TrustHash
		if ss.DiscoveryTime > 0 {
			c.StateSync.DiscoveryTime = ss.DiscoveryTime
		}
	}
	apiAddr := orDefault(o.APIAddr, lc.APIAddr)
	log := o.Logger.With("node", lc.Moniker)

	var committee app.Committee
	if !o.Abstain {
		kb, err := os.ReadFile(committeeKeyFile(home))
		if err != nil {
			return nil, fmt.Errorf("node: committee key: %w", err)
		}
		id, err := envelope.ParseIdentity(strings.TrimSpace(string(kb)))
		if err != nil {
			return nil, fmt.Errorf("node: committee key: %w", err)
		}
		if o.ModelHashes == nil {
			// The files this validator scores with, hashed now; the network's pinned hashes
			// (Params.ModelHashes) decide whether it votes or abstains (logged by the app).
			if o.ModelHashes, err = LocalModelHashes(); err != nil {
				log.Warn("cannot hash the biometric model files: this validator abstains from identity votes", "err", err)
			}
		}
		committee = app.EvidenceCommittee{ID: id, Files: o.ModelHashes}
		if o.Extractor == nil {
			o.Extractor = BioExtractor{} // the shared engine, opened at the first extraction
		}
	}
	if o.VoteWait == 0 {
		o.VoteWait = DefaultVoteWait
	}
	db, err := dbm.NewGoLevelDB("app", c.DBDir())
	if err != nil {
		return nil, fmt.Errorf("node: open app state: %w", err)
	}
	n := &Node{home: home, log: log, done: make(chan struct{})}
	n.api = api.NewServer(log)
	attKey, zkKey := loadAttestationKey(home), loadZKIssuerKey(home)
	if attKey != nil {
		n.api.SetIssuer(attKey)
	}
	a, err := app.New(db, app.Options{Logger: log.With("module", "app"), Committee: committee, Extractor: o.Extractor, VoteWait: o.VoteWait, OnBlock: n.api.OnBlock, TamperVotes: o.TamperVotes, SnapshotInterval: o.SnapshotInterval,
		AttestationKey: attKey, IssuerKey: zkKey})
	if err != nil {
		db.Close()
		return nil, err
	}
	n.app = a
	var abciApp abcitypes.Application = a
	if o.ReferenceApp != nil {
		abciApp, o.NoAPI = o.ReferenceApp, true
	}
	nk, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (%v)", ErrNotInitialised, err)
	}
	pv := privval.LoadFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	cl := slog.New(levelHandler{o.CometLevel, log.Handler()}).With("module", "cometbft")
	cmt, err := nm.NewNodeWithContext(ctx, c, pv, nk, proxy.NewLocalClientCreator(abciApp),
		nm.DefaultGenesisDocProviderFunc(c), guardedDBProvider, nm.DefaultMetricsProvider(c.Instrumentation), newCometLogger(cl))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("node: %w", err)
	}
	if err := cmt.Start(); err != nil {
		db.Close()
		return nil, fmt.Errorf("node: start: %w", err)
	}
	n.cmt = cmt
	n.api.Attach(rpclocal.New(cmt), a)
	if !o.NoAPI {
		ln, err := net.Listen("tcp", apiAddr)
		if err != nil {
			n.Stop()
			return nil, fmt.Errorf("node: HTTP API on %s: %w (choose another with --api)", apiAddr, err)
		}
		n.apiLn = ln
		n.apiSrv = &http.Server{Handler: n.api.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go n.apiSrv.Serve(ln)
	}
	log.Info("node started", "rpc", n.RPCAddr(), "api", n.APIAddr(), "chain_id", cmt.GenesisDoc().ChainID)
	if committee != nil {
		// Identity votes must agree bit for bit; a dissent between validators on different CPU classes
		// is explained by OpenCV's dispatch (biometrics/RESULTS.md), so say which one this process uses.
		log.Info("identity extraction", "opencv_cpu_features", strings.Join(biometrics.OpenCVCPUFeatures(), ","))
	}
	go func() {
		select {
		case <-ctx.Done():
			n.Stop()
		case <-n.done:
		}
	}()
	return n, nil
}

// Stop stops the HTTP API, CometBFT and the application, and waits for them.
func (n *Node) Stop() {
	n.stopOnce.Do(func() {
		if n.apiSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
			n.apiSrv.Shutdown(ctx)
			cancel()
		}
		if n.api != nil {
			n.api.Close()
		}
		if n.cmt != nil && n.cmt.IsRunning() {
			if err := n.cmt.Stop(); err != nil {
				n.log.Warn("stopping cometbft", "err", err)
			}
			n.cmt.Wait()
		}
		if n.app != nil {
			n.app.Close()
		}
		close(n.done)
	})
}

// Done is closed when the node has stopped.
func (n *Node) Done() <-chan struct{} { return n.done }

// App returns the embedded application (tests read its app hash).
func (n *Node) App() *app.App { return n.app }

// Comet returns the CometBFT node.
func (n *Node) Comet() *nm.Node { return n.cmt }

// RPCAddr is CometBFT's RPC listen address as host:port.
func (n *Node) RPCAddr() string {
	return strings.TrimPrefix(n.cmt.Config().RPC.ListenAddress, "tcp://")
}

// APIAddr is the HTTP API's address (empty when disabled).
func (n *Node) APIAddr() string {
	if n.apiLn == nil {
		return ""
	}
	return n.apiLn.Addr().String()
}

// P2PAddr returns id@host:port for use as a persistent peer.
func (n *Node) P2PAddr() string {
	return string(n.cmt.NodeInfo().ID()) + "@" + strings.TrimPrefix(n.cmt.Config().P2P.ListenAddress, "tcp://")
}

func loadCometConfig(home string) (*cfg.Config, error) {
	c := cometConfig(home)
	path := filepath.Join(home, "config", "config.toml")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNotInitialised, err)
	}
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("node: read %s: %w", path, err)
	}
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("node: parse %s: %w", path, err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("node: %s: %w", path, err)
	}
	return c, nil
}

func ed25519PubKey(b []byte) ed25519.PubKey { return ed25519.PubKey(b) }

// levelHandler drops records below min.
type levelHandler struct {
	min slog.Level
	slog.Handler
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h levelHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return levelHandler{h.min, h.Handler.WithAttrs(a)}
}
func (h levelHandler) WithGroup(g string) slog.Handler {
	return levelHandler{h.min, h.Handler.WithGroup(g)}
}

var _ = errors.New
