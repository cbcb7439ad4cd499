package app

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
)

// committeeNet is a 4-validator identity committee around one harness.
type committeeNet struct {
	h     *harness
	cons  []ed25519.PrivKey
	coms  []EvidenceCommittee
	user  *tx.PrivKey
	recip []envelope.Recipient
}

func newCommitteeNet(t *testing.T) *committeeNet {
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
		g.Validators = append(g.Validators, GenesisValidator{ConsensusPubKey: ck.PubKey().Bytes(), Power: 10, Operator: root.Address(), CommitteeKey: []byte(id.Recipient().String())})
	}
	n.h = newHarness(t, dbm.NewMemDB(), g, Options{})
	n.h.block()
	return n
}

func goodFeatures() veid.Features {
	return veid.Features{Extractor: "test-extractor", HasDocument: true, HasSelfie: true, Document: 9200, FaceMatch: 9000,
		Liveness: 9500, Consistency: 9000, History: 6000, Risk: 300}
}

// submit seals features to the committee and commits the submission; it returns the request id.
func (n *committeeNet) submit(t *testing.T, f veid.Features) []byte {
	t.Helper()
	pt, _ := json.Marshal(f)
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
		r, err := h.a.ExtendVote(context.Background(), &abci.RequestExtendVote{Height: h.height})
		if err != nil {
			t.Fatal(err)
		}
		vr, _ := h.a.VerifyVoteExtension(context.Background(), &abci.RequestVerifyVoteExtension{Height: h.height, VoteExtension: r.VoteExtension})
		if vr.Status != abci.ResponseVerifyVoteExtension_ACCEPT {
			t.Fatalf("validator %d: own extension rejected", i)
		}
		sb := cmttypes.VoteExtensionSignBytes(testChain, &cmtproto.Vote{Height: h.height, Round: 0, Extension: r.VoteExtension})
		sig, _ := n.cons[i].Sign(sb)
		ec.Votes = append(ec.Votes, abci.ExtendedVoteInfo{Validator: abci.Validator{Address: n.cons[i].PubKey().Address(), Power: 10},
			VoteExtension: r.VoteExtension, ExtensionSignature: sig, BlockIdFlag: cmtproto.BlockIDFlagCommit})
	}
	h.a.opts.Committee, h.a.opts.TamperVotes = nil, false
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
	f := goodFeatures()
	want, err := veid.Score(f)
	if err != nil {
		t.Fatal(err)
	}
	submitted := n.h.height + 1
	id := n.submit(t, f)
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
	want, _ := veid.Score(goodFeatures())
	id := n.submit(t, goodFeatures())
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
	id := n.submit(t, goodFeatures())
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
	n.submit(t, goodFeatures())
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
	id := n.submit(t, goodFeatures())
	ec := n.votes(t, nil, nil)
	if len(ec.Votes[0].VoteExtension) != 0 {
		t.Fatal("validator with other model files voted")
	}
	if !n.propose(t, ec) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id); r.Status != ReqFinal {
		t.Fatalf("3 of 4 with the pinned files did not finalize: %+v", r)
	}
	n.coms[1].Files = nil
	id2 := n.submit(t, goodFeatures())
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id2); r.Status != ReqPending {
		t.Fatalf("2 of 4 finalized: %+v", r)
	}
}
