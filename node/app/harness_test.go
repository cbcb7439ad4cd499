package app

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

const testChain = "test-chain"

// harness drives an App directly through the ABCI calls CometBFT makes, one block at a time.
type harness struct {
	t      testing.TB
	a      *App
	db     dbm.DB
	height int64
	now    time.Time
}

func key(t testing.TB, algo tx.Algo, seed byte) *tx.PrivKey {
	t.Helper()
	k, err := tx.NewKeyFromSeed(algo, bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newHarness(t testing.TB, db dbm.DB, g Genesis, opts Options) *harness {
	t.Helper()
	a, err := New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, a: a, db: db, now: time.Unix(1_800_000_000, 0).UTC()}
	st, _ := json.Marshal(g)
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: testChain, InitialHeight: 1, AppStateBytes: st}); err != nil {
		t.Fatal(err)
	}
	return h
}

// block finalizes and commits a block of txs and returns the results.
func (h *harness) block(txs ...[]byte) []*abci.ExecTxResult {
	h.t.Helper()
	return h.blockWith(abci.CommitInfo{}, txs...)
}

func (h *harness) blockWith(lc abci.CommitInfo, txs ...[]byte) []*abci.ExecTxResult {
	h.t.Helper()
	h.height++
	h.now = h.now.Add(time.Second)
	r, err := h.a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: h.height, Time: h.now, Txs: txs, DecidedLastCommit: lc})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		h.t.Fatal(err)
	}
	return r.TxResults
}

func (h *harness) check(b []byte) *abci.ResponseCheckTx {
	h.t.Helper()
	r, err := h.a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: b, Type: abci.CheckTxType_New})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func (h *harness) account(a tx.Address) *Account {
	h.t.Helper()
	acc, err := getAccount(dbView{h.db}, a)
	if err != nil {
		h.t.Fatal(err)
	}
	return acc
}

// sign signs msg for k with its committed account number and sequence.
func (h *harness) sign(k *tx.PrivKey, msg tx.Msg, factors ...tx.NamedSigner) []byte {
	h.t.Helper()
	acc := h.account(k.Address())
	if acc == nil {
		h.t.Fatalf("no account for %s", k.Address())
	}
	b, err := tx.Sign(k, testChain, acc.Number, acc.Sequence, 1, msg, factors...)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

func fundedGenesis(keys ...*tx.PrivKey) Genesis {
	g := Genesis{Params: DefaultParams()}
	for i, k := range keys {
		ga := GenesisAccount{Address: k.Address(), Balance: 1_000_000}
		if i == 0 {
			ga.Roles = []string{tx.RoleGenesis}
		}
		g.Accounts = append(g.Accounts, ga)
	}
	return g
}
