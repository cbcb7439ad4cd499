package devnet

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	rpclocal "github.com/cometbft/cometbft/rpc/client/local"

	"github.com/virtengine/sdk/node"
	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/tx"
)

// A fresh full node joins a running network by state sync: it restores a snapshot (verified against
// the app hash the light client trusts), then follows the chain with the same app hash.
func TestStateSyncJoin(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "statesync-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	nw, err := Create(dir, Config{Validators: 2, RandomPorts: true, TimeoutCommit: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i := range nw.Nodes {
		nd, err := node.Start(ctx, nw.Nodes[i].Home, node.Options{Logger: discard(), PersistentPeers: nw.Peers(i), SnapshotInterval: 20, NoAPI: true})
		if err != nil {
			t.Fatal(err)
		}
		defer nd.Stop()
		nw.running = append(nw.running, nd)
	}
	c := clientFor(t, ctx, nw, 0)
	f := faucet(t, nw)
	bob, _ := tx.GenerateKey(tx.Ed25519)
	if _, err := c.Submit(ctx, f, &tx.MsgSend{To: bob.Address(), Amount: 31}); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHeight(ctx, 22); err != nil {
		t.Fatal(err)
	}
	trust := int64(2)
	blk, err := c.RPC.Block(ctx, &trust)
	if err != nil {
		t.Fatal(err)
	}

	home := filepath.Join(dir, "joiner")
	p2p, _ := pickAddr(0, 0, Config{RandomPorts: true}, map[string]bool{})
	rpc, _ := pickAddr(0, 0, Config{RandomPorts: true}, map[string]bool{})
	if _, err := node.Init(home, node.InitOptions{ChainID: nw.ChainID, Moniker: "joiner", RPCAddr: "tcp://" + rpc, P2PAddr: "tcp://" + p2p, SkipGenesis: true}); err != nil {
		t.Fatal(err)
	}
	g, _ := os.ReadFile(filepath.Join(nw.Nodes[0].Home, "config", "genesis.json"))
	os.WriteFile(filepath.Join(home, "config", "genesis.json"), g, 0o600)
	j, err := node.Start(ctx, home, node.Options{Logger: discard(), PersistentPeers: nw.Peers(-1), NoAPI: true,
		StateSync: &node.StateSync{RPCServers: []string{nw.Nodes[0].RPC, nw.Nodes[1].RPC}, TrustHeight: trust, TrustHash: hex.EncodeToString(blk.BlockID.Hash), DiscoveryTime: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Stop()
	jc := &client.Client{RPC: rpclocal.New(j.Comet())}
	h, _ := c.Height(ctx)
	if err := jc.WaitHeight(ctx, h+2); err != nil {
		t.Fatalf("joiner did not catch up: %v", err)
	}
	// It restored a snapshot rather than replaying from genesis: its block store starts later.
	if base := j.Comet().BlockStore().Base(); base <= 1 {
		t.Fatalf("joiner's block store starts at %d: it replayed instead of state-syncing", base)
	}
	hh := h + 1
	b0, _ := c.RPC.Block(ctx, &hh)
	b1, err := jc.RPC.Block(ctx, &hh)
	if err != nil || !bytes.Equal(b0.Block.AppHash, b1.Block.AppHash) {
		t.Fatalf("app hash at %d differs after state sync: %v", h, err)
	}
	jcl, err := client.New(ctx, jc.RPC)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := jcl.Account(ctx, bob.Address())
	if err != nil || acc.Balance != 31 {
		t.Fatalf("restored state lacks bob: %+v %v", acc, err)
	}
}
