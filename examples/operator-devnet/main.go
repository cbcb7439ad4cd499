// Command operator-devnet shows an operator scripting a devnet: four validators on loopback in one
// process, a transfer through one node read back from another, each node's height and app hash,
// then a clean stop (also on Ctrl-C).
//
//	go run ./examples/operator-devnet [-validators 4] [-home DIR]
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	rpclocal "github.com/cometbft/cometbft/rpc/client/local"

	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/devnet"
	"github.com/virtengine/sdk/node/tx"
)

func main() {
	n := flag.Int("validators", 4, "number of validators")
	home := flag.String("home", "", "devnet directory (default: a temporary one)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	dir := *home
	if dir == "" {
		d, err := os.MkdirTemp("", "operator-devnet-")
		check(err)
		defer os.RemoveAll(d)
		dir = d
	}
	nw, err := devnet.Create(dir, devnet.Config{Validators: *n, RandomPorts: true, TimeoutCommit: 300 * time.Millisecond})
	check(err)
	check(nw.Start(ctx, devnet.StartOptions{}))
	defer nw.Stop()
	for i, nd := range nw.Nodes {
		fmt.Printf("%s  RPC %s  API http://%s\n", nd.Name, nw.Node(i).RPCAddr(), nw.Node(i).APIAddr())
	}

	first, err := client.New(ctx, rpclocal.New(nw.Node(0).Comet()))
	check(err)
	last, err := client.New(ctx, rpclocal.New(nw.Node(len(nw.Nodes)-1).Comet()))
	check(err)
	check(first.WaitHeight(ctx, 2))
	kr, err := nw.Keyring()
	check(err)
	faucet, _, err := kr.Get(devnet.FaucetKeyName)
	check(err)
	to, err := tx.GenerateKey(tx.Ed25519)
	check(err)
	res, err := first.Submit(ctx, faucet, &tx.MsgSend{To: to.Address(), Amount: 42})
	check(err)
	check(last.WaitHeight(ctx, res.Height+1))
	acc, err := last.Account(ctx, to.Address())
	check(err)
	fmt.Printf("transfer committed at height %d via node0; node%d sees balance %d\n", res.Height, len(nw.Nodes)-1, acc.Balance)

	h := res.Height
	for i := range nw.Nodes {
		c := rpclocal.New(nw.Node(i).Comet())
		cl := &client.Client{RPC: c}
		check(cl.WaitHeight(ctx, h+1))
		hh := h + 1
		b, err := c.Block(ctx, &hh)
		check(err)
		fmt.Printf("node%d: app hash after height %d = %s\n", i, h, hex.EncodeToString(b.Block.AppHash)[:16])
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
