package app

import (
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/settlement"
)

// The validator fee pool is paid by contribution (power of the blocks each validator signed), not
// equally: a validator that signed every block earns more than one that signed half of them.
func TestValidatorRewardsByContribution(t *testing.T) {
	root, opA, opB := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2), key(t, tx.Ed25519, 3)
	va, vb := ed25519.GenPrivKeyFromSecret([]byte("a")), ed25519.GenPrivKeyFromSecret([]byte("b"))
	g := fundedGenesis(root)
	g.Validators = []GenesisValidator{
		{ConsensusPubKey: va.PubKey().Bytes(), Power: 10, Operator: opA.Address()},
		{ConsensusPubKey: vb.PubKey().Bytes(), Power: 10, Operator: opB.Address()},
	}
	h := newHarness(t, dbm.NewMemDB(), g, Options{})
	h.block()
	if err := qledger(h.a.pending).Mint(settlement.ValidatorPool, 1000); err != nil {
		t.Fatal(err)
	}
	for h.height < rewardInterval {
		votes := []abci.VoteInfo{{Validator: abci.Validator{Address: va.PubKey().Address(), Power: 10}, BlockIdFlag: cmtproto.BlockIDFlagCommit}}
		if h.height%2 == 0 {
			votes = append(votes, abci.VoteInfo{Validator: abci.Validator{Address: vb.PubKey().Address(), Power: 10}, BlockIdFlag: cmtproto.BlockIDFlagCommit})
		}
		h.blockWith(abci.CommitInfo{Votes: votes})
	}
	l := qledger(dbView{h.db})
	a, _ := l.Balance(opA.Address().String())
	b, _ := l.Balance(opB.Address().String())
	pool, _ := l.Balance(settlement.ValidatorPool)
	if a <= b || b == 0 || a+b+pool != 1000 {
		t.Fatalf("rewards a=%d b=%d pool=%d", a, b, pool)
	}
	if err := l.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}
