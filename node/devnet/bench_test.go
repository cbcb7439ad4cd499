package devnet

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpclocal "github.com/cometbft/cometbft/rpc/client/local"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/node"
	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/tx"
)

// benchTxs is the batch each throughput iteration commits (below the default mempool size, 5000).
const benchTxs = 3000

// startOne starts a one-validator devnet with CometBFT's default timeouts, running VirtEngine's app
// or, with ref set, CometBFT's kvstore example under the very same configuration.
func startOne(b *testing.B, ref bool) (*Network, func()) {
	b.Helper()
	dir, err := os.MkdirTemp("", "bench-")
	if err != nil {
		b.Fatal(err)
	}
	nw, err := Create(dir, Config{Validators: 1, RandomPorts: true})
	if err != nil {
		b.Fatal(err)
	}
	o := node.Options{NoAPI: true, Logger: slog.New(slog.DiscardHandler)}
	if ref {
		o.ReferenceApp = kvstore.NewInMemoryApplication()
	}
	ctx, cancel := context.WithCancel(context.Background())
	n, err := node.Start(ctx, nw.Nodes[0].Home, o)
	if err != nil {
		b.Fatal(err)
	}
	nw.running = append(nw.running, n)
	return nw, func() { cancel(); n.Stop(); os.RemoveAll(dir) }
}

// BenchmarkCommittedTxs measures committed transactions per second on one validator with default
// timeouts: simple signed transfers (VirtEngine) against CometBFT's kvstore example ("k=v" txs,
// no signatures) in the same run. TARGETS.md: VirtEngine ≥ 0.5 × kvstore.
func BenchmarkCommittedTxs(b *testing.B) {
	for _, ref := range []bool{true, false} {
		name := "virtengine-transfers"
		if ref {
			name = "kvstore-reference"
		}
		b.Run(name, func(b *testing.B) {
			nw, stop := startOne(b, ref)
			defer stop()
			lc := rpclocal.New(nw.Node(0).Comet())
			ctx := context.Background()
			for h := int64(0); h < 2; {
				st, err := lc.Status(ctx)
				if err == nil {
					h = st.SyncInfo.LatestBlockHeight
				}
				time.Sleep(50 * time.Millisecond)
			}
			var f *tx.PrivKey
			var to tx.Address
			if !ref {
				f = faucet(b, nw)
				k, _ := tx.GenerateKey(tx.Ed25519)
				to = k.Address()
			}
			total := 0.0
			seq := uint64(0)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				txs := make([][]byte, benchTxs)
				for j := range txs {
					if ref {
						txs[j] = []byte(fmt.Sprintf("k%d-%d=v", i, j))
					} else {
						txs[j], _ = tx.Sign(f, nw.ChainID, 0, seq, 1, &tx.MsgSend{To: to, Amount: 1})
						seq++
					}
				}
				st, _ := lc.Status(ctx)
				startH := st.SyncInfo.LatestBlockHeight
				b.StartTimer()
				start := time.Now()
				for _, t := range txs {
					r, err := lc.BroadcastTxSync(ctx, t)
					if err != nil || r.Code != 0 {
						b.Fatalf("broadcast: %v %+v", err, r)
					}
				}
				// Wait until the mempool is empty and every tx is in a committed block.
				for {
					n, err := lc.NumUnconfirmedTxs(ctx)
					if err == nil && n.Total == 0 {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				el := time.Since(start)
				b.StopTimer()
				committed := 0
				st, _ = lc.Status(ctx)
				for h := startH + 1; h <= st.SyncInfo.LatestBlockHeight; h++ {
					hh := h
					blk, err := lc.Block(ctx, &hh)
					if err == nil {
						committed += len(blk.Block.Txs)
					}
				}
				if committed < benchTxs {
					b.Fatalf("committed %d of %d", committed, benchTxs)
				}
				total += float64(benchTxs) / el.Seconds()
				b.StartTimer()
			}
			b.ReportMetric(total/float64(b.N), "tx/s")
		})
	}
}

// BenchmarkBlockTime4Validators measures the mean block interval of four validators on loopback with
// CometBFT's default timeouts, VirtEngine's app and CometBFT's kvstore side by side (TARGETS.md:
// ≤ 1.5 s), and, on VirtEngine's network, how many blocks an identity score takes to become final
// after the block holding its evidence (target ≤ 3).
func BenchmarkBlockTime4Validators(b *testing.B) {
	for _, ref := range []bool{true, false} {
		name := "virtengine"
		if ref {
			name = "kvstore-reference"
		}
		b.Run(name, func(b *testing.B) { blockTime4(b, ref) })
	}
}

func blockTime4(b *testing.B, ref bool) {
	dir, err := os.MkdirTemp("", "bench4-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	nw, err := Create(dir, Config{Validators: 4, RandomPorts: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := StartOptions{}
	if ref {
		o.Reference = func() abcitypes.Application { return kvstore.NewInMemoryApplication() }
	}
	if err := nw.Start(ctx, o); err != nil {
		b.Fatal(err)
	}
	defer nw.Stop()
	lc := rpclocal.New(nw.Node(0).Comet())
	waitH := func(h int64) time.Time {
		for {
			st, err := lc.Status(ctx)
			if err == nil && st.SyncInfo.LatestBlockHeight >= h {
				return time.Now()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	const blocks = 8
	waitH(3)
	b.ResetTimer()
	sum := 0.0
	for i := 0; i < b.N; i++ {
		st, _ := lc.Status(ctx)
		h := st.SyncInfo.LatestBlockHeight
		t0 := waitH(h + 1)
		t1 := waitH(h + 1 + blocks)
		sum += t1.Sub(t0).Seconds() / blocks
	}
	b.ReportMetric(sum/float64(b.N), "s/block")
	if ref {
		return
	}
	b.StopTimer()
	c, err := client.New(ctx, lc)
	if err != nil {
		b.Fatal(err)
	}
	f := faucet(b, nw)
	user, _ := tx.GenerateKey(tx.Ed25519)
	if _, err := c.Submit(ctx, f, &tx.MsgSend{To: user.Address(), Amount: 1000}); err != nil {
		b.Fatal(err)
	}
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	ev, _ := genuine(b)
	id, res, err := c.SubmitEvidenceBundle(ctx, user, sk, ev)
	if err != nil {
		b.Fatal(err)
	}
	r, err := c.WaitIdentity(ctx, id)
	if err != nil || r.Status != "final" {
		b.Fatalf("identity: %+v %v", r, err)
	}
	b.ReportMetric(float64(r.FinalAt-res.Height), "blocks-to-score")
}
