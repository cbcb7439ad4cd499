package envelope

import (
	"crypto/cipher"
	"crypto/sha256"
	"runtime"
	"sync"

	"github.com/virtengine/sdk/envelope/internal/sha256x"
)

// Chunks are sealed and opened in batches of up to batchChunks. A worker goroutine runs the AEAD
// over each chunk of its batch and hashes the sealed chunks together: sha256x hashes 16 chunks of
// equal length in the lanes of AVX-512 registers, about twice the throughput of SHA-256 one chunk at
// a time, and the per-chunk hashes of the payload digest (FORMAT.md §4) are independent by design.
// Batches are consumed strictly in order, so the output and the digest do not depend on scheduling.
//
// Memory: at most batchesInFlight() batches are outstanding plus the one being filled, each of at
// most batchChunks buffers of chunkBufSize bytes (about 5 MiB with two or more cores). A small
// envelope takes only the buffers its chunks need.

func batchesInFlight() int {
	return min(runtime.GOMAXPROCS(0)+1, maxBatchesInFlight)
}

// chunkBufSize holds one sealed chunk, the largest trailer and one byte: the reader reads that
// much to tell whether the chunk is the final one.
const chunkBufSize = chunkCTSize + maxTrailerSize + 1

type chunkBuf = [chunkBufSize]byte

// Chunk buffers are pooled across envelopes: a small envelope would otherwise allocate and clear
// 64 KiB buffers each time. A buffer that held plaintext is cleared before it goes back.
var chunkBufs = sync.Pool{New: func() any { return new(chunkBuf) }}

func getChunkBuf() *chunkBuf { return chunkBufs.Get().(*chunkBuf) }

// batch is up to batchChunks consecutive chunks sealed or opened by one or more workers.
type batch struct {
	bufs   [batchChunks]*chunkBuf
	data   [batchChunks][]byte // writer: plaintext, sealed in place; reader: the sealed chunk, then its plaintext
	src    [batchChunks][]byte // writer: the plaintext when it is sealed from the caller's slice instead of data
	raw    [batchChunks][]byte // reader: the chunk as read and the bytes after it (for diagnose)
	leaves [batchChunks][32]byte
	n      int               // chunks in use
	first  uint64            // counter of chunk 0, set when the batch starts
	final  bool              // writer: the last chunk is the envelope's final chunk
	lent   bool              // writer: some chunk is sealed from the caller's slice (src)
	ok     [batchChunks]bool // reader: the chunk opened
	pos    int               // reader: the next chunk to return
	done   sync.WaitGroup
}

var batches = sync.Pool{New: func() any { return new(batch) }}

func getBatch() *batch {
	b := batches.Get().(*batch)
	b.n, b.first, b.final, b.lent, b.pos, b.ok = 0, 0, false, false, 0, [batchChunks]bool{}
	return b
}

func putBatch(b *batch) {
	b.bufs, b.data, b.raw, b.src = [batchChunks]*chunkBuf{}, [batchChunks][]byte{}, [batchChunks][]byte{}, [batchChunks][]byte{}
	batches.Put(b)
}

// start runs work over the chunks of b on one or more goroutines, each taking a contiguous range;
// b.done is released when all have finished. A batch that other batches overlap with runs on one
// goroutine, which hashes up to 16 chunks at once; a batch that nothing else overlaps with (alone:
// the first, the last, or one the caller is about to wait for) is split across all the cores, and
// a one-chunk batch of that kind (a small envelope) runs on the caller's goroutine.
func (b *batch) start(alone bool, work func(b *batch, lo, hi int)) {
	parts := 1
	if alone {
		parts = min(runtime.GOMAXPROCS(0), b.n)
		if b.n == 1 {
			b.done.Add(1)
			work(b, 0, 1)
			b.done.Done()
			return
		}
	}
	b.done.Add(parts)
	for p := range parts {
		lo, hi := b.n*p/parts, b.n*(p+1)/parts
		go func() {
			defer b.done.Done()
			work(b, lo, hi)
		}()
	}
}

// sealer returns the work function that seals chunks lo..hi of a batch, in place or from src, and
// hashes them.
func sealer(aead cipher.AEAD) func(b *batch, lo, hi int) {
	return func(b *batch, lo, hi int) {
		var nonce [12]byte
		for i := lo; i < hi; i++ {
			chunkNonce(&nonce, b.first+uint64(i), b.final && i == b.n-1)
			if b.src[i] != nil {
				b.data[i] = aead.Seal(b.data[i][:0], nonce[:], b.src[i], nil)
				b.src[i] = nil // the caller's slice is not retained
			} else {
				b.data[i] = aead.Seal(b.data[i][:0], nonce[:], b.data[i], nil)
			}
		}
		sha256x.Sum256(b.leaves[lo:hi], b.data[lo:hi])
	}
}

// opener returns the work function that hashes chunks lo..hi of a batch (none is the final chunk)
// and opens them into fresh buffers, keeping the ciphertext of a chunk that fails for diagnose.
func opener(aead cipher.AEAD) func(b *batch, lo, hi int) {
	return func(b *batch, lo, hi int) {
		sha256x.Sum256(b.leaves[lo:hi], b.data[lo:hi])
		var nonce [12]byte
		spare := getChunkBuf()
		for i := lo; i < hi; i++ {
			chunkNonce(&nonce, b.first+uint64(i), false)
			pt, err := aead.Open(spare[:0:ChunkSize], nonce[:], b.data[i], nil)
			if err != nil {
				break // the reader stops at this chunk: the rest of the range is not needed
			}
			// The chunk's buffer now holds only ciphertext: it becomes the next spare.
			b.bufs[i], spare = spare, b.bufs[i]
			b.data[i], b.raw[i], b.ok[i] = pt, nil, true
		}
		chunkBufs.Put(spare)
	}
}

// digestLabel starts the payload digest (FORMAT.md §4).
const digestLabel = "virtengine/envelope/v1/payload-digest\x00"

// payloadDigest is SHA-256(digestLabel ‖ SHA-256(chunk 0) ‖ SHA-256(chunk 1) ‖ …) over the sealed
// chunks of a complete payload ciphertext.
func payloadDigest(payload []byte) []byte {
	d := newDigest()
	d.addChunks(payload)
	return d.sum()
}

// addChunks adds the sealed chunks of p, consecutive chunks of a payload starting at a chunk
// boundary (all of chunkCTSize bytes but maybe the last), hashing up to batchChunks at once.
func (d *digest) addChunks(p []byte) {
	var chunks [batchChunks][]byte
	var leaves [batchChunks][32]byte
	for len(p) > 0 {
		k := 0
		for ; k < batchChunks && len(p) > 0; k++ {
			n := min(len(p), chunkCTSize)
			chunks[k], p = p[:n], p[n:]
		}
		sha256x.Sum256(leaves[:k], chunks[:k])
		for i := range k {
			d.add(leaves[i])
		}
	}
}

type digest struct {
	h interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
}

func newDigest() *digest {
	h := sha256.New()
	h.Write([]byte(digestLabel))
	return &digest{h: h}
}

func (d *digest) add(leaf [32]byte) { d.h.Write(leaf[:]) }
func (d *digest) sum() []byte       { return d.h.Sum(nil) }
