package app

import (
	"bytes"
	"context"
	stded25519 "crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// committeeNet is a 4-validator identity committee around one harness.
type committeeNet struct {
	h     *harness
	cons  []ed25519.PrivKey
	coms  []EvidenceCommittee
	user  *tx.PrivKey
	recip []envelope.Recipient
	// Per validator, when set (issuance tests): its extractor and its credential issuer keys.
	exs []veid.Extractor
	att []stded25519.PrivateKey
	zks []*zk.IssuerPrivateKey
}

func newCommitteeNet(t *testing.T) *committeeNet {
	t.Helper()
	return newCommitteeNetWith(t, nil)
}

// newCommitteeNetWith lets edit change each genesis validator (issuer keys).
func newCommitteeNetWith(t *testing.T, edit func(i int, gv *GenesisValidator)) *committeeNet {
	t.Helper()
	root, user := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2)
	g := fundedGenesis(root, user)
	n := &committeeNet{user: user}
	for i := 0; i < 4; i++ {
		ck := ed25519.GenPrivKeyFromSecret([]byte{byte(i), 'v'})
		id, err := envelope.GenerateIdentity(envelope.X25519)
		if err != nil {
			t.Fatal(err)
		}
		n.cons = append(n.cons, ck)
		n.coms = append(n.coms, EvidenceCommittee{ID: id})
		n.recip = append(n.recip, id.Recipient())
		gv := GenesisValidator{ConsensusPubKey: ck.PubKey().Bytes(), Power: 10, Operator: root.Address(), CommitteeKey: []byte(id.Recipient().String())}
		if edit != nil {
			edit(i, &gv)
		}
		g.Validators = append(g.Validators, gv)
	}
	n.h = newHarness(t, dbm.NewMemDB(), g, Options{Extractor: hashExtractor{}, VoteWait: 10 * time.Second})
	n.h.block()
	return n
}

// hashExtractor is a small deterministic veid.Extractor for fast tests: it computes every feature
// from the bytes of the evidence bundle's items (sha256) and from the evaluation time, so a changed
// image changes the score and validators agree only when they extract the same bundle at the same
// time. The e2e flow and devnet run the real biometrics extractor.
type hashExtractor struct{}

func (hashExtractor) Version() string { return "test-hash-extractor-v1" }

func (hashExtractor) Extract(ctx context.Context, ev *veid.Evidence) (veid.Features, error) {
	at, ok := EvaluationTime(ctx)
	if !ok {
		return veid.Features{}, errors.New("no evaluation time")
	}
	bp := func(b []byte, salt string) uint32 {
		h := sha256.Sum256(append([]byte(salt), b...))
		return 8500 + uint32(binary.BigEndian.Uint16(h[:]))%1500
	}
	f := veid.Features{History: 6000, Risk: 300}
	var frames []byte
	for _, it := range ev.Items {
		switch it.Kind {
		case veid.KindIDDocument:
			f.HasDocument, f.Document = true, bp(it.Data, "doc")
		case veid.KindSelfie:
			f.HasSelfie, f.FaceMatch = true, bp(it.Data, "face")
		case veid.KindFaceVideo:
			frames = append(frames, it.Data...)
		}
	}
	f.Liveness = bp(frames, "live")
	var tb [8]byte
	binary.BigEndian.PutUint64(tb[:], uint64(at.Unix()))
	f.Consistency = bp(tb[:], "time")
	return f, nil
}

// bundle is an evidence bundle whose bytes depend on seed.
func bundle(seed string) *veid.Evidence {
	return &veid.Evidence{Items: []veid.EvidenceItem{
		{Kind: veid.KindIDDocument, Name: "document.jpg", Data: []byte("document image " + seed)},
		{Kind: veid.KindSelfie, Name: "selfie.jpg", Data: []byte("selfie image " + seed)},
		{Kind: veid.KindFaceVideo, Name: "frame-0.jpg", Data: []byte("frame 0 " + seed)},
		{Kind: veid.KindFaceVideo, Name: "frame-1.jpg", Data: []byte("frame 1 " + seed)},
	}}
}

// submit seals the evidence bundle to the committee and commits the submission; it returns the
// request id.
func (n *committeeNet) submit(t *testing.T, ev *veid.Evidence) []byte {
	t.Helper()
	pt, err := ev.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	sk, err := envelope.GenerateSigningKey(envelope.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	env, err := envelope.Seal(pt, sk, n.recip, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := n.h.sign(n.user, &tx.MsgSubmitEvidence{Envelope: env})
	if r := n.h.block(b); r[0].Code != CodeOK {
		t.Fatalf("submit: %s", r[0].Log)
	}
	d, _ := tx.Decode(b)
	return d.Hash[:]
}

// want is the score an honest validator computes for ev submitted as request id: the test
// extractor at the block time that committed it, then composite-v2.
func (n *committeeNet) want(t *testing.T, ev *veid.Evidence, id []byte) veid.Result {
	t.Helper()
	r := n.request(t, id)
	f, err := hashExtractor{}.Extract(WithEvaluationTime(context.Background(), time.Unix(r.Time, 0)), ev)
	if err != nil {
		t.Fatal(err)
	}
	f.Extractor = hashExtractor{}.Version()
	res, err := veid.Score(f)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed {
		t.Fatalf("test bundle does not pass: %+v", res)
	}
	return res
}

// votes runs ExtendVote as each validator (tamper[i] lies, abstain[i] abstains) and returns the
// signed extended commit of the last height.
func (n *committeeNet) votes(t *testing.T, tamper, abstain map[int]bool) abci.ExtendedCommitInfo {
	t.Helper()
	h := n.h
	ec := abci.ExtendedCommitInfo{Round: 0}
	for i := range n.cons {
		h.a.opts.Committee, h.a.opts.TamperVotes = n.coms[i], tamper[i]
		if abstain[i] {
			h.a.opts.Committee = nil
		}
		if n.exs != nil {
			h.a.opts.Extractor = n.exs[i]
		}
		if n.att != nil {
			h.a.opts.AttestationKey, h.a.opts.IssuerKey = n.att[i], n.zks[i]
		}
		r, err := h.a.ExtendVote(context.Background(), &abci.RequestExtendVote{Height: h.height})
		if err != nil {
			t.Fatal(err)
		}
		vr, _ := h.a.VerifyVoteExtension(context.Background(), &abci.RequestVerifyVoteExtension{Height: h.height, VoteExtension: r.VoteExtension, ValidatorAddress: n.cons[i].PubKey().Address()})
		if vr.Status != abci.ResponseVerifyVoteExtension_ACCEPT {
			t.Fatalf("validator %d: own extension rejected", i)
		}
		sb := cmttypes.VoteExtensionSignBytes(testChain, &cmtproto.Vote{Height: h.height, Round: 0, Extension: r.VoteExtension})
		sig, _ := n.cons[i].Sign(sb)
		ec.Votes = append(ec.Votes, abci.ExtendedVoteInfo{Validator: abci.Validator{Address: n.cons[i].PubKey().Address(), Power: 10},
			VoteExtension: r.VoteExtension, ExtensionSignature: sig, BlockIdFlag: cmtproto.BlockIDFlagCommit})
	}
	h.a.opts.Committee, h.a.opts.TamperVotes, h.a.opts.AttestationKey, h.a.opts.IssuerKey = nil, false, nil, nil
	return ec
}

// propose runs PrepareProposal and ProcessProposal for the next height and, when accepted,
// finalizes the block.
func (n *committeeNet) propose(t *testing.T, ec abci.ExtendedCommitInfo) bool {
	t.Helper()
	h := n.h
	pp, err := h.a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Height: h.height + 1, MaxTxBytes: 1 << 20, LocalLastCommit: ec})
	if err != nil {
		t.Fatal(err)
	}
	return n.process(t, pp.Txs)
}

func (n *committeeNet) process(t *testing.T, txs [][]byte) bool {
	t.Helper()
	h := n.h
	pr, _ := h.a.ProcessProposal(context.Background(), &abci.RequestProcessProposal{Height: h.height + 1, Txs: txs})
	if pr.Status != abci.ResponseProcessProposal_ACCEPT {
		return false
	}
	for _, r := range h.block(txs...) {
		if r.Code != CodeOK {
			t.Fatalf("tx failed: %s", r.Log)
		}
	}
	return true
}

func (n *committeeNet) request(t *testing.T, id []byte) *IdentityRequest {
	t.Helper()
	var r IdentityRequest
	if ok, err := getObj(dbView{n.h.db}, pfxIdentReq+string(id), &r); err != nil || !ok {
		t.Fatalf("request: %v %v", ok, err)
	}
	return &r
}

func TestIdentityConsensusScore(t *testing.T) {
	n := newCommitteeNet(t)
	ev := bundle("alice")
	submitted := n.h.height + 1
	id := n.submit(t, ev)
	want := n.want(t, ev, id)
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	r := n.request(t, id)
	if r.Status != ReqFinal || r.Score != uint32(want.Score) || !bytes.Equal(r.InputHash, want.InputHash[:]) || len(r.Dissent) != 0 {
		t.Fatalf("request %+v, want score %d", r, want.Score)
	}
	if blocks := r.FinalAt - submitted; blocks > 3 {
		t.Fatalf("final %d blocks after submission", blocks)
	}
	ident, _ := getIdentity(dbView{n.h.db}, n.user.Address())
	if ident == nil || ident.Status != "verified" || ident.Score != uint32(want.Score) {
		t.Fatalf("identity %+v", ident)
	}
}

// Byzantine: one validator of four lies; the score is still the honest one and the lie is recorded
// as dissent (rejected from the tally).
func TestIdentityOneByzantine(t *testing.T) {
	n := newCommitteeNet(t)
	ev := bundle("bob")
	id := n.submit(t, ev)
	want := n.want(t, ev, id)
	if !n.propose(t, n.votes(t, map[int]bool{2: true}, nil)) {
		t.Fatal("proposal rejected")
	}
	r := n.request(t, id)
	if r.Status != ReqFinal || r.Score != uint32(want.Score) {
		t.Fatalf("request %+v, want score %d", r, want.Score)
	}
	if len(r.Dissent) != 1 || !bytes.Equal(r.Dissent[0], n.cons[2].PubKey().Address()) {
		t.Fatalf("dissent %X, want validator 2", r.Dissent)
	}
}

// With two of four disagreeing, no group has more than 2/3: nothing is finalized, and the request
// expires after the vote window.
func TestIdentityTwoDisagreeNoFinal(t *testing.T) {
	n := newCommitteeNet(t)
	id := n.submit(t, bundle("carol"))
	if !n.propose(t, n.votes(t, map[int]bool{0: true, 3: true}, nil)) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id); r.Status != ReqPending {
		t.Fatalf("finalized with a 2-2 split: %+v", r)
	}
	// Two abstaining leaves 20 of 40: not more than 2/3 either.
	if !n.propose(t, n.votes(t, nil, map[int]bool{0: true, 1: true})) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id); r.Status != ReqPending {
		t.Fatalf("finalized with half the power: %+v", r)
	}
	for i := 0; i < int(DefaultParams().IdentityVoteWindow)+1; i++ {
		n.h.block()
	}
	if r := n.request(t, id); r.Status != ReqExpired {
		t.Fatalf("not expired: %+v", r)
	}
}

// A proposer cannot forge or alter another validator's vote: the signature check in ProcessProposal
// rejects the block. Twin of TestIdentityConsensusScore.
func TestIdentityForgedTallyRejected(t *testing.T) {
	n := newCommitteeNet(t)
	n.submit(t, bundle("carol"))
	ec := n.votes(t, nil, nil)
	// Alter validator 1's extension (its score) without its key.
	ext, err := parseExtension(ec.Votes[1].VoteExtension)
	if err != nil {
		t.Fatal(err)
	}
	ext.Votes[0].Score = (ext.Votes[0].Score + 1) % 101
	ec.Votes[1].VoteExtension, _ = tx.Marshal(ext)
	pp, _ := n.h.a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Height: n.h.height + 1, MaxTxBytes: 1 << 20, LocalLastCommit: ec})
	if n.process(t, pp.Txs) {
		t.Fatal("forged tally accepted")
	}
	// A tally that is not the first transaction is rejected too.
	good := n.votes(t, nil, nil)
	pp, _ = n.h.a.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Height: n.h.height + 1, MaxTxBytes: 1 << 20, LocalLastCommit: good})
	other := n.h.sign(n.user, &tx.MsgSend{To: n.user.Address(), Amount: 1})
	if n.process(t, [][]byte{other, pp.Txs[0]}) {
		t.Fatal("tally in second position accepted")
	}
}

func TestVerifyVoteExtensionRejectsMalformed(t *testing.T) {
	n := newCommitteeNet(t)
	bad := []VoteExtension{
		{Model: "composite-v2", Votes: []IdentityVote{{Request: make([]byte, 32), Score: 101, InputHash: make([]byte, 32)}}},
		{Model: "composite-v2", Votes: []IdentityVote{{Request: make([]byte, 31), Score: 50, InputHash: make([]byte, 32)}}},
		{Model: "composite-v2", Votes: []IdentityVote{{Request: bytes.Repeat([]byte{2}, 32), InputHash: make([]byte, 32)}, {Request: bytes.Repeat([]byte{1}, 32), InputHash: make([]byte, 32)}}},
	}
	for i, e := range bad {
		b, _ := tx.Marshal(e)
		r, _ := n.h.a.VerifyVoteExtension(context.Background(), &abci.RequestVerifyVoteExtension{VoteExtension: b})
		if r.Status != abci.ResponseVerifyVoteExtension_REJECT {
			t.Errorf("case %d accepted", i)
		}
	}
	r, _ := n.h.a.VerifyVoteExtension(context.Background(), &abci.RequestVerifyVoteExtension{VoteExtension: []byte{0xff}})
	if r.Status != abci.ResponseVerifyVoteExtension_REJECT {
		t.Error("garbage accepted")
	}
	r, _ = n.h.a.VerifyVoteExtension(context.Background(), &abci.RequestVerifyVoteExtension{})
	if r.Status != abci.ResponseVerifyVoteExtension_ACCEPT {
		t.Error("empty (abstaining) extension rejected")
	}
}

// VerifyVoteExtension accepts votes only on requests pending in the committed state: a vote on an
// unknown request or on one already final is rejected; the same vote while pending is accepted.
func TestVerifyVoteExtensionOnlyPendingRequests(t *testing.T) {
	n := newCommitteeNet(t)
	verify := func(reqID []byte) abci.ResponseVerifyVoteExtension_VerifyStatus {
		t.Helper()
		b, err := tx.Marshal(VoteExtension{Model: "composite-v2", Votes: []IdentityVote{{Request: reqID, Score: 70, InputHash: make([]byte, 32), Tier: 2, Passed: true}}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := n.h.a.VerifyVoteExtension(context.Background(), &abci.RequestVerifyVoteExtension{Height: n.h.height + 1, VoteExtension: b})
		if err != nil {
			t.Fatal(err)
		}
		return r.Status
	}
	if verify(bytes.Repeat([]byte{7}, 32)) != abci.ResponseVerifyVoteExtension_REJECT {
		t.Fatal("vote on an unknown request accepted")
	}
	id := n.submit(t, bundle("gina"))
	if verify(id) != abci.ResponseVerifyVoteExtension_ACCEPT {
		t.Fatal("vote on a pending request rejected")
	}
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id); r.Status != ReqFinal {
		t.Fatalf("request %+v not final", r)
	}
	if verify(id) != abci.ResponseVerifyVoteExtension_REJECT {
		t.Fatal("vote on a final request accepted")
	}
}

// Validators' model files are pinned by hash in the parameters: a validator running other files
// abstains, and with two of four abstaining nothing is final.
func TestIdentityPinnedModelHashes(t *testing.T) {
	n := newCommitteeNet(t)
	p := DefaultParams()
	p.ModelHashes = []string{"aa11", "bb22"}
	if err := putObj(n.h.a.pending, keyParams, p); err != nil {
		t.Fatal(err)
	}
	n.h.block()
	for i := range n.coms {
		n.coms[i].Files = []string{"aa11", "bb22"}
	}
	n.coms[0].Files = []string{"aa11", "ffff"} // another model file
	id := n.submit(t, bundle("carol"))
	ec := n.votes(t, nil, nil)
	if len(ec.Votes[0].VoteExtension) != 0 {
		t.Fatal("validator with other model files voted")
	}
	if why := abstainReason(p, n.coms[0]); !strings.Contains(why, "model files differ") || !strings.Contains(why, "bb22") {
		t.Fatalf("abstain reason %q does not name the missing pinned hash", why)
	}
	if why := abstainReason(p, n.coms[1]); why != "" {
		t.Fatalf("validator with the pinned files abstains: %q", why)
	}
	if !n.propose(t, ec) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id); r.Status != ReqFinal {
		t.Fatalf("3 of 4 with the pinned files did not finalize: %+v", r)
	}
	n.coms[1].Files = nil
	id2 := n.submit(t, bundle("carol"))
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id2); r.Status != ReqPending {
		t.Fatalf("2 of 4 finalized: %+v", r)
	}
}

// slowExtractor blocks until release is closed, then extracts like hashExtractor.
type slowExtractor struct{ release chan struct{} }

func (s slowExtractor) Version() string { return hashExtractor{}.Version() }
func (s slowExtractor) Extract(ctx context.Context, ev *veid.Evidence) (veid.Features, error) {
	<-s.release
	return hashExtractor{}.Extract(ctx, ev)
}

// Extraction runs off the consensus path: ExtendVote does not wait past VoteWait for an extraction
// in progress, votes nothing for it, and votes at a later height once it is done.
func TestIdentityExtractionAsync(t *testing.T) {
	n := newCommitteeNet(t)
	slow := slowExtractor{release: make(chan struct{})}
	n.h.a.opts.Extractor, n.h.a.opts.VoteWait = slow, 50*time.Millisecond
	ev := bundle("dave")
	id := n.submit(t, ev)
	start := time.Now()
	ec := n.votes(t, nil, nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("ExtendVote blocked %s on an extraction in progress", d)
	}
	for i, v := range ec.Votes {
		if len(v.VoteExtension) != 0 {
			t.Fatalf("validator %d voted before its extraction finished", i)
		}
	}
	if !n.propose(t, ec) {
		t.Fatal("proposal rejected")
	}
	close(slow.release)
	n.h.a.opts.VoteWait = 10 * time.Second
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	want := n.want(t, ev, id)
	if r := n.request(t, id); r.Status != ReqFinal || r.Score != uint32(want.Score) || !bytes.Equal(r.InputHash, want.InputHash[:]) {
		t.Fatalf("request %+v, want score %d", r, want.Score)
	}
}

// The score comes from the evidence's bytes: other images give another input hash, and evidence
// that is not a veid evidence bundle (device-computed features) gets no vote.
func TestIdentityScoreFromEvidenceBytes(t *testing.T) {
	n := newCommitteeNet(t)
	a, b := bundle("erin"), bundle("frank")
	ida, idb := n.submit(t, a), n.submit(t, b)
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	ra, rb := n.request(t, ida), n.request(t, idb)
	if ra.Status != ReqFinal || rb.Status != ReqFinal || bytes.Equal(ra.InputHash, rb.InputHash) {
		t.Fatalf("requests %+v / %+v", ra, rb)
	}
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	env, err := envelope.Seal([]byte(`{"document":9200,"face_match":8900}`), sk, n.recip, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.h.block(n.h.sign(n.user, &tx.MsgSubmitEvidence{Envelope: env}))
	for i, v := range n.votes(t, nil, nil).Votes {
		if len(v.VoteExtension) != 0 {
			t.Fatalf("validator %d voted on features instead of an evidence bundle", i)
		}
	}
}

// Evidence must be sealed, with named recipients, to every validator's committee key: sealed to
// the committee plus the holder it is accepted; to another key, to all but one validator, or
// anonymously it is refused at submission instead of waiting out the vote window unopened.
func TestIdentityEvidenceRecipients(t *testing.T) {
	n := newCommitteeNet(t)
	pt, err := bundle("recipients").MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	holder, _ := envelope.GenerateIdentity(envelope.X25519)
	stranger, _ := envelope.GenerateIdentity(envelope.X25519)
	seal := func(rs []envelope.Recipient, opts *envelope.SealOptions) []byte {
		env, err := envelope.Seal(pt, sk, rs, opts)
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	for _, c := range []struct {
		name string
		env  []byte
		code uint32
	}{
		{"committee and holder", seal(append(append([]envelope.Recipient{}, n.recip...), holder.Recipient()), nil), CodeOK},
		{"a stranger only", seal([]envelope.Recipient{stranger.Recipient()}, nil), CodeInvalidMsg},
		{"all but one validator", seal(n.recip[:3], nil), CodeInvalidMsg},
		{"anonymous", seal(n.recip, &envelope.SealOptions{Anonymous: true}), CodeInvalidMsg},
	} {
		r := n.h.block(n.h.sign(n.user, &tx.MsgSubmitEvidence{Envelope: c.env}))
		if r[0].Code != c.code {
			t.Errorf("%s: code %d (%s), want %d", c.name, r[0].Code, r[0].Log, c.code)
		}
	}
}
