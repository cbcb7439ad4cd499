package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

// State sync (ABCI snapshots). Every SnapshotInterval blocks the application snapshots its whole
// committed state: entries in key order, cut into chunks of at most snapshotChunkBytes, each chunk
// canonical CBOR. The snapshot's metadata lists the SHA-256 of every chunk; its hash is the SHA-256
// of that list. A node restoring a snapshot checks each chunk against the list, then recomputes the
// state digest from the entries and accepts the snapshot only if appHashOf(height, digest) equals
// the app hash CometBFT's light client trusts at that height, so a peer cannot feed it another state.
const snapshotFormat = 1

type snapshotMeta struct {
	ChunkHashes [][]byte `cbor:"1,keyasint"`
	Time        int64    `cbor:"2,keyasint"` // block time (Unix ns) of the snapshot's height
}

type snapshot struct {
	abci   abci.Snapshot
	chunks [][]byte
}

type restore struct {
	height  int64
	appHash []byte
	meta    snapshotMeta
	next    uint32
	st      *cache
}

// takeSnapshot snapshots committed state at the current height.
func (a *App) takeSnapshot() error {
	it, err := a.db.Iterator(nil, nil)
	if err != nil {
		return err
	}
	defer it.Close()
	var chunks [][]byte
	var cur [][2][]byte
	size := 0
	flush := func() error {
		b, err := tx.Marshal(cur)
		if err != nil {
			return err
		}
		chunks = append(chunks, b)
		cur, size = nil, 0
		return nil
	}
	for ; it.Valid(); it.Next() {
		if isMeta(string(it.Key())) {
			continue
		}
		k, v := append([]byte(nil), it.Key()...), append([]byte(nil), it.Value()...)
		if size > 0 && size+len(k)+len(v) > snapshotChunkBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		cur = append(cur, [2][]byte{k, v})
		size += len(k) + len(v) + 8
	}
	if err := it.Error(); err != nil {
		return err
	}
	if len(cur) > 0 || len(chunks) == 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	meta := snapshotMeta{Time: a.lastTime.UnixNano()}
	lh := sha256.New()
	for _, c := range chunks {
		h := sha256.Sum256(c)
		meta.ChunkHashes = append(meta.ChunkHashes, h[:])
		lh.Write(h[:])
	}
	mb, err := tx.Marshal(meta)
	if err != nil {
		return err
	}
	s := &snapshot{abci: abci.Snapshot{Height: uint64(a.height), Format: snapshotFormat, Chunks: uint32(len(chunks)), Hash: lh.Sum(nil), Metadata: mb}, chunks: chunks}
	a.snaps = append(a.snaps, s)
	if len(a.snaps) > snapshotsKept {
		a.snaps = a.snaps[len(a.snaps)-snapshotsKept:]
	}
	return nil
}

// ListSnapshots offers the kept snapshots.
func (a *App) ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := &abci.ResponseListSnapshots{}
	for _, s := range a.snaps {
		sn := s.abci
		out.Snapshots = append(out.Snapshots, &sn)
	}
	return out, nil
}

// LoadSnapshotChunk serves one chunk.
func (a *App) LoadSnapshotChunk(_ context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.snaps {
		if s.abci.Height == req.Height && s.abci.Format == req.Format && int(req.Chunk) < len(s.chunks) {
			return &abci.ResponseLoadSnapshotChunk{Chunk: s.chunks[req.Chunk]}, nil
		}
	}
	return &abci.ResponseLoadSnapshotChunk{}, nil
}

// OfferSnapshot accepts a snapshot of a known format for an empty node.
func (a *App) OfferSnapshot(_ context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := req.Snapshot
	if s == nil || s.Format != snapshotFormat {
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT_FORMAT}, nil
	}
	if a.height != 0 {
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ABORT}, nil
	}
	var meta snapshotMeta
	if err := tx.Unmarshal(s.Metadata, &meta); err != nil || len(meta.ChunkHashes) != int(s.Chunks) || s.Chunks == 0 {
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT}, nil
	}
	lh := sha256.New()
	for _, h := range meta.ChunkHashes {
		lh.Write(h)
	}
	if !bytes.Equal(lh.Sum(nil), s.Hash) {
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT}, nil
	}
	a.restoring = &restore{height: int64(s.Height), appHash: append([]byte(nil), req.AppHash...), meta: meta, st: newCache(dbView{a.db})}
	return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ACCEPT}, nil
}

// ApplySnapshotChunk checks a chunk against the snapshot's list and, after the last one, verifies the
// whole state against the trusted app hash before committing it.
func (a *App) ApplySnapshotChunk(_ context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.restoring
	if r == nil {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ABORT}, nil
	}
	if req.Index != r.next || int(req.Index) >= len(r.meta.ChunkHashes) {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{r.next}}, nil
	}
	h := sha256.Sum256(req.Chunk)
	var pairs [][2][]byte
	if !bytes.Equal(h[:], r.meta.ChunkHashes[req.Index]) || tx.Unmarshal(req.Chunk, &pairs) != nil {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{req.Index}, RejectSenders: []string{req.Sender}}, nil
	}
	for _, p := range pairs {
		// A peer wrote this chunk: a key the store cannot hold, or one of the app's own metadata
		// keys, rejects the snapshot (an error here would abort the node's state sync altogether).
		if len(p[0]) == 0 || isMeta(string(p[0])) {
			a.restoring = nil
			return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT, RejectSenders: []string{req.Sender}}, nil
		}
		r.st.set(string(p[0]), p[1])
	}
	r.next++
	if int(r.next) < len(r.meta.ChunkHashes) {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
	}
	lt := &ltHash{}
	if err := applyWrites(lt, r.st); err != nil {
		a.restoring = nil
		a.log.Warn("state sync: snapshot state cannot be applied", "height", r.height, "err", err)
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
	}
	if !bytes.Equal(appHashOf(r.height, lt), r.appHash) {
		a.restoring = nil
		a.log.Warn("state sync: snapshot does not match the trusted app hash", "height", r.height)
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
	}
	bt := time.Unix(0, r.meta.Time).UTC()
	if err := commitBatch(a.db, r.st, r.height, r.appHash, bt, lt); err != nil {
		return nil, err
	}
	cid, _, err := (dbView{a.db}).get(keyChainID)
	if err != nil {
		return nil, err
	}
	a.height, a.appHash, a.lt, a.lastTime, a.chainID, a.restoring = r.height, r.appHash, lt, bt, string(cid), nil
	a.reset()
	a.log.Info("state sync: restored", "height", r.height)
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
}
