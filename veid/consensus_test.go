package veid

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/virtengine/sdk/envelope"
)

// jsonExtractor reads features from a "features.json" item: the extractor used by web-scope-only
// flows and by these tests (the biometric one lives outside this cgo-free package).
type jsonExtractor struct{ version string }

func (j jsonExtractor) Version() string { return j.version }
func (j jsonExtractor) Extract(_ context.Context, ev *Evidence) (Features, error) {
	var f Features
	for _, it := range ev.Items {
		if it.Name == "features.json" {
			return f, json.Unmarshal(it.Data, &f)
		}
	}
	return f, errors.New("no features.json")
}

type testValidator struct {
	info ValidatorInfo
	id   *envelope.HPKEIdentity
	key  ed25519.PrivateKey
}

func newValidators(t testing.TB, powers ...int64) []testValidator {
	var vs []testValidator
	for i, p := range powers {
		id, err := envelope.GenerateIdentity(envelope.X25519)
		if err != nil {
			t.Fatal(err)
		}
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32))
		vs = append(vs, testValidator{ValidatorInfo{Name: fmt.Sprintf("val-%d", i), Power: p, Recipient: id.Recipient(),
			VoteKey: key.Public().(ed25519.PublicKey)}, id, key})
	}
	return vs
}

func setOf(vs []testValidator) []ValidatorInfo {
	var s []ValidatorInfo
	for _, v := range vs {
		s = append(s, v.info)
	}
	return s
}

var testParams = Params{Model: CompositeV2Version, Extractor: "json-v1"}

func sealTestEvidence(t testing.TB, set []ValidatorInfo) []byte {
	fj, _ := json.Marshal(feats(9000, 8000, 7000, 6000, 5000, 1000))
	ev := &Evidence{Items: []EvidenceItem{{Kind: KindIDDocument, Name: "features.json", Data: fj}}}
	sk, err := envelope.GenerateSigningKey(envelope.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := SealEvidence(ev, sk, set)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

func runAll(t *testing.T, vs []testValidator, sealed []byte, req string) []Vote {
	var votes []Vote
	for _, v := range vs {
		run, err := ScoreEvidence(context.Background(), sealed, req, v.info.Name, v.id, v.key, jsonExtractor{"json-v1"}, CompositeV2{}, testParams)
		if err != nil {
			t.Fatal(err)
		}
		votes = append(votes, run.Vote)
	}
	return votes
}

// Four validators score independently; one submits a tampered (but signed) score: the tally is
// final with 3/4 of the power and names the dissenter.
func TestTallyFourValidatorsOneTampered(t *testing.T) {
	vs := newValidators(t, 10, 10, 10, 10)
	set := setOf(vs)
	sealed := sealTestEvidence(t, set)
	req := RequestID(sealed)
	votes := runAll(t, vs, sealed, req)
	for _, v := range votes[1:] {
		if v.Score != votes[0].Score || v.InputHash != votes[0].InputHash {
			t.Fatal("validators disagree on identical evidence")
		}
	}
	votes[2].Score = 99
	if err := SignVote(&votes[2], vs[2].key); err != nil {
		t.Fatal(err)
	}
	res, err := Tally(req, set, votes)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Final || res.Score != 75 || res.Power != 30 || !slices.Equal(res.Agreeing, []string{"val-0", "val-1", "val-3"}) ||
		len(res.Dissenters) != 1 || res.Dissenters[0].Validator != "val-2" || res.Dissenters[0].Score != 99 {
		t.Fatalf("%+v", res)
	}

	// A tampered vote that was not re-signed does not count at all.
	votes = runAll(t, vs, sealed, req)
	votes[1].Score = 10
	res, err = Tally(req, set, votes)
	if err != nil || len(res.Invalid) != 1 || res.Invalid[0].Code != "BAD_VOTE_SIG" || !slices.Equal(res.Absent, []string{"val-1"}) {
		t.Fatalf("%+v %v", res, err)
	}

	// Two dissenters: 20 of 40 is not more than 2/3.
	votes = runAll(t, vs, sealed, req)
	for _, i := range []int{1, 3} {
		votes[i].Score = 50
		if err := SignVote(&votes[i], vs[i].key); err != nil {
			t.Fatal(err)
		}
	}
	if res, err = Tally(req, set, votes); !errors.Is(err, ErrNoQuorum) || res.Final {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestTallyThresholdAndInvalidVotes(t *testing.T) {
	vs := newValidators(t, 1, 1, 1)
	set := setOf(vs)
	sealed := sealTestEvidence(t, set)
	req := RequestID(sealed)
	votes := runAll(t, vs, sealed, req)
	// Exactly 2/3 is not enough.
	if _, err := Tally(req, set, votes[:2]); !errors.Is(err, ErrNoQuorum) {
		t.Fatal("2/3 finalized:", err)
	}
	if res, err := Tally(req, set, votes); err != nil || !res.Final {
		t.Fatal(err)
	}
	// Weighted: one validator with 3 of 5 power and another with 1 agree → 4/5 final.
	ws := newValidators(t, 3, 1, 1)
	wset := setOf(ws)
	wsealed := sealTestEvidence(t, wset)
	wreq := RequestID(wsealed)
	wv := runAll(t, ws, wsealed, wreq)
	if res, err := Tally(wreq, wset, wv[:2]); err != nil || res.Power != 4 || res.TotalPower != 5 {
		t.Fatal(res, err)
	}
	// Duplicate vote, unknown voter, vote for another request.
	other := votes[0]
	other.Validator = "mallory"
	replay := votes[0]
	replay.RequestID = "another-request"
	res, _ := Tally(req, set, append(slices.Clone(votes), votes[0], other, replay))
	codes := []string{}
	for _, iv := range res.Invalid {
		codes = append(codes, iv.Code)
	}
	if !slices.Equal(codes, []string{"DUPLICATE_VOTE", "UNKNOWN_VOTER", "BAD_VOTE_SIG"}) || !res.Final {
		t.Fatalf("%v %+v", codes, res)
	}
	bad := slices.Clone(set)
	bad[0].Power = 0
	if _, err := Tally(req, bad, votes); !errors.Is(err, ErrBadPower) {
		t.Fatal(err)
	}
	twice := append(slices.Clone(set), set[0])
	if _, err := Tally(req, twice, votes); !errors.Is(err, ErrBadPower) {
		t.Fatal("duplicate validator name accepted:", err)
	}
}

func TestScoreEvidenceRejects(t *testing.T) {
	vs := newValidators(t, 1, 1)
	sealed := sealTestEvidence(t, setOf(vs[:1]))
	ctx := context.Background()
	// Not a recipient.
	_, err := ScoreEvidence(ctx, sealed, "r", "val-1", vs[1].id, vs[1].key, jsonExtractor{"json-v1"}, CompositeV2{}, testParams)
	if !errors.Is(err, ErrNotValidator) {
		t.Fatal(err)
	}
	// Another extractor version than the network pins: abstain.
	_, err = ScoreEvidence(ctx, sealed, "r", "val-0", vs[0].id, vs[0].key, jsonExtractor{"json-v2"}, CompositeV2{}, testParams)
	if !errors.Is(err, ErrModelVersion) {
		t.Fatal(err)
	}
	// A tampered envelope byte.
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-100] ^= 1
	_, err = ScoreEvidence(ctx, tampered, "r", "val-0", vs[0].id, vs[0].key, jsonExtractor{"json-v1"}, CompositeV2{}, testParams)
	if !errors.Is(err, ErrEvidenceDecrypt) {
		t.Fatal(err)
	}
}

func TestCommitteeDeterministic(t *testing.T) {
	set := setOf(newValidators(t, 1, 1, 1, 1, 1, 1))
	a := Committee(set, []byte("epoch-7"), 4)
	b := Committee(slices.Clone(set), []byte("epoch-7"), 4)
	name := func(v ValidatorInfo) string { return v.Name }
	if len(a) != 4 || !slices.Equal(mapSlice(a, name), mapSlice(b, name)) {
		t.Fatal("committee not deterministic")
	}
	if len(Committee(set, nil, 100)) != 6 {
		t.Fatal("whole set")
	}
}

func mapSlice[T, U any](s []T, f func(T) U) []U {
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

func FuzzParseEvidence(f *testing.F) {
	ev := &Evidence{Items: []EvidenceItem{{Kind: KindSelfie, Name: "selfie.jpg", Data: []byte{0xff, 0xd8, 0xff}}, {Kind: KindIDDocument, Name: "doc.jpg", Data: nil}}}
	b, _ := ev.MarshalBinary()
	f.Add(b)
	empty, _ := (&Evidence{}).MarshalBinary()
	f.Add(empty)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEvidence(data)
		if err != nil {
			if !errors.Is(err, ErrMalformedUpload) {
				t.Fatal(err)
			}
			return
		}
		out, err := e.MarshalBinary()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatal("re-encoding differs")
		}
	})
}

// badKeys are private keys ed25519.Sign would panic on; every signing function must refuse them with
// ErrBadKey (code "BAD_KEY") instead.
func badKeys() map[string]ed25519.PrivateKey {
	good := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	return map[string]ed25519.PrivateKey{
		"nil":               nil,
		"empty":             {},
		"seed only (short)": good.Seed(),
		"one byte short":    good[:ed25519.PrivateKeySize-1],
		"one byte long":     append(append(ed25519.PrivateKey(nil), good...), 0),
		"double (long)":     append(append(ed25519.PrivateKey(nil), good...), good...),
	}
}

// wantBadKey fails unless err is ErrBadKey carried by an *Error with code BAD_KEY.
func wantBadKey(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if !errors.Is(err, ErrBadKey) || !errors.As(err, &e) || e.Code != "BAD_KEY" {
		t.Errorf("%s: %v, want ErrBadKey with code BAD_KEY", what, err)
	}
}

func TestSignVoteAndScoreEvidenceBadKey(t *testing.T) {
	vs := newValidators(t, 1)
	sealed := sealTestEvidence(t, setOf(vs))
	good := Vote{RequestID: "r", Validator: "val-0", Model: CompositeV2Version, Score: 75, Passed: true}
	if err := SignVote(&good, vs[0].key); err != nil {
		t.Fatal(err)
	}
	if res, err := Tally("r", setOf(vs), []Vote{good}); err != nil || !res.Final {
		t.Fatalf("well-formed key: %+v %v", res, err)
	}
	for name, k := range badKeys() {
		t.Run(name, func(t *testing.T) {
			v := good
			wantBadKey(t, "SignVote", SignVote(&v, k))
			if !bytes.Equal(v.Sig, good.Sig) {
				t.Error("a refused SignVote changed the vote")
			}
			run, err := ScoreEvidence(context.Background(), sealed, "r", "val-0", vs[0].id, k, jsonExtractor{"json-v1"}, CompositeV2{}, testParams)
			wantBadKey(t, "ScoreEvidence", err)
			if run != nil {
				t.Error("ScoreEvidence returned a run with a bad key")
			}
		})
	}
}
