package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/virtengine/sdk/veid"
)

// Feature extraction runs off the consensus path. When a block holding evidence is committed, each
// validator starts extracting it in a goroutine keyed by request id (one extraction at a time per
// App: ~1 s of CPU with the biometrics models); ExtendVote puts the vote in its extension once the
// extraction is done, waiting at most Options.VoteWait for one in progress. The extraction's only
// clock is the evaluation time: the block time of the block that committed the evidence (or the
// network's Params.EvidenceTime when set), so honest validators with the pinned models agree.

type evalTimeKey struct{}

// EvaluationTime returns the time an Extractor must evaluate evidence at (document expiry, ages):
// the block time of the block that committed the evidence, or Params.EvidenceTime when the network
// sets one. The second result is false outside an extraction started by the App.
func EvaluationTime(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(evalTimeKey{}).(time.Time)
	return t, ok
}

// WithEvaluationTime returns ctx carrying t for EvaluationTime (tests of extractors).
func WithEvaluationTime(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, evalTimeKey{}, t)
}

// extraction is one request's extraction and scoring by one committee key.
type extraction struct {
	done chan struct{}
	vote IdentityVote // valid once done, when err is nil
	err  error
	took time.Duration
}

type jobKey struct {
	req string
	com string
}

func committeeKey(com Committee) string {
	if k, ok := com.(interface{ CommitteeKey() string }); ok {
		return k.CommitteeKey()
	}
	return ""
}

// evalTime is the evaluation time of request r under parameters p.
func evalTime(p Params, r *IdentityRequest) time.Time {
	if p.EvidenceTime != 0 {
		return time.Unix(p.EvidenceTime, 0).UTC()
	}
	return time.Unix(r.Time, 0).UTC()
}

// startExtraction returns the extraction of r by com, starting it if needed. a.mu is held.
func (a *App) startExtraction(com Committee, p Params, r *IdentityRequest) *extraction {
	k := jobKey{string(r.ID), committeeKey(com)}
	if j := a.jobs[k]; j != nil {
		return j
	}
	j := &extraction{done: make(chan struct{})}
	a.jobs[k] = j
	ex, env, at, reqTime := a.opts.Extractor, r.Envelope, evalTime(p, r), time.Unix(r.Time, 0).UTC()
	id := append([]byte(nil), r.ID...)
	go func() {
		defer close(j.done)
		a.extractSem <- struct{}{}
		defer func() { <-a.extractSem }()
		start := time.Now()
		j.vote, j.err = scoreEvidence(com, ex, env, id, at, reqTime)
		j.took = time.Since(start)
		if j.err != nil {
			a.log.Warn("identity: cannot score evidence", "request", hex.EncodeToString(id[:8]), "err", j.err)
		} else {
			a.log.Info("identity: evidence extracted and scored", "request", hex.EncodeToString(id[:8]), "ms", j.took.Milliseconds(),
				"score", j.vote.Score, "input_hash", hex.EncodeToString(j.vote.InputHash[:8]))
		}
	}()
	return j
}

// scoreEvidence opens the envelope, parses veid's evidence bundle, extracts features with ex at the
// evaluation time and scores them with composite-v2, and derives the credential attributes
// (issueVote; the claims when ex is a ClaimsExtractor). reqTime is the block time that committed
// the evidence.
func scoreEvidence(com Committee, ex veid.Extractor, env, id []byte, at, reqTime time.Time) (IdentityVote, error) {
	if ex == nil {
		return IdentityVote{}, errors.New("no feature extractor configured")
	}
	pt, err := com.Open(env)
	if err != nil {
		return IdentityVote{}, fmt.Errorf("open evidence: %w", err)
	}
	ev, err := veid.ParseEvidence(pt)
	if err != nil {
		return IdentityVote{}, fmt.Errorf("evidence is not a veid evidence bundle: %w", err)
	}
	ctx := WithEvaluationTime(context.Background(), at)
	var f veid.Features
	var claims Claims
	if cx, ok := ex.(ClaimsExtractor); ok {
		f, claims, err = cx.ExtractClaims(ctx, ev)
	} else {
		f, err = ex.Extract(ctx, ev)
	}
	if err != nil {
		return IdentityVote{}, fmt.Errorf("extract: %w", err)
	}
	f.Extractor = ex.Version()
	r, err := veid.Score(f)
	if err != nil {
		return IdentityVote{}, err
	}
	tier := int(veid.TierFor(r.Score, r.Passed))
	return IdentityVote{Request: id, Score: uint32(r.Score), InputHash: r.InputHash[:], Tier: tier, Passed: r.Passed,
		Issue: issueVote(ev, claims, id, uint32(r.Score), tier, r.Passed, reqTime, at)}, nil
}

// startExtractions starts extracting every pending request of the committed state and forgets the
// extractions of requests no longer pending. Called by Commit with a.mu held.
func (a *App) startExtractions() {
	com := a.opts.Committee
	st := dbView{a.db}
	reqs, err := a.pendingRequests(st)
	if err != nil {
		return
	}
	live := map[string]bool{}
	for _, r := range reqs {
		live[string(r.ID)] = true
	}
	for k := range a.jobs {
		if !live[k.req] {
			delete(a.jobs, k)
		}
	}
	if com == nil || len(reqs) == 0 {
		return
	}
	p, err := getParams(st)
	if err != nil || abstainReason(p, com) != "" {
		return
	}
	for _, r := range reqs {
		a.startExtraction(com, p, r)
	}
}
