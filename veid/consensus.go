package veid

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"

	"github.com/virtengine/sdk/envelope"
)

// ValidatorInfo is one member of the validator set (or of an epoch's committee).
type ValidatorInfo struct {
	Name      string             // address or moniker, unique in the set
	Power     int64              // voting power, > 0
	Recipient envelope.Recipient // evidence is sealed to this key
	VoteKey   ed25519.PublicKey  // verifies the validator's score votes
}

// MaxTotalPower bounds the set's total voting power so 3×power never overflows (CometBFT uses
// 2^63/8 for the same reason).
const MaxTotalPower = int64(1) << 60

// Params are the network parameters pinning what validators must run (§3.6). A validator whose
// model or extractor differs abstains.
type Params struct {
	Model     string // scoring model version, e.g. "composite-v2"
	Extractor string // feature extractor version with its model file hashes
}

// SealEvidence encrypts an evidence bundle once, to every validator of the set (or committee),
// signed by the submitter.
func SealEvidence(ev *Evidence, signer envelope.Signer, set []ValidatorInfo) ([]byte, error) {
	pt, err := ev.MarshalBinary()
	if err != nil {
		return nil, err
	}
	rs := make([]envelope.Recipient, len(set))
	for i, v := range set {
		rs[i] = v.Recipient
	}
	return envelope.Seal(pt, signer, rs, nil)
}

// Committee picks size members of set for an epoch: the validators with the smallest
// SHA-256(seed ‖ name), in that order. It is deterministic and returns the whole set when size ≥ len(set).
func Committee(set []ValidatorInfo, seed []byte, size int) []ValidatorInfo {
	type ranked struct {
		h [32]byte
		v ValidatorInfo
	}
	rs := make([]ranked, len(set))
	for i, v := range set {
		rs[i] = ranked{sha256.Sum256(append(append([]byte{}, seed...), v.Name...)), v}
	}
	slices.SortFunc(rs, func(a, b ranked) int { return slices.Compare(a.h[:], b.h[:]) })
	out := make([]ValidatorInfo, 0, max(0, min(size, len(rs))))
	for i := 0; i < len(rs) && i < size; i++ {
		out = append(out, rs[i].v)
	}
	return out
}

// Extractor turns opened evidence into features. The biometrics package provides the real one
// (used by the node and the demo); its Version names the models and their file hashes.
type Extractor interface {
	Version() string
	Extract(ctx context.Context, ev *Evidence) (Features, error)
}

// Vote is a validator's signed score for one verification request.
type Vote struct {
	RequestID string   `json:"request_id"`
	Validator string   `json:"validator"`
	Model     string   `json:"model"`
	Score     int      `json:"score"`
	Passed    bool     `json:"passed"`
	InputHash [32]byte `json:"input_hash"`
	Sig       []byte   `json:"sig"`
}

// voteMessage: "VEID-VOTE-v1" 0x00 | str16 request | str16 validator | str16 model | score u8 |
// passed u8 | input hash [32]. A score outside 0..100 (ErrScoreRange) or a string over 65535 bytes
// (ErrTooLong) has no encoding: it used to be cut to a byte or to 65535 bytes, so one signature
// covered several votes.
func (v *Vote) message() ([]byte, error) {
	if v.Score < 0 || v.Score > 100 {
		return nil, newErr("SCORE_RANGE", ErrScoreRange, "vote score %d", v.Score)
	}
	b := append([]byte{}, "VEID-VOTE-v1\x00"...)
	b, err := appendStr16s(b, "request id", v.RequestID, "validator name", v.Validator, "model version", v.Model)
	if err != nil {
		return nil, err
	}
	var passed byte
	if v.Passed {
		passed = 1
	}
	b = append(b, byte(v.Score), passed)
	return append(b, v.InputHash[:]...), nil
}

// SignVote signs v with the validator's vote key. A key that is not a 64-byte Ed25519 private key
// gives ErrBadKey (code "BAD_KEY"), a score outside 0..100 ErrScoreRange ("SCORE_RANGE"), a request
// id, validator name or model over 65535 bytes ErrTooLong ("TOO_LONG"); each leaves v unchanged.
func SignVote(v *Vote, key ed25519.PrivateKey) error {
	if err := checkPrivateKey("vote", key); err != nil {
		return err
	}
	msg, err := v.message()
	if err != nil {
		return err
	}
	v.Sig = ed25519.Sign(key, msg)
	return nil
}

// verifyVote checks v's signature; a vote without an encoding (message error) does not verify.
func verifyVote(key ed25519.PublicKey, v *Vote) bool {
	msg, err := v.message()
	return err == nil && ed25519.Verify(key, msg, v.Sig)
}

// ValidatorRun is what a validator's scoring produced, with the vote to broadcast.
type ValidatorRun struct {
	Vote     Vote
	Result   Result
	Features Features
}

// ScoreEvidence is the function a validator runs (§3.6): open the sealed evidence with its own
// identity, check the pinned versions (ErrModelVersion: the validator abstains), extract features,
// score with model, and sign a vote. A validator outside the recipients gets ErrNotValidator; a vote
// key that is not a 64-byte Ed25519 private key gets ErrBadKey before any work is done.
func ScoreEvidence(ctx context.Context, sealed []byte, requestID, name string, id envelope.Identity,
	voteKey ed25519.PrivateKey, ex Extractor, model Model, p Params) (*ValidatorRun, error) {
	if err := checkPrivateKey("vote", voteKey); err != nil {
		return nil, err
	}
	if _, err := appendStr16s(nil, "request id", requestID, "validator name", name); err != nil {
		return nil, err
	}
	if model.Version() != p.Model || ex.Version() != p.Extractor {
		return nil, newErr("MODEL_VERSION", ErrModelVersion, "running %s/%s, network pins %s/%s; abstaining",
			model.Version(), ex.Version(), p.Model, p.Extractor)
	}
	pt, _, err := envelope.Open(sealed, id, nil)
	if err != nil {
		if errors.Is(err, envelope.ErrNotRecipient) {
			return nil, &Error{Code: "NOT_VALIDATOR", Err: ErrNotValidator, Detail: err.Error()}
		}
		return nil, &Error{Code: "EVIDENCE_DECRYPT", Err: ErrEvidenceDecrypt, Detail: err.Error()}
	}
	ev, err := ParseEvidence(pt)
	if err != nil {
		return nil, err
	}
	f, err := ex.Extract(ctx, ev)
	if err != nil {
		return nil, err
	}
	f.Extractor = ex.Version()
	res, err := model.Score(f)
	if err != nil {
		return nil, err
	}
	v := Vote{RequestID: requestID, Validator: name, Model: res.Model, Score: res.Score, Passed: res.Passed, InputHash: res.InputHash}
	if err := SignVote(&v, voteKey); err != nil {
		return nil, err
	}
	return &ValidatorRun{Vote: v, Result: res, Features: f}, nil
}

// Dissent is a valid vote that disagreed with the finalized outcome.
type Dissent struct {
	Validator string   `json:"validator"`
	Score     int      `json:"score"`
	InputHash [32]byte `json:"input_hash"`
	Power     int64    `json:"power"`
}

// InvalidVote is a vote that did not count, and why.
type InvalidVote struct {
	Validator string `json:"validator"`
	Err       error  `json:"-"`
	Code      string `json:"code"`
}

// TallyResult is the outcome of Tally. Everything is in set order (deterministic).
type TallyResult struct {
	Final      bool          `json:"final"`
	Score      int           `json:"score"`
	Passed     bool          `json:"passed"`
	Model      string        `json:"model"`
	InputHash  [32]byte      `json:"input_hash"`
	Power      int64         `json:"power"` // power agreeing on the outcome
	TotalPower int64         `json:"total_power"`
	Agreeing   []string      `json:"agreeing"`
	Dissenters []Dissent     `json:"dissenters"`
	Invalid    []InvalidVote `json:"invalid"`
	Absent     []string      `json:"absent"` // members that did not vote (abstained or offline)
}

// Tally counts the votes of one request against the set: a score is final only when validators
// holding more than 2/3 of the set's total voting power signed the same (model, score, passed,
// input hash). Votes from outside the set (ErrUnknownVoter), second votes (ErrDuplicateVote), bad
// signatures (ErrBadVoteSig) and a model version over 65535 bytes (ErrTooLong) do not count and
// are listed in Invalid. A request id over 65535 bytes (ErrTooLong) or a validator name over 65535
// bytes (ErrBadPower) is refused. Without a quorum it returns the partial result and ErrNoQuorum.
func Tally(requestID string, set []ValidatorInfo, votes []Vote) (*TallyResult, error) {
	if err := checkStr16("request id", requestID); err != nil {
		return nil, err
	}
	res := &TallyResult{}
	for i, v := range set {
		if err := checkStr16("validator name", v.Name); err != nil {
			return nil, newErr("BAD_SET", ErrBadPower, "validator %d: %v", i, err)
		}
		if slices.ContainsFunc(set[:i], func(x ValidatorInfo) bool { return x.Name == v.Name }) {
			return nil, newErr("BAD_SET", ErrBadPower, "validator %q appears twice in the set", v.Name)
		}
		if v.Power <= 0 || v.Power > MaxTotalPower-res.TotalPower {
			return nil, newErr("BAD_POWER", ErrBadPower, "validator %q has power %d or total exceeds %d", v.Name, v.Power, MaxTotalPower)
		}
		res.TotalPower += v.Power
	}
	type key struct {
		model  string
		score  int
		passed bool
		hash   [32]byte
	}
	counted := make([]*Vote, len(set)) // by set index
	for i := range votes {
		v := &votes[i]
		idx := slices.IndexFunc(set, func(x ValidatorInfo) bool { return x.Name == v.Validator })
		var err error
		switch {
		case idx < 0:
			err = newErr("UNKNOWN_VOTER", ErrUnknownVoter, "%q", v.Validator)
		case v.RequestID != requestID || len(v.Sig) != ed25519.SignatureSize || len(set[idx].VoteKey) != ed25519.PublicKeySize ||
			v.Score < 0 || v.Score > 100:
			err = newErr("BAD_VOTE_SIG", ErrBadVoteSig, "%q", v.Validator)
		case len(v.Model) > maxStr16: // no encoding, so nothing it could have been signed over
			err = checkStr16("model version", v.Model)
		case !verifyVote(set[idx].VoteKey, v):
			err = newErr("BAD_VOTE_SIG", ErrBadVoteSig, "%q", v.Validator)
		case counted[idx] != nil:
			err = newErr("DUPLICATE_VOTE", ErrDuplicateVote, "%q", v.Validator)
		}
		if err != nil {
			res.Invalid = append(res.Invalid, InvalidVote{Validator: v.Validator, Err: err, Code: err.(*Error).Code})
			continue
		}
		counted[idx] = v
	}
	// Group the power by outcome, groups in order of first appearance in the set.
	var keys []key
	power := map[key]int64{}
	for i, v := range counted {
		if v == nil {
			res.Absent = append(res.Absent, set[i].Name)
			continue
		}
		k := key{v.Model, v.Score, v.Passed, v.InputHash}
		if _, ok := power[k]; !ok {
			keys = append(keys, k)
		}
		power[k] += set[i].Power
	}
	var best key
	for _, k := range keys {
		if power[k] > res.Power {
			best, res.Power = k, power[k]
		}
	}
	res.Model, res.Score, res.Passed, res.InputHash = best.model, best.score, best.passed, best.hash
	for i, v := range counted {
		if v == nil {
			continue
		}
		if (key{v.Model, v.Score, v.Passed, v.InputHash}) == best {
			res.Agreeing = append(res.Agreeing, set[i].Name)
		} else {
			res.Dissenters = append(res.Dissenters, Dissent{Validator: v.Validator, Score: v.Score, InputHash: v.InputHash, Power: set[i].Power})
		}
	}
	// Final iff power > 2/3 total, i.e. 3·power > 2·total (no division, no overflow below 2^61).
	res.Final = 3*res.Power > 2*res.TotalPower
	if !res.Final {
		return res, newErr("NO_QUORUM", ErrNoQuorum, "best outcome has %d of %d power", res.Power, res.TotalPower)
	}
	return res, nil
}

// RequestID derives a stable request id from the sealed evidence: hex of SHA-256, first 16 bytes.
func RequestID(sealed []byte) string {
	h := sha256.Sum256(sealed)
	return hex.EncodeToString(h[:16])
}
