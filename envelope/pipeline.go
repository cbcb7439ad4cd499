package envelope

import (
	"crypto/cipher"
	"crypto/sha256"
	"runtime"
	"sync"
)

// Chunks are sealed, opened and hashed in parallel, one goroutine per chunk, with at most
// inFlight() chunks outstanding; results are consumed strictly in order, so the output and the
// digest do not depend on scheduling. Memory: inFlight() × 64 KiB buffers.

func inFlight() int {
	return min(max(2*runtime.GOMAXPROCS(0), 2), maxParallelChunks)
}

// job is one chunk in flight. buf holds the plaintext and, after sealing in place, the sealed chunk
// (or the reverse when opening).
type job struct {
	buf     []byte // writer: plaintext, sealed in place; reader: plaintext
	raw     []byte // reader: the chunk as read and the lookahead after it (see Reader.next)
	rawFull []byte // reader: raw's backing array, large enough for any trailer
	out     []byte // result: sealed chunk (writer) or plaintext (reader)
	ct      []byte // reader: the sealed chunk, a prefix of raw
	counter uint64
	final   bool
	leaf    [32]byte
	err     error
	done    sync.WaitGroup
}

// Chunk buffers are pooled across envelopes: a small envelope would otherwise allocate and clear
// several 64 KiB buffers. Opening buffers hold plaintext and are cleared before they go back.
var (
	sealJobs = sync.Pool{New: func() any { return &job{buf: make([]byte, 0, chunkCTSize)} }}
	openJobs = sync.Pool{New: func() any {
		return &job{buf: make([]byte, 0, ChunkSize), rawFull: make([]byte, 0, chunkCTSize+maxTrailerSize+1)}
	}}
)

func getSealJob() *job {
	j := sealJobs.Get().(*job)
	j.buf = j.buf[:0]
	return j
}

// getOpenJob returns a job whose raw buffer holds exactly one chunk, a trailer of tl bytes and one
// more byte: Reader.fill relies on that capacity to tell the final chunk.
func getOpenJob(tl int) *job {
	j := openJobs.Get().(*job)
	j.raw = j.rawFull[: 0 : chunkCTSize+tl+1]
	return j
}

func putOpenJob(j *job) {
	clear(j.buf[:cap(j.buf)])
	*j = job{buf: j.buf[:0], rawFull: j.rawFull}
	openJobs.Put(j)
}

// seal encrypts buf in place and hashes the result.
func (j *job) seal(aead cipher.AEAD) {
	var nonce [12]byte
	chunkNonce(&nonce, j.counter, j.final)
	j.out = aead.Seal(j.buf[:0], nonce[:], j.buf, nil)
	j.leaf = sha256.Sum256(j.out)
}

// open hashes j.ct and decrypts it into j.buf.
func (j *job) open(aead cipher.AEAD, plain []byte) {
	var nonce [12]byte
	chunkNonce(&nonce, j.counter, j.final)
	j.leaf = sha256.Sum256(j.ct)
	j.out, j.err = aead.Open(plain[:0], nonce[:], j.ct, nil)
}

// digestLabel starts the payload digest (FORMAT.md §4).
const digestLabel = "virtengine/envelope/v1/payload-digest\x00"

// payloadDigest is SHA-256(digestLabel ‖ SHA-256(chunk 0) ‖ SHA-256(chunk 1) ‖ …) over the sealed
// chunks of a complete payload ciphertext: the per-chunk hashes can be computed in parallel.
func payloadDigest(payload []byte) []byte {
	d := newDigest()
	for len(payload) > 0 {
		n := min(len(payload), chunkCTSize)
		leaf := sha256.Sum256(payload[:n])
		d.add(leaf)
		payload = payload[n:]
	}
	return d.sum()
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
