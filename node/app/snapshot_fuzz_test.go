package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

// FuzzOfferSnapshot: snapshot offers come from untrusted peers. Whatever the metadata, the offer
// never panics, and it is accepted only when its chunk list hashes to the snapshot's hash.
func FuzzOfferSnapshot(f *testing.F) {
	_, s, trusted, _ := snapshotSource(f)
	f.Add(s.Metadata, s.Hash, s.Chunks, s.Format)
	f.Add([]byte{0xa0}, s.Hash, uint32(0), uint32(1))
	f.Add(s.Metadata, []byte("not the hash"), s.Chunks, s.Format)
	f.Fuzz(func(t *testing.T, meta, hash []byte, chunks, format uint32) {
		b, err := New(dbm.NewMemDB(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		o, err := b.OfferSnapshot(context.Background(), &abci.RequestOfferSnapshot{
			Snapshot: &abci.Snapshot{Height: s.Height, Format: format, Chunks: chunks, Hash: hash, Metadata: meta}, AppHash: trusted})
		if err != nil {
			t.Fatalf("offer returned an error instead of a result: %v", err)
		}
		if o.Result != abci.ResponseOfferSnapshot_ACCEPT {
			return
		}
		var m snapshotMeta
		if tx.Unmarshal(meta, &m) != nil || len(m.ChunkHashes) != int(chunks) || chunks == 0 {
			t.Fatal("accepted metadata that does not list its chunks")
		}
		lh := sha256.New()
		for _, h := range m.ChunkHashes {
			lh.Write(h)
		}
		if !bytes.Equal(lh.Sum(nil), hash) {
			t.Fatal("accepted a chunk list that does not hash to the snapshot's hash")
		}
	})
}

// FuzzApplySnapshotChunk: a peer controls a snapshot's metadata and its chunk (here one chunk whose
// hash the metadata lists, so the chunk reaches the decoder and the state). Restoring never panics,
// never errors, and never ends with a state other than the one the trusted app hash commits to.
func FuzzApplySnapshotChunk(f *testing.F) {
	src, s, trusted, _ := snapshotSource(f)
	ctx := context.Background()
	for i := uint32(0); i < s.Chunks; i++ {
		c, _ := src.a.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{Height: s.Height, Format: s.Format, Chunk: i})
		f.Add(c.Chunk, int64(0))
		f.Add(bytes.Replace(c.Chunk, []byte{0x18, 0x37}, []byte{0x18, 0x38}, 1), int64(0))
	}
	f.Add([]byte{0x80}, int64(1))
	f.Add([]byte{0x81, 0x82, 0x40, 0x40}, int64(-1))
	f.Fuzz(func(t *testing.T, chunk []byte, when int64) {
		h := sha256.Sum256(chunk)
		meta, err := tx.Marshal(snapshotMeta{ChunkHashes: [][]byte{h[:]}, Time: when})
		if err != nil {
			t.Skip()
		}
		list := sha256.Sum256(h[:])
		b, err := New(dbm.NewMemDB(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		o, _ := b.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{
			Snapshot: &abci.Snapshot{Height: s.Height, Format: snapshotFormat, Chunks: 1, Hash: list[:], Metadata: meta}, AppHash: trusted})
		if o.Result != abci.ResponseOfferSnapshot_ACCEPT {
			t.Fatalf("offer of well-formed metadata: %v", o.Result)
		}
		r, err := b.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: 0, Chunk: chunk, Sender: "peer"})
		if err != nil {
			t.Fatalf("apply returned an error instead of a result: %v", err)
		}
		info, _ := b.Info(ctx, &abci.RequestInfo{})
		if r.Result == abci.ResponseApplySnapshotChunk_ACCEPT {
			if info.LastBlockHeight != int64(s.Height) || !bytes.Equal(info.LastBlockAppHash, trusted) {
				t.Fatalf("restored height %d hash %X, want %d %X", info.LastBlockHeight, info.LastBlockAppHash, s.Height, trusted)
			}
		} else if info.LastBlockHeight != 0 {
			t.Fatalf("a refused snapshot left height %d", info.LastBlockHeight)
		}
	})
}
