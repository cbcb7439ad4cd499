package node

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/biometrics/features"
	"github.com/virtengine/sdk/internal/demo"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// DefaultVoteWait is how long a validator's ExtendVote waits for an identity extraction in progress
// (app.Options.VoteWait): long enough for one biometrics extraction (~1 s of CPU) started when the
// evidence was committed, so the score is final within a few blocks, short enough to keep blocks
// flowing when extraction is slow (the request is then voted on at a later height).
const DefaultVoteWait = 1500 * time.Millisecond

// Account signals of the biometrics extractor. The evidence carries no account history; until the
// network computes them from on-chain state every validator uses these constants (as the SDK demo).
var defaultAccount = demo.AccountSignals{History: 5000, Risk: 1000}

// BioExtractor is the node's default veid.Extractor: package biometrics (YuNet, dlib ResNet,
// MiniFASNet, the MRZ reader) on the evidence bundle's images, through internal/demo's mapping to
// veid features. Its clock is app.EvaluationTime (the block time that committed the evidence, or
// the network's Params.EvidenceTime); the head-turn challenge is biometrics.TurnLeft. A nil Engine
// means SharedEngine, opened on the first extraction (a node that never sees evidence never loads
// the models).
type BioExtractor struct {
	Engine *biometrics.Engine
}

func (b BioExtractor) engine() (*biometrics.Engine, error) {
	if b.Engine != nil {
		return b.Engine, nil
	}
	return SharedEngine()
}

// Version is the demo mapping, the biometrics features version and the engine's model hash.
func (b BioExtractor) Version() string {
	eng, err := b.engine()
	if err != nil {
		return demo.ExtractorVersion + "+unavailable"
	}
	return (&demo.BioExtractor{Engine: eng}).Version()
}

// Extract runs biometrics.Engine.Evidence on the bundle at the evaluation time.
func (b BioExtractor) Extract(ctx context.Context, ev *veid.Evidence) (veid.Features, error) {
	f, _, err := b.ExtractClaims(ctx, ev)
	return f, err
}

// ExtractClaims implements app.ClaimsExtractor: Extract, plus the birth date, nationality (the
// issuing state when the zone has none) and expiry of a document whose machine-readable zone passed
// its check digits. A state the country table does not know leaves the country 0 (no zk credential).
func (b BioExtractor) ExtractClaims(ctx context.Context, ev *veid.Evidence) (veid.Features, app.Claims, error) {
	at, ok := app.EvaluationTime(ctx)
	if !ok {
		return veid.Features{}, app.Claims{}, errors.New("node: extraction without an evaluation time")
	}
	eng, err := b.engine()
	if err != nil {
		return veid.Features{}, app.Claims{}, fmt.Errorf("node: biometric models: %w", err)
	}
	x := &demo.BioExtractor{Engine: eng, Account: defaultAccount, BlockTime: at, Challenge: biometrics.TurnLeft}
	// One extraction at a time per process (in-process devnets share the engine): the first votes
	// come sooner than with every validator sharing the cores at once. Without it, 4-validator
	// devnet tests on a loaded machine saw identity requests expire without a >2/3 agreement; the
	// cause is not established (concurrent extractions on one engine gave identical features when
	// checked directly).
	extractMu.Lock()
	defer extractMu.Unlock()
	f, doc, err := x.ExtractDocument(ctx, ev)
	return f, claimsOf(doc), err
}

func claimsOf(doc *features.Document) app.Claims {
	var c app.Claims
	if doc == nil {
		return c
	}
	day := func(iso string) uint32 {
		t, err := time.Parse("2006-01-02", iso)
		if err != nil || t.Year() < 1900 {
			return 0
		}
		return zk.DayOf(t)
	}
	c.BirthDate, c.DocumentExpiry = day(doc.BirthDate), day(doc.ExpiryDate)
	state := strings.TrimRight(doc.Nationality, "<")
	if state == "" {
		state = strings.TrimRight(doc.IssuingState, "<")
	}
	c.Country, _ = demo.CountryNumeric(state)
	return c
}

var (
	extractMu  sync.Mutex
	engineOnce sync.Once
	engine     *biometrics.Engine
	engineErr  error
)

// SharedEngine opens the biometric models once per process (biometrics: "open one per process and
// share it"; its methods are safe for concurrent use), for every validator this process runs.
func SharedEngine() (*biometrics.Engine, error) {
	engineOnce.Do(func() { engine, engineErr = biometrics.Open(biometrics.Config{}) })
	return engine, engineErr
}
