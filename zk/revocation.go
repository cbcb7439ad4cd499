package zk

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Revocation uses a sparse 4-ary Merkle tree of RevocationLevels levels over the Poseidon2 width-4
// node hash (merkle.go): 4^16 = 2^32 slots, the capacity of a binary tree of depth RevocationDepth.
// Slot i (the credential's RevocationIndex) holds 0 while the credential is valid and 1 once
// revoked. At level k (leaf level k = 0) the path to slot i goes through child number
// (i >> 2k) & 3 of its parent. The empty subtree of height k hashes to emptyHash[k].
var emptyHash = func() [RevocationLevels + 1]fr.Element {
	var e [RevocationLevels + 1]fr.Element
	for k := 1; k <= RevocationLevels; k++ {
		e[k] = node4([nodeArity]fr.Element{e[k-1], e[k-1], e[k-1], e[k-1]})
	}
	return e
}()

// revokedLeaf is the value of a revoked slot.
var revokedLeaf = u64(1)

// EmptyRevocationRoot is the root of a tree in which nothing is revoked.
func EmptyRevocationRoot() Scalar { return scalarOf(emptyHash[RevocationLevels]) }

// Siblings are the three other children of a node's parent, in position order.
type Siblings [nodeArity - 1]Scalar

// RevocationPath is a Merkle path for one slot: with Leaf it recomputes the root. With Leaf = 0 it is
// the holder's proof of non-revocation.
type RevocationPath struct {
	Index    uint32                     `json:"index"`
	Leaf     Scalar                     `json:"leaf"`     // 0: valid, 1: revoked
	Siblings [RevocationLevels]Siblings `json:"siblings"` // leaf level first
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
	for k := range p.Siblings {
		sib, err := p.Siblings[k].elements()
		if err != nil {
			return fr.Element{}, err
		}
		node = merkleStep(node, uint(p.Index>>(2*k))&3, &sib)
	}
	return node, nil
}

func (s *Siblings) elements() ([nodeArity - 1]fr.Element, error) {
	var out [nodeArity - 1]fr.Element
	for i := range s {
		e, err := s[i].element()
		if err != nil {
			return out, err
		}
		out[i] = e
	}
	return out, nil
}

func siblingScalars(s [nodeArity - 1]fr.Element) Siblings {
	var out Siblings
	for i := range s {
		out[i] = scalarOf(s[i])
	}
	return out
}

// RevocationUpdate is the proof that publishing NewRoot revoked exactly slot Index of OldRoot: the
// same siblings lead from leaf 0 to OldRoot and from leaf 1 to NewRoot.
type RevocationUpdate struct {
	Index    uint32                     `json:"index"`
	OldRoot  Scalar                     `json:"old_root"`
	NewRoot  Scalar                     `json:"new_root"`
	Siblings [RevocationLevels]Siblings `json:"siblings"`
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
	return scalarOf(t.node(RevocationLevels, 0))
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
	for k := range RevocationLevels {
		p.Siblings[k] = siblingScalars(t.siblings(k, uint64(index)>>(2*k)))
	}
	return p
}

// siblings returns the three siblings of node j at level k.
func (t *RevocationTree) siblings(k int, j uint64) [nodeArity - 1]fr.Element {
	var c [nodeArity]fr.Element
	for i := range c {
		c[i] = t.node(k, j&^3|uint64(i))
	}
	return siblingsOf(&c, uint(j&3))
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
	u := &RevocationUpdate{Index: index, OldRoot: scalarOf(t.node(RevocationLevels, 0)), Siblings: p.Siblings}
	node := revokedLeaf
	t.nodes[nodeID{0, uint64(index)}] = node
	for k := range RevocationLevels {
		j := uint64(index) >> (2 * k)
		sib := t.siblings(k, j)
		node = merkleStep(node, uint(j&3), &sib)
		t.nodes[nodeID{k + 1, j >> 2}] = node
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
