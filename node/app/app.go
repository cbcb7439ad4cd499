package app

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/version"

	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// AppVersion is the application protocol version reported to CometBFT.
const AppVersion uint64 = 1

// Options configure an App.
type Options struct {
	// Logger receives structured logs; it never gets personal data (no evidence, no envelopes, only
	// addresses, heights, codes). Nil discards logs.
	Logger *slog.Logger
	// Committee is this validator's identity committee key; nil makes the validator abstain from
	// identity votes (a full node or a validator without the pinned model).
	Committee Committee
	// OnBlock, if set, is called after each committed block with its height and events (for the
	// event stream and metrics). It must not block.
	OnBlock func(BlockInfo)
	// SnapshotInterval is how often (in blocks) the state is snapshotted for state sync: 0 means
	// every 100 blocks, a negative value never.
	SnapshotInterval int64
	// Extractor computes the features of an opened evidence bundle (veid.Evidence) for scoring;
	// extraction reads its clock from EvaluationTime(ctx). Nil makes a committee member abstain.
	// The node's default is the biometrics extractor (real models on the evidence's images).
	Extractor veid.Extractor
	// VoteWait bounds how long ExtendVote waits for an extraction in progress before voting without
	// it (the request is voted on at a later height). Zero never waits.
	VoteWait time.Duration
	// AttestationKey (Ed25519) and IssuerKey (zk) sign the credentials the network issues, in this
	// validator's vote extensions; their public keys are registered in the validator set. Without
	// them the validator does not sign credentials.
	AttestationKey ed25519.PrivateKey
	IssuerKey      *zk.IssuerPrivateKey
	// TamperVotes makes this validator lie in its identity votes: at every height it votes a made-up
	// score and input hash on every pending request, without extracting. Tests use it to play a
	// Byzantine validator; never set it otherwise.
	TamperVotes bool
}

// BlockInfo summarises a committed block for observers.
type BlockInfo struct {
	Height  int64
	Time    time.Time
	AppHash []byte
	Txs     int
	Failed  int
	Events  []abci.Event
}

// App is the VirtEngine ABCI 2.0 application: accounts, roles, identity, proofs, MFA gating, market,
// settlement and HPC as deterministic state machines over one key-value store.
type App struct {
	abci.BaseApplication

	mu   sync.Mutex // serialises direct callers (Export, tests) with ABCI calls
	db   dbm.DB
	log  *slog.Logger
	opts Options

	height   int64  // last committed height
	appHash  []byte // app hash of the last committed (or, before the first commit, initialised) state
	chainID  string
	lastTime time.Time // block time of the last commit

	pending     *cache // InitChain and finalized-block writes not yet committed
	pendingH    int64
	pendingHash []byte
	lt          *ltHash // digest of the committed state (before the first commit: of the genesis)
	pendingLT   *ltHash
	pendingInfo BlockInfo
	check       *cache // CheckTx view: committed state plus mempool effects

	sigs sigCache

	jobs       map[jobKey]*extraction // feature extractions by request and committee key (a.mu)
	extractSem chan struct{}          // one extraction at a time

	abstain string // why ExtendVote abstains ("" when it votes), logged when it changes

	snaps     []*snapshot // the latest snapshots, served to nodes in state sync
	restoring *restore
}

// New opens the application over db, restoring the last committed height and app hash.
func New(db dbm.DB, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h, hash, err := loadMeta(db)
	if err != nil {
		return nil, err
	}
	ltb, err := db.Get([]byte(metaLtHash))
	if err != nil {
		return nil, err
	}
	lt, ok := ltFromBytes(ltb)
	if !ok {
		return nil, fmt.Errorf("app: corrupt state digest")
	}
	a := &App{db: db, log: opts.Logger, opts: opts, height: h, appHash: hash, sigs: newSigCache(), lastTime: loadTime(db), lt: lt,
		jobs: map[jobKey]*extraction{}, extractSem: make(chan struct{}, 1)}
	if cid, ok, err := (dbView{db}).get(keyChainID); err == nil && ok {
		a.chainID = string(cid)
	}
	a.reset()
	return a, nil
}

func (a *App) reset() {
	a.pending = newCache(dbView{a.db})
	a.check = newCache(dbView{a.db})
}

// Height returns the last committed height.
func (a *App) Height() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.height
}

// AppHash returns the last committed app hash.
func (a *App) AppHash() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]byte(nil), a.appHash...)
}

// Info reports the committed height and app hash, so CometBFT replays exactly the blocks the
// application has not committed (ABCI handshake).
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &abci.ResponseInfo{
		Data:             "virtengine",
		Version:          version.ABCIVersion,
		AppVersion:       AppVersion,
		LastBlockHeight:  a.height,
		LastBlockAppHash: a.appHash,
	}, nil
}

// InitChain loads the genesis app_state.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	g, err := ParseGenesis(req.AppStateBytes)
	if err != nil {
		return nil, err
	}
	a.pending = newCache(dbView{a.db})
	if err := a.loadGenesis(a.pending, g, req.ChainId); err != nil {
		return nil, err
	}
	// Validators given by CometBFT but absent from app_state still count for votes and fees.
	for _, vu := range req.Validators {
		pk := vu.PubKey.GetEd25519()
		if pk == nil {
			continue
		}
		v := Validator{PubKey: pk, Power: vu.Power}
		existing, err := getValidator(a.pending, v.Address())
		if err != nil {
			return nil, err
		}
		if existing == nil {
			if err := putValidator(a.pending, &v); err != nil {
				return nil, err
			}
		}
	}
	a.chainID = req.ChainId
	a.lt = &ltHash{}
	if err := applyWrites(a.lt, a.pending); err != nil {
		return nil, err
	}
	a.appHash = appHashOf(req.InitialHeight-1, a.lt)
	a.check = newCache(a.pending) // the mempool sees the genesis accounts before the first commit
	a.log.Info("init chain", "chain_id", req.ChainId, "accounts", len(g.Accounts), "validators", len(req.Validators))
	return &abci.ResponseInitChain{AppHash: a.appHash}, nil
}

// FinalizeBlock executes a decided block; its writes stay pending until Commit.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	blk := newCache(a.pending)
	c := &execCtx{app: a, store: blk, height: req.Height, time: req.Time, chainID: a.chainID, proposer: req.ProposerAddress}
	res := make([]*abci.ExecTxResult, len(req.Txs))
	failed := 0
	for i, b := range req.Txs {
		res[i] = a.deliver(c, b)
		if res[i].Code != CodeOK {
			failed++
		}
	}
	if err := a.endBlock(c, req); err != nil {
		return nil, fmt.Errorf("app: end block %d: %w", req.Height, err)
	}
	lt := *a.lt
	if err := applyWrites(&lt, blk); err != nil {
		return nil, err
	}
	hash := appHashOf(req.Height, &lt)
	blk.write()
	a.pendingH, a.pendingHash, a.pendingLT = req.Height, hash, &lt
	var all []abci.Event
	for _, r := range res {
		all = append(all, r.Events...)
	}
	a.pendingInfo = BlockInfo{Height: req.Height, Time: req.Time, AppHash: hash, Txs: len(req.Txs), Failed: failed, Events: append(all, c.blockEvents...)}
	return &abci.ResponseFinalizeBlock{TxResults: res, AppHash: hash, Events: c.blockEvents}, nil
}

// Commit writes the pending state, height and app hash in one synced batch.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	if err := commitBatch(a.db, a.pending, a.pendingH, a.pendingHash, a.pendingInfo.Time, a.pendingLT); err != nil {
		a.mu.Unlock()
		return nil, err
	}
	a.height, a.appHash, a.lastTime, a.lt = a.pendingH, a.pendingHash, a.pendingInfo.Time, a.pendingLT
	a.reset()
	if iv := a.snapshotInterval(); iv > 0 && a.height%iv == 0 {
		if err := a.takeSnapshot(); err != nil {
			a.log.Warn("snapshot failed", "height", a.height, "err", err)
		}
	}
	a.startExtractions()
	info := a.pendingInfo
	a.mu.Unlock()
	if a.opts.OnBlock != nil {
		a.opts.OnBlock(info)
	}
	return &abci.ResponseCommit{}, nil
}

func (a *App) snapshotInterval() int64 {
	switch iv := a.opts.SnapshotInterval; {
	case iv < 0:
		return 0
	case iv == 0:
		return defaultSnapInterval
	default:
		return iv
	}
}

// Close closes the database.
func (a *App) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.db.Close()
}
