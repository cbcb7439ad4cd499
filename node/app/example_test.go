package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/tx"
)

// Drive the application as CometBFT does: genesis, a block with one transfer, commit, query.
func Example() {
	alice, _ := tx.NewKeyFromSeed(tx.Ed25519, bytes.Repeat([]byte{1}, 32))
	bob, _ := tx.NewKeyFromSeed(tx.Ed25519, bytes.Repeat([]byte{2}, 32))
	a, _ := app.New(dbm.NewMemDB(), app.Options{})
	ctx := context.Background()

	g, _ := json.Marshal(app.Genesis{Params: app.DefaultParams(), Accounts: []app.GenesisAccount{{Address: alice.Address(), Balance: 1000}}})
	a.InitChain(ctx, &abci.RequestInitChain{ChainId: "example", InitialHeight: 1, AppStateBytes: g})

	send, _ := tx.Sign(alice, "example", 0, 0, 1, &tx.MsgSend{To: bob.Address(), Amount: 300})
	chk, _ := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: send})
	fmt.Println("check:", chk.Code)
	res, _ := a.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: 1, Time: time.Unix(1_800_000_000, 0), Txs: [][]byte{send}})
	a.Commit(ctx, &abci.RequestCommit{})
	fmt.Println("deliver:", res.TxResults[0].Code, "app hash bytes:", len(res.AppHash))

	q, _ := a.Query(ctx, &abci.RequestQuery{Path: "/account/" + bob.Address().String()})
	var acc app.Account
	json.Unmarshal(q.Value, &acc)
	fmt.Println("bob:", acc.Balance, acc.State)

	again, _ := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: send})
	fmt.Println("replay:", again.Code == app.CodeBadSequence)
	// Output:
	// check: 0
	// deliver: 0 app hash bytes: 32
	// bob: 300 active
	// replay: true
}
