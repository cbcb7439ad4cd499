package envelope

import (
	"crypto/cipher"
	"crypto/sha256"
	"runtime"
	"sync"
	"sync/atomic"

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
	p := runtime.GOMAXPROCS(0)
	if p == 1 {
		return 1 // nothing to overlap with: seal each batch while its data is still in cache
	}
	return min(p+1, maxBatchesInFlight)
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

	work    func(b *batch, lo, hi int)
	parts   int
	claimed atomic.Int32 // parts handed out so far
	done    sync.WaitGroup
}

// getBatch returns an empty batch. Batches are not pooled: a helper goroutine that started late
// may still look at its batch after the batch is finished.
func getBatch() *batch { return new(batch) }

// start has work done over the chunks of b in parts, contiguous ranges claimed one at a time by
// helper goroutines and by whoever waits for the batch (wait). A batch that other batches overlap
// with is one part, hashed 16 lanes at once; a batch that nothing else overlaps with (alone: the
// first, the last, or one the caller is about to wait for) is split across all the cores.
//
// The waiter helping keeps a loaded machine from costing more than the work: if the helpers are
// not scheduled in time, the waiting goroutine does their parts itself.
func (b *batch) start(alone bool, work func(b *batch, lo, hi int)) {
	b.work, b.parts = work, 1
	if alone {
		b.parts = min(runtime.GOMAXPROCS(0), b.n)
	}
	b.done.Add(b.parts)
	helpers := b.parts
	if alone && b.n == 1 {
		helpers = 0 // a small envelope: the caller waits at once and does it
	}
	for range helpers {
		go b.help()
	}
}

// help runs unclaimed parts of b until there are none.
func (b *batch) help() {
	for {
		p := int(b.claimed.Add(1) - 1)
		if p >= b.parts {
			return
		}
		b.work(b, b.n*p/b.parts, b.n*(p+1)/b.parts)
		b.done.Done()
	}
}

// wait returns once every part of b is done, doing the unclaimed ones itself.
func (b *batch) wait() {
	b.help()
	b.done.Wait()
}

// task is work that a helper goroutine or its waiter runs, whichever comes first.
type task struct {
	claimed atomic.Bool
	done    sync.WaitGroup
	run     func()
}

func startTask(run func()) *task {
	t := &task{run: run}
	t.done.Add(1)
	go t.help()
	return t
}

// doneTask is a task with nothing to do; whoever waits for it runs the nothing.
func doneTask() *task {
	t := &task{run: func() {}}
	t.done.Add(1)
	return t
}

func (t *task) help() {
	if t.claimed.CompareAndSwap(false, true) {
		t.run()
		t.done.Done()
	}
}

func (t *task) wait() {
	t.help()
	t.done.Wait()
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
