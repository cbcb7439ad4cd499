package devnet

import (
	"context"
	"testing"
	"time"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
)

// Four validators in process: transfers and an identity score by consensus, with validator 2
// Byzantine (tampered identity votes). The honest score is final within 3 blocks, the bad vote is
// recorded as dissent, and every node has the same app hash.
func TestFourValidatorsByzantineIdentity(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	nw := testNet(t, 4, StartOptions{Byzantine: []int{2}})
	c := clientFor(t, ctx, nw, 0)
	c3 := clientFor(t, ctx, nw, 3)
	f := faucet(t, nw)
	user, _ := tx.GenerateKey(tx.Ed25519)
	fund, err := c.Submit(ctx, f, &tx.MsgSend{To: user.Address(), Amount: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	if err := c3.WaitHeight(ctx, fund.Height+1); err != nil {
		t.Fatal(err)
	}
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	feat := veid.Features{Extractor: "devnet-test", HasDocument: true, HasSelfie: true, Document: 9100, FaceMatch: 8800,
		Liveness: 9300, Consistency: 9000, History: 5000, Risk: 200}
	want, err := veid.Score(feat)
	if err != nil {
		t.Fatal(err)
	}
	// Submitted through node 3, read back from node 0.
	id, res, err := c3.SubmitEvidence(ctx, user, sk, feat)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.WaitIdentity(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != app.ReqFinal || r.Score != uint32(want.Score) {
		t.Fatalf("request %+v, want final score %d", r, want.Score)
	}
	if d := r.FinalAt - res.Height; d > 3 {
		t.Fatalf("score final %d blocks after the evidence (target ≤ 3)", d)
	}
	t.Logf("score %d final at height %d, %d blocks after submission at %d", r.Score, r.FinalAt, r.FinalAt-res.Height, res.Height)
	byz := nw.Node(2).Comet().PrivValidator()
	pk, _ := byz.GetPubKey()
	found := false
	for _, d := range r.Dissent {
		if string(d) == string(pk.Address()) {
			found = true
		}
	}
	if !found {
		t.Fatalf("Byzantine validator's vote not rejected: dissent %X", r.Dissent)
	}
	h, _ := c.Height(ctx)
	appHashesAgree(t, ctx, nw, h)
}

// With two of four validators disagreeing (both tampering), no score reaches more than 2/3 of the
// voting power: the request stays pending, then expires after the vote window; the chain goes on.
func TestFourValidatorsTwoDisagreeNoFinal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	nw := testNet(t, 4, StartOptions{Byzantine: []int{1, 3}})
	c := clientFor(t, ctx, nw, 0)
	f := faucet(t, nw)
	user, _ := tx.GenerateKey(tx.Ed25519)
	if _, err := c.Submit(ctx, f, &tx.MsgSend{To: user.Address(), Amount: 10_000}); err != nil {
		t.Fatal(err)
	}
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	feat := veid.Features{Extractor: "devnet-test", HasDocument: true, HasSelfie: true, Document: 9100, FaceMatch: 8800,
		Liveness: 9300, Consistency: 9000, History: 5000, Risk: 200}
	id, _, err := c.SubmitEvidence(ctx, user, sk, feat)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.WaitIdentity(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != app.ReqExpired {
		t.Fatalf("request %+v: want expired without a final score", r)
	}
	if err := c.Query(ctx, "/identity/"+user.Address().String(), new(app.Identity)); err == nil {
		t.Fatal("an identity score was recorded")
	}
}
