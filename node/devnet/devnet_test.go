package devnet

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	rpclocal "github.com/cometbft/cometbft/rpc/client/local"

	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/tx"
)

// testNet creates and starts an n-validator devnet with free ports and fast blocks.
func testNet(t *testing.T, n int, o StartOptions) *Network {
	t.Helper()
	dir, err := os.MkdirTemp("", "devnet-test-")
	if err != nil {
		t.Fatal(err)
	}
	nw, err := Create(dir, Config{Validators: n, RandomPorts: true, TimeoutCommit: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); nw.Stop(); os.RemoveAll(dir) })
	if err := nw.Start(ctx, o); err != nil {
		t.Fatal(err)
	}
	return nw
}

func clientFor(t *testing.T, ctx context.Context, nw *Network, i int) *client.Client {
	t.Helper()
	var c *client.Client
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err = client.New(ctx, rpclocal.New(nw.Node(i).Comet())); err == nil {
			if err = c.WaitHeight(ctx, 2); err == nil {
				return c
			}
		}
	}
	t.Fatalf("node %d not ready: %v", i, err)
	return nil
}

func faucet(t testing.TB, nw *Network) *tx.PrivKey {
	t.Helper()
	kr, err := nw.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	k, _, err := kr.Get(FaucetKeyName)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// appHashesAgree waits until every node has committed height h and checks their app hashes at h.
func appHashesAgree(t *testing.T, ctx context.Context, nw *Network, h int64) {
	t.Helper()
	var first []byte
	for i := range nw.Nodes {
		c := rpclocal.New(nw.Node(i).Comet())
		for {
			st, err := c.Status(ctx)
			if err == nil && st.SyncInfo.LatestBlockHeight > h {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("node %d did not reach height %d", i, h+1)
			case <-time.After(50 * time.Millisecond):
			}
		}
		hh := h + 1 // the header at h+1 carries the app hash after executing h
		b, err := c.Block(ctx, &hh)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b.Block.AppHash
		} else if !bytes.Equal(first, b.Block.AppHash) {
			t.Fatalf("app hash at %d differs: node0 %X, node%d %X", h, first, i, b.Block.AppHash)
		}
	}
}

func TestSingleValidatorTransfer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	nw := testNet(t, 1, StartOptions{Logger: testLogger(t)})
	c := clientFor(t, ctx, nw, 0)
	f := faucet(t, nw)
	bob, _ := tx.GenerateKey(tx.Secp256k1)
	res, err := c.Submit(ctx, f, &tx.MsgSend{To: bob.Address(), Amount: 500})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := c.Account(ctx, bob.Address())
	if err != nil {
		t.Fatal(err)
	}
	if acc.Balance != 500 {
		t.Fatalf("bob has %d, want 500 (tx at %d)", acc.Balance, res.Height)
	}
	// bob (secp256k1) pays back.
	if _, err := c.Submit(ctx, bob, &tx.MsgSend{To: f.Address(), Amount: 100}); err != nil {
		t.Fatal(err)
	}
	acc, _ = c.Account(ctx, bob.Address())
	if acc.Balance != 500-100-c.Fee || acc.Sequence != 1 {
		t.Fatalf("bob: balance %d seq %d", acc.Balance, acc.Sequence)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(b, "\n")))
	return len(b), nil
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
