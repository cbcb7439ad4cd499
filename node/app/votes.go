package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/virtengine/sdk/node/tx"
)

// Committee is a validator's identity-committee secret: it opens evidence envelopes sealed to the
// committee. The App extracts features from the opened evidence bundle with Options.Extractor and
// scores them with veid's integer composite-v2, so honest validators agree. Model names the scoring
// model; a validator whose Model differs from the network's parameter abstains.
type Committee interface {
	Open(envelope []byte) ([]byte, error)
	Model() string
}

// ModelFiles is implemented by committees that know the sha256 of their model files; when the
// network pins hashes (Params.ModelHashes), a validator whose files differ abstains.
type ModelFiles interface {
	ModelHashes() []string
}

// abstainReason says why this validator's committee must not vote under the network's parameters
// p, or "" when it may: another scoring model, or model files whose sha256 differ from the pinned
// Params.ModelHashes (FEATURES.md §3.6). Validators with other model bytes could score differently;
// they abstain rather than dissent.
func abstainReason(p Params, com Committee) string {
	if p.IdentityModel != com.Model() {
		return fmt.Sprintf("scoring model %q, the network pins %q: run a node release with the pinned model", com.Model(), p.IdentityModel)
	}
	if len(p.ModelHashes) == 0 {
		return ""
	}
	mf, ok := com.(ModelFiles)
	if !ok || len(mf.ModelHashes()) == 0 {
		return "the network pins model file hashes (params.model_hashes) and this validator reports none: fetch the models (scripts/setup.sh) and restart"
	}
	have := map[string]bool{}
	for _, h := range mf.ModelHashes() {
		have[h] = true
	}
	var missing []string
	for _, h := range p.ModelHashes { // pinned order: a deterministic message
		if !have[h] {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("model files differ from the network's pinned params.model_hashes (no local file has sha256 %s): fetch the pinned models (scripts/setup.sh) and restart", strings.Join(missing, ", "))
	}
	return ""
}

// noteAbstain logs, once per change, why this validator abstains from identity votes (a.mu held).
func (a *App) noteAbstain(reason string) {
	if reason == a.abstain {
		return
	}
	a.abstain = reason
	if reason != "" {
		a.log.Warn("abstaining from identity votes", "reason", reason)
	} else {
		a.log.Info("voting on identity requests", "reason", "model and model files match the network's parameters")
	}
}

// IdentityVote is one validator's score for one request.
type IdentityVote struct {
	Request   []byte `cbor:"1,keyasint"`
	Score     uint32 `cbor:"2,keyasint"`
	InputHash []byte `cbor:"3,keyasint"`
	Tier      int    `cbor:"4,keyasint"`
	Passed    bool   `cbor:"5,keyasint"`
	// Issue are the credential attributes the validator derived from the evidence; the tally
	// agrees on them with the score (issuance.go).
	Issue *IssueVote `cbor:"6,keyasint,omitempty"`
}

// VoteExtension is what a validator attaches to its precommit: its identity votes, sorted by request,
// and its signatures of final credentials, sorted by request.
type VoteExtension struct {
	Model    string         `cbor:"1,keyasint"`
	Votes    []IdentityVote `cbor:"2,keyasint"`
	Issuance []IssueSig     `cbor:"3,keyasint,omitempty"`
}

// TallyVote is one validator's signed extension as the proposer saw it.
type TallyVote struct {
	Validator []byte `cbor:"1,keyasint"` // consensus address
	Power     int64  `cbor:"2,keyasint"`
	Extension []byte `cbor:"3,keyasint"`
	Signature []byte `cbor:"4,keyasint"`
}

// Tally is the proposer-built pseudo-transaction that carries the previous height's vote extensions.
type Tally struct {
	Height int64       `cbor:"1,keyasint"`
	Round  int32       `cbor:"2,keyasint"`
	Votes  []TallyVote `cbor:"3,keyasint"`
}

// internalPrefix marks the tally pseudo-transaction. No canonical CBOR transaction starts with 0xff,
// so it cannot be confused with a user transaction; CheckTx refuses it.
var internalPrefix = []byte("\xffVE/tally/v1")

func isInternal(b []byte) bool { return bytes.HasPrefix(b, internalPrefix) }

var errBadExtension = errors.New("bad vote extension")

// ExtendVote votes on every pending identity request (committed state) whose extraction is done:
// extraction starts when the evidence is committed (startExtractions) or here, runs off the
// consensus path, and ExtendVote waits at most Options.VoteWait for one in progress; a request not
// ready yet is voted on at a later height. A validator without a committee key, or with another
// model, returns an empty extension (abstains).
func (a *App) ExtendVote(_ context.Context, req *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	a.mu.Lock()
	st := dbView{a.db}
	ext := VoteExtension{Issuance: a.issuanceSigs(st)}
	com := a.opts.Committee
	var jobs []*extraction
	if p, err := getParams(st); com != nil && err == nil {
		if why := abstainReason(p, com); why != "" {
			a.noteAbstain(why) // another model or other model files: abstain from identity votes (FEATURES.md §3.6)
		} else {
			a.noteAbstain("")
			if reqs, err := a.pendingRequests(st); err == nil {
				for _, r := range reqs {
					if a.opts.TamperVotes {
						// Byzantine tests: lie at once about every pending request, without
						// extracting, so the lie is in every tally while the request is pending
						// (and in the one that makes it final).
						ext.Votes = append(ext.Votes, tamperedVote(r.ID))
						continue
					}
					jobs = append(jobs, a.startExtraction(com, p, r))
				}
			}
			ext.Model = com.Model()
		}
	}
	deadline := time.Now().Add(a.opts.VoteWait)
	a.mu.Unlock()

	for _, j := range jobs {
		if !waitDone(j.done, deadline) || j.err != nil {
			continue
		}
		ext.Votes = append(ext.Votes, j.vote)
	}
	sort.Slice(ext.Votes, func(i, j int) bool { return bytes.Compare(ext.Votes[i].Request, ext.Votes[j].Request) < 0 })
	if len(ext.Votes) == 0 {
		ext.Model = ""
	}
	if len(ext.Votes) == 0 && len(ext.Issuance) == 0 {
		return &abci.ResponseExtendVote{}, nil
	}
	b, err := tx.Marshal(ext)
	if err != nil {
		return nil, err
	}
	return &abci.ResponseExtendVote{VoteExtension: b}, nil
}

// tamperedVote is a Byzantine validator's made-up vote on request id (Options.TamperVotes).
func tamperedVote(id []byte) IdentityVote {
	h := sha256.Sum256(append([]byte("virtengine/tampered-vote/"), id...))
	return IdentityVote{Request: id, Score: 13, InputHash: h[:], Tier: 0, Passed: false}
}

// waitDone reports whether done is closed by deadline.
func waitDone(done <-chan struct{}, deadline time.Time) bool {
	select {
	case <-done:
		return true
	default:
	}
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// VerifyVoteExtension accepts well-formed extensions only: canonical encoding, bounded, sorted,
// scores in 0..100, 32-byte input hashes, and votes only on requests pending in the committed state
// (the previous height's, which every validator verifying votes of this height holds, so the answer
// is deterministic), and issuance signatures that verify against the signer's issuer keys. It does
// not reject a vote for disagreeing (that would stall consensus when many disagree); the tally
// decides what counts.
func (a *App) VerifyVoteExtension(_ context.Context, req *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.checkExtension(req.VoteExtension, req.ValidatorAddress); err != nil {
		a.log.Warn("rejecting vote extension", "height", req.Height, "validator", hex.EncodeToString(req.ValidatorAddress), "err", err)
		return &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_REJECT}, nil
	}
	return &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_ACCEPT}, nil
}

// checkExtension checks an extension's form, that its identity votes are on requests pending in the
// committed state, and the signatures of its issuance part against the signer's registered issuer
// keys (a tampered signature is rejected).
func (a *App) checkExtension(b []byte, consAddr []byte) error {
	ext, err := parseExtension(b)
	if err != nil {
		return err
	}
	st := dbView{a.db}
	for i, v := range ext.Votes {
		var r IdentityRequest
		ok, err := getObj(st, pfxIdentReq+string(v.Request), &r)
		if err != nil {
			return err
		}
		if !ok || r.Status != ReqPending {
			return fmt.Errorf("%w: vote %d is on request %x, which is not pending", errBadExtension, i, v.Request)
		}
	}
	return a.verifyIssuance(ext, consAddr)
}

func parseExtension(b []byte) (*VoteExtension, error) {
	var ext VoteExtension
	if len(b) == 0 {
		return &ext, nil
	}
	if err := tx.Unmarshal(b, &ext); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadExtension, err)
	}
	if len(ext.Votes) > maxVotesPerExtension {
		return nil, fmt.Errorf("%w: %d votes", errBadExtension, len(ext.Votes))
	}
	for i, v := range ext.Votes {
		if len(v.Request) != 32 || len(v.InputHash) != 32 || v.Score > 100 || v.Tier < 0 || v.Tier > 3 {
			return nil, fmt.Errorf("%w: vote %d out of range", errBadExtension, i)
		}
		if i > 0 && bytes.Compare(ext.Votes[i-1].Request, v.Request) >= 0 {
			return nil, fmt.Errorf("%w: votes not sorted or duplicated", errBadExtension)
		}
		if v.Issue != nil {
			if err := v.Issue.check(); err != nil {
				return nil, fmt.Errorf("%w: vote %d: %v", errBadExtension, i, err)
			}
		}
	}
	if len(ext.Issuance) > maxVotesPerExtension {
		return nil, fmt.Errorf("%w: %d issuance signatures", errBadExtension, len(ext.Issuance))
	}
	for i, s := range ext.Issuance {
		if len(s.Request) != 32 || len(s.VCSig) != 64 || (len(s.ZKSig) != 0 && len(s.ZKSig) != 64) {
			return nil, fmt.Errorf("%w: issuance signature %d malformed", errBadExtension, i)
		}
		if i > 0 && bytes.Compare(ext.Issuance[i-1].Request, s.Request) >= 0 {
			return nil, fmt.Errorf("%w: issuance signatures not sorted or duplicated", errBadExtension)
		}
	}
	return &ext, nil
}

// buildTally packs the previous height's signed extensions (LocalLastCommit) into the tally.
func (a *App) buildTally(req *abci.RequestPrepareProposal) []byte {
	t := Tally{Height: req.Height - 1, Round: req.LocalLastCommit.Round}
	for _, v := range req.LocalLastCommit.Votes {
		if v.BlockIdFlag != cmtproto.BlockIDFlagCommit || len(v.VoteExtension) == 0 {
			continue
		}
		t.Votes = append(t.Votes, TallyVote{Validator: v.Validator.Address, Power: v.Validator.Power, Extension: v.VoteExtension, Signature: v.ExtensionSignature})
	}
	if len(t.Votes) == 0 {
		return nil
	}
	b, err := tx.Marshal(t)
	if err != nil {
		return nil
	}
	return append(append([]byte(nil), internalPrefix...), b...)
}

// verifyTally checks a tally against the validator set: the right height, known validators with
// their recorded power, no duplicates, well-formed extensions and valid CometBFT extension signatures
// (types.VoteExtensionSignBytes), so a proposer cannot forge or alter another validator's vote.
func (a *App) verifyTally(b []byte, height int64) error {
	t, err := a.decodeTally(b)
	if err != nil {
		return err
	}
	if t.Height != height-1 {
		return fmt.Errorf("tally for height %d in block %d", t.Height, height)
	}
	st := a.pending
	seen := map[string]bool{}
	for _, v := range t.Votes {
		if seen[string(v.Validator)] {
			return fmt.Errorf("validator %X twice", v.Validator)
		}
		seen[string(v.Validator)] = true
		val, err := getValidator(st, v.Validator)
		if err != nil {
			return err
		}
		if val == nil || val.Power != v.Power {
			return fmt.Errorf("validator %X unknown or with another power", v.Validator)
		}
		if _, err := parseExtension(v.Extension); err != nil {
			return err
		}
		sb := cmttypes.VoteExtensionSignBytes(a.chainID, &cmtproto.Vote{Height: t.Height, Round: t.Round, Extension: v.Extension})
		if !ed25519.PubKey(val.PubKey).VerifySignature(sb, v.Signature) {
			return fmt.Errorf("validator %X: extension signature invalid", v.Validator)
		}
	}
	return nil
}

func (a *App) decodeTally(b []byte) (*Tally, error) {
	if !isInternal(b) {
		return nil, errors.New("not a tally")
	}
	var t Tally
	if err := tx.Unmarshal(b[len(internalPrefix):], &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// deliverInternal applies a tally: for each request, the (score, input hash) group holding more than
// 2/3 of the total voting power becomes final; votes outside it are recorded as dissent.
func (a *App) deliverInternal(c *execCtx, b []byte) error {
	t, err := a.decodeTally(b)
	if err != nil {
		return txErr(ErrInternalTx, "%v", err)
	}
	total, err := totalPower(a, c.store)
	if err != nil {
		return err
	}
	type key struct {
		score  uint32
		hash   string
		tier   int
		passed bool
		issue  string // the credential attributes (IssueVote.digest)
	}
	type group struct {
		power int64
		vals  [][]byte
	}
	byReq := map[string]map[key]*group{}
	issues := map[string]*IssueVote{}
	var reqIDs []string
	model := ""
	for _, v := range t.Votes {
		ext, err := parseExtension(v.Extension)
		if err != nil {
			continue
		}
		if err := applyIssuance(c, v.Validator, v.Power, ext.Issuance, total); err != nil {
			return err
		}
		p, err := getParams(c.store)
		if err != nil {
			return err
		}
		if ext.Model != p.IdentityModel {
			continue
		}
		model = ext.Model
		for _, iv := range ext.Votes {
			id := string(iv.Request)
			if byReq[id] == nil {
				byReq[id] = map[key]*group{}
				reqIDs = append(reqIDs, id)
			}
			k := key{iv.Score, string(iv.InputHash), iv.Tier, iv.Passed, iv.Issue.digest()}
			issues[k.issue] = iv.Issue
			g := byReq[id][k]
			if g == nil {
				g = &group{}
				byReq[id][k] = g
			}
			g.power += v.Power
			g.vals = append(g.vals, v.Validator)
		}
	}
	sort.Strings(reqIDs)
	for _, id := range reqIDs {
		var r IdentityRequest
		ok, err := getObj(c.store, pfxIdentReq+id, &r)
		if err != nil {
			return err
		}
		if !ok || r.Status != ReqPending {
			continue
		}
		groups := byReq[id]
		var keys []key
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].score != keys[j].score {
				return keys[i].score < keys[j].score
			}
			if keys[i].hash != keys[j].hash {
				return keys[i].hash < keys[j].hash
			}
			return keys[i].issue < keys[j].issue
		})
		for _, k := range keys {
			g := groups[k]
			if 3*g.power <= 2*total { // more than 2/3 of the total voting power (FEATURES.md §3.6)
				continue
			}
			var dissent [][]byte
			for _, k2 := range keys {
				if k2 != k {
					dissent = append(dissent, groups[k2].vals...)
				}
			}
			sort.Slice(dissent, func(i, j int) bool { return bytes.Compare(dissent[i], dissent[j]) < 0 })
			if err := finalize(c, &r, k.score, []byte(k.hash), model, k.tier, k.passed, dissent, issues[k.issue], total); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

func totalPower(a *App, s kv) (int64, error) {
	vals, err := a.validators(s)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, v := range vals {
		total += v.Power
	}
	return total, nil
}
