package mfa

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"
)

// Config configures an Engine. The zero value is valid: the default policy, crypto/rand and the
// limits of limits.go.
type Config struct {
	// Policy is the table to enforce; nil means DefaultPolicy(). It is validated and copied.
	Policy *Policy
	// Rand supplies challenge and session identifiers; nil means crypto/rand. A node running the
	// engine inside consensus passes a reader seeded from the block so every validator agrees.
	Rand io.Reader
	// Devices says which devices an account trusts; nil trusts none.
	Devices DeviceTrust
	// ChallengeTTL, MaxTries, LockoutBase and LockoutMax override the defaults when non-zero.
	ChallengeTTL time.Duration
	MaxTries     int
	LockoutBase  time.Duration
	LockoutMax   time.Duration
}

// DeviceTrust reports whether an account marked a device as trusted. A trusted device lowers each
// factor set by one factor, never below one (FEATURES.md §4.4). Registry implements it.
type DeviceTrust interface {
	IsTrustedDevice(account, device string) bool
}

// Engine runs step-up authentication (FEATURES.md §4.3–4.4): it looks up the policy rule of a
// transaction, issues challenges (300 s, 3 tries, lockout with backoff), checks factors against them,
// opens sessions bound to account, transaction type and device, and authorizes transactions against
// those sessions. It is safe for concurrent use. Time is always passed in; the engine reads no clock.
type Engine struct {
	mu         sync.Mutex
	cfg        Config
	policy     *Policy
	challenges map[string]*Challenge
	sessions   map[string]*Session
	accounts   map[string]*accountState
}

// accountState holds what the engine keeps per account. Slices keep insertion order so decisions
// never depend on map iteration.
type accountState struct {
	challenges  []string
	sessions    []string
	lockouts    int
	lockedUntil time.Time
}

// NewEngine validates cfg and returns an engine.
func NewEngine(cfg Config) (*Engine, error) {
	if cfg.Policy == nil {
		cfg.Policy = DefaultPolicy()
	}
	if err := cfg.Policy.Validate(); err != nil {
		return nil, err
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.ChallengeTTL <= 0 {
		cfg.ChallengeTTL = ChallengeTTL
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = MaxTries
	}
	if cfg.LockoutBase <= 0 {
		cfg.LockoutBase = LockoutBase
	}
	if cfg.LockoutMax <= 0 {
		cfg.LockoutMax = LockoutMax
	}
	return &Engine{
		cfg:        cfg,
		policy:     cfg.Policy.Clone(),
		challenges: map[string]*Challenge{},
		sessions:   map[string]*Session{},
		accounts:   map[string]*accountState{},
	}, nil
}

// Policy returns a copy of the table the engine enforces.
func (e *Engine) Policy() *Policy { return e.policy.Clone() }

// StepUpRequest asks for a challenge before a sensitive transaction.
type StepUpRequest struct {
	Account string
	Tx      TxType
	Value   uint64 // in the chain's base unit; 0 for transactions without a value
	Device  string // optional: binds the session to this device and enables the trusted-device rule
	Score   uint8  // the account's current identity score, 0–100
}

// Requirement returns the rule a request must satisfy. It fails with ErrUnknownTx, ErrNotRequired
// (no step-up for this value) or a *ScoreError when the score is below the rule's minimum.
func (e *Engine) Requirement(req StepUpRequest) (Rule, error) {
	if err := checkIDs(req.Account, req.Device); err != nil {
		return Rule{}, err
	}
	if req.Score > MaxScore {
		return Rule{}, invalid("score %d above %d", req.Score, MaxScore)
	}
	rule, err := e.policy.Lookup(req.Tx, req.Value)
	if err != nil {
		return Rule{}, err
	}
	if req.Score < rule.MinScore {
		return Rule{}, &ScoreError{Tx: req.Tx, Score: req.Score, MinScore: rule.MinScore}
	}
	rule.AnyOf = cloneSets(rule.AnyOf)
	return rule, nil
}

func checkIDs(account, device string) error {
	if account == "" || len(account) > MaxAccountLen {
		return invalid("account must be 1–%d bytes", MaxAccountLen)
	}
	if len(device) > MaxDeviceLen {
		return invalid("device must be at most %d bytes", MaxDeviceLen)
	}
	return nil
}

func (e *Engine) newID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(e.cfg.Rand, b[:]); err != nil {
		return "", fmt.Errorf("mfa: read random identifier: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func (e *Engine) account(id string) *accountState {
	a := e.accounts[id]
	if a == nil {
		a = &accountState{}
		e.accounts[id] = a
	}
	return a
}

func (e *Engine) lockedErr(account string, now time.Time) error {
	if a := e.accounts[account]; a != nil && now.Before(a.lockedUntil) {
		return &LockedError{Account: account, Until: a.lockedUntil}
	}
	return nil
}

// lock starts the next lockout of the account: LockoutBase doubled per lockout in a row, capped.
func (e *Engine) lock(account string, now time.Time) time.Time {
	a := e.account(account)
	d := e.cfg.LockoutBase
	for i := 0; i < a.lockouts && d < e.cfg.LockoutMax; i++ {
		d *= 2
	}
	if d > e.cfg.LockoutMax {
		d = e.cfg.LockoutMax
	}
	a.lockouts++
	a.lockedUntil = now.Add(d)
	return a.lockedUntil
}
