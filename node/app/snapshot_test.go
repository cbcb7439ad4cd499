package app

import (
	"bytes"
	"context"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

// snapshotSource runs blocks until a snapshot exists and returns it with the app hash at its height.
func snapshotSource(t testing.TB) (*harness, *abci.Snapshot, []byte, *tx.PrivKey) {
	t.Helper()
	alice, bob := key(t, tx.Ed25519, 1), key(t, tx.Ed25519, 2)
	h := newHarness(t, dbm.NewMemDB(), fundedGenesis(alice), Options{SnapshotInterval: 3})
	h.block()
	h.block(h.sign(alice, &tx.MsgSend{To: bob.Address(), Amount: 55}))
	h.block()
	hash := h.a.AppHash()
	ls, _ := h.a.ListSnapshots(context.Background(), &abci.RequestListSnapshots{})
	if len(ls.Snapshots) != 1 || ls.Snapshots[0].Height != 3 {
		t.Fatalf("snapshots %+v", ls.Snapshots)
	}
	return h, ls.Snapshots[0], hash, bob
}

func restoreInto(t *testing.T, src *harness, s *abci.Snapshot, trusted []byte, tamper bool) (*App, abci.ResponseApplySnapshotChunk_Result) {
	t.Helper()
	ctx := context.Background()
	b, _ := New(dbm.NewMemDB(), Options{})
	o, _ := b.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: s, AppHash: trusted})
	if o.Result != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v", o.Result)
	}
	var last abci.ResponseApplySnapshotChunk_Result
	for i := uint32(0); i < s.Chunks; i++ {
		c, _ := src.a.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{Height: s.Height, Format: s.Format, Chunk: i})
		chunk := c.Chunk
		if tamper {
			chunk = bytes.Replace(chunk, []byte{0x18, 0x37}, []byte{0x18, 0x38}, 1) // balance 55 → 56
		}
		r, _ := b.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: i, Chunk: chunk, Sender: "peer"})
		last = r.Result
		if last != abci.ResponseApplySnapshotChunk_ACCEPT {
			return b, last
		}
	}
	return b, last
}

func TestStateSyncRestore(t *testing.T) {
	src, s, hash, bob := snapshotSource(t)
	b, res := restoreInto(t, src, s, hash, false)
	if res != abci.ResponseApplySnapshotChunk_ACCEPT {
		t.Fatalf("restore: %v", res)
	}
	info, _ := b.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 3 || !bytes.Equal(info.LastBlockAppHash, hash) {
		t.Fatalf("restored %d %X, want 3 %X", info.LastBlockHeight, info.LastBlockAppHash, hash)
	}
	acc, _ := getAccount(dbView{b.db}, bob.Address())
	if acc == nil || acc.Balance != 55 {
		t.Fatalf("bob after restore: %+v", acc)
	}
	// The restored node continues in step with the source.
	r1, _ := src.a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 4, Time: src.now.Add(1e9)})
	r2, _ := b.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 4, Time: src.now.Add(1e9)})
	if !bytes.Equal(r1.AppHash, r2.AppHash) {
		t.Fatal("restored node diverges at the next block")
	}
}

// Reject twins: a chunk altered in flight fails its hash; a snapshot whose state does not produce the
// trusted app hash is rejected after the last chunk.
func TestStateSyncRejects(t *testing.T) {
	src, s, hash, _ := snapshotSource(t)
	if _, res := restoreInto(t, src, s, hash, true); res != abci.ResponseApplySnapshotChunk_RETRY {
		t.Fatalf("tampered chunk: %v", res)
	}
	wrong := append([]byte(nil), hash...)
	wrong[0] ^= 1
	if _, res := restoreInto(t, src, s, wrong, false); res != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
		t.Fatalf("wrong trusted hash: %v", res)
	}
}
