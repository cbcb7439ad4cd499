package zk

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Revocation uses a sparse Merkle tree of depth RevocationDepth over Poseidon2 compression. Slot i
// (the credential's RevocationIndex) holds 0 while the credential is valid and 1 once revoked. An
// internal node is Compress(left, right); the path to slot i takes the left child at level k when
// bit k of i is 0 (leaf level is k = 0). The empty subtree of height k hashes to emptyHash[k].
var emptyHash = func() [RevocationDepth + 1]fr.Element {
	var e [RevocationDepth + 1]fr.Element
	for k := 1; k <= RevocationDepth; k++ {
		e[k] = compress(e[k-1], e[k-1])
	}
	return e
}()

// revokedLeaf is the value of a revoked slot.
var revokedLeaf = u64(1)

// EmptyRevocationRoot is the root of a tree in which nothing is revoked.
func EmptyRevocationRoot() Scalar { return scalarOf(emptyHash[RevocationDepth]) }

// RevocationPath is a Merkle path for one slot: with Leaf it recomputes the root. With Leaf = 0 it is
// the holder's proof of non-revocation.
type RevocationPath struct {
	Index    uint32                  `json:"index"`
	Leaf     Scalar                  `json:"leaf"`     // 0: valid, 1: revoked
	Siblings [RevocationDepth]Scalar `json:"siblings"` // leaf level first
}

// Root recomputes the root the path leads to.
func (p *RevocationPath) Root() (Scalar, error) {
	leaf, err := p.Leaf.element()
	if err != nil {
		return Scalar{}, err
	}
	r, err := p.rootWith(leaf)
	return scalarOf(r), err
}

func (p *RevocationPath) rootWith(leaf fr.Element) (fr.Element, error) {
	node := leaf
	for k, s := range p.Siblings {
		sib, err := s.element()
		if err != nil {
			return fr.Element{}, err
		}
		if p.Index>>k&1 == 0 {
			node = compress(node, sib)
		} else {
			node = compress(sib, node)
		}
	}
	return node, nil
}

// RevocationUpdate is the proof that publishing NewRoot revoked exactly slot Index of OldRoot: the
// same siblings lead from leaf 0 to OldRoot and from leaf 1 to NewRoot.
type RevocationUpdate struct {
	Index    uint32                  `json:"index"`
	OldRoot  Scalar                  `json:"old_root"`
	NewRoot  Scalar                  `json:"new_root"`
	Siblings [RevocationDepth]Scalar `json:"siblings"`
}

// Verify checks the update: anyone holding OldRoot can confirm that NewRoot differs only in slot Index.
func (u *RevocationUpdate) Verify() error {
	p := RevocationPath{Index: u.Index, Siblings: u.Siblings}
	before, err := p.rootWith(fr.Element{})
	if err != nil {
		return err
	}
	after, err := p.rootWith(revokedLeaf)
	if err != nil {
		return err
	}
	if scalarOf(before) != u.OldRoot || scalarOf(after) != u.NewRoot {
		return fmt.Errorf("%w: revocation update does not connect the two roots", ErrMalformed)
	}
	return nil
}

// RevocationTree is the issuer's sparse Merkle tree of revoked slots. It stores only non-empty
// nodes. Safe for concurrent use.
type RevocationTree struct {
	mu    sync.RWMutex
	nodes map[nodeID]fr.Element // non-empty nodes; level 0 are leaves
	next  uint32                // next unassigned slot
}

type nodeID struct {
	level int
	index uint64
}

// NewRevocationTree returns an empty tree.
func NewRevocationTree() *RevocationTree { return &RevocationTree{nodes: map[nodeID]fr.Element{}} }

// Allocate returns a fresh slot for a new credential's RevocationIndex.
func (t *RevocationTree) Allocate() (uint32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.next == MaxRangeValue {
		return 0, ErrRevocationIndex
	}
	i := t.next
	t.next++
	return i, nil
}

func (t *RevocationTree) node(level int, index uint64) fr.Element {
	if v, ok := t.nodes[nodeID{level, index}]; ok {
		return v
	}
	return emptyHash[level]
}

// Root returns the current root, the value the issuer publishes.
func (t *RevocationTree) Root() Scalar {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return scalarOf(t.node(RevocationDepth, 0))
}

// Revoked reports whether slot index is revoked.
func (t *RevocationTree) Revoked(index uint32) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	v := t.node(0, uint64(index))
	return v.Equal(&revokedLeaf)
}

// Path returns the Merkle path of slot index against the current root.
func (t *RevocationTree) Path(index uint32) RevocationPath {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.path(index)
}

func (t *RevocationTree) path(index uint32) RevocationPath {
	p := RevocationPath{Index: index, Leaf: scalarOf(t.node(0, uint64(index)))}
	for k := range RevocationDepth {
		p.Siblings[k] = scalarOf(t.node(k, uint64(index)>>k^1))
	}
	return p
}

// Revoke marks slot index revoked and returns the update proof. Revoking twice is an error.
func (t *RevocationTree) Revoke(index uint32) (*RevocationUpdate, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v := t.node(0, uint64(index)); v.Equal(&revokedLeaf) {
		return nil, fmt.Errorf("%w: slot %d already revoked", ErrRevocationIndex, index)
	}
	if t.nodes == nil { // a zero RevocationTree is an empty tree
		t.nodes = map[nodeID]fr.Element{}
	}
	p := t.path(index)
	u := &RevocationUpdate{Index: index, OldRoot: scalarOf(t.node(RevocationDepth, 0)), Siblings: p.Siblings}
	node := revokedLeaf
	t.nodes[nodeID{0, uint64(index)}] = node
	for k := range RevocationDepth {
		sib := t.node(k, uint64(index)>>k^1)
		if index>>k&1 == 0 {
			node = compress(node, sib)
		} else {
			node = compress(sib, node)
		}
		t.nodes[nodeID{k + 1, uint64(index) >> (k + 1)}] = node
	}
	u.NewRoot = scalarOf(node)
	return u, nil
}

// revocationRegistry is the JSON form of a tree: the next free slot and the revoked slots, sorted.
// The nodes are recomputed on load.
type revocationRegistry struct {
	Next    uint32   `json:"next"`
	Revoked []uint32 `json:"revoked"`
}

// MarshalJSON encodes the tree as its next free slot and sorted revoked slots.
func (t *RevocationTree) MarshalJSON() ([]byte, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	reg := revocationRegistry{Next: t.next, Revoked: []uint32{}}
	for id, v := range t.nodes {
		if id.level == 0 && v.Equal(&revokedLeaf) {
			reg.Revoked = append(reg.Revoked, uint32(id.index))
		}
	}
	slices.Sort(reg.Revoked) // map order must not leak into the encoding
	return json.Marshal(reg)
}

// UnmarshalJSON rebuilds a tree encoded by MarshalJSON.
func (t *RevocationTree) UnmarshalJSON(b []byte) error {
	var reg revocationRegistry
	if err := strictUnmarshal(b, &reg); err != nil {
		return err
	}
	nt := NewRevocationTree()
	for _, i := range reg.Revoked {
		if _, err := nt.Revoke(i); err != nil {
			return fmt.Errorf("%w: revocation registry: %v", ErrMalformed, err)
		}
	}
	nt.next = reg.Next
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nodes, t.next = nt.nodes, nt.next
	return nil
}
