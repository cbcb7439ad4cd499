package app

import (
	"crypto/sha256"
	"encoding/binary"

	"golang.org/x/crypto/sha3"
)

// ltHash is a homomorphic multiset hash of the state (LtHash, Bellare–Micciancio 1997; the
// parameters of Lewi et al., "Securing Update Propagation with Homomorphic Hashing", 2019: 1024
// lanes of 16 bits). Each entry contributes SHAKE-256("virtengine/state/v1" || len(k) || k || v)
// expanded to 2048 bytes; the digest of a state is the lane-wise sum mod 2^16 over its entries.
// Adding or removing an entry costs one expansion, so the digest follows each block's writes, and a
// node restored from a snapshot recomputes it from the entries alone (state sync verification).
type ltHash [ltLanes]uint16

const ltLanes = 1024

func ltExpand(k string, v []byte) *ltHash {
	h := sha3.NewShake256()
	h.Write([]byte("virtengine/state/v1"))
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(k)))
	h.Write(l[:])
	h.Write([]byte(k))
	h.Write(v)
	var buf [2 * ltLanes]byte
	h.Read(buf[:])
	var out ltHash
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(buf[2*i:])
	}
	return &out
}

func (t *ltHash) add(k string, v []byte) {
	e := ltExpand(k, v)
	for i := range t {
		t[i] += e[i]
	}
}

func (t *ltHash) sub(k string, v []byte) {
	e := ltExpand(k, v)
	for i := range t {
		t[i] -= e[i]
	}
}

func (t *ltHash) bytes() []byte {
	b := make([]byte, 2*ltLanes)
	for i, x := range t {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}

func ltFromBytes(b []byte) (*ltHash, bool) {
	var t ltHash
	if len(b) != 2*ltLanes {
		return &t, len(b) == 0
	}
	for i := range t {
		t[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return &t, true
}

// isMeta reports keys that are derived bookkeeping, not state: they stay out of the digest.
func isMeta(k string) bool { return len(k) > 0 && k[0] == 0 }

// appHashOf is the app hash committed at height: SHA-256("virtengine/apphash/v2" || height(8) ||
// SHA-256(lthash)). Every validator executing the same blocks holds the same state, hence the same
// hash; a node restored from a snapshot proves its state by recomputing it.
func appHashOf(height int64, t *ltHash) []byte {
	d := sha256.Sum256(t.bytes())
	h := sha256.New()
	h.Write([]byte("virtengine/apphash/v2"))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(height))
	h.Write(n[:])
	h.Write(d[:])
	return h.Sum(nil)
}

// applyWrites updates t with the writes of c, reading the previous values from c's parent.
func applyWrites(t *ltHash, c *cache) error {
	for _, k := range c.sortedKeys() {
		if isMeta(k) {
			continue
		}
		old, ok, err := c.parent.get(k)
		if err != nil {
			return err
		}
		if ok {
			t.sub(k, old)
		}
		if v := c.writes[k]; v != nil {
			t.add(k, v)
		}
	}
	return nil
}
