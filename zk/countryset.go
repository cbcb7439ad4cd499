package zk

import (
	"fmt"
	"slices"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// A large country set (the Merkle-root mode of the country statement, CIRCUITS.md §3.3) is the
// 4-ary Merkle tree of CountryTreeLevels levels whose 256 leaves are the set's ISO 3166-1 numeric
// codes in increasing order, the last code repeated up to leaf 255. The tree is a function of the
// set alone, so a relying party and a wallet compute the same root from the same list. The circuit
// proves that the credential's country is a leaf under the public root, at a private position.

// CountryTree is the Merkle tree of a country set. Build it with NewCountryTree.
type CountryTree struct {
	codes  []uint16                            // sorted, distinct
	levels [CountryTreeLevels + 1][]fr.Element // levels[0] are the 256 leaves, levels[CountryTreeLevels][0] the root
}

// CountryPath proves that a country is in a set: its leaf position and the siblings of each level,
// leaf level first. The country itself is not part of the path: in a presentation it stays private.
type CountryPath struct {
	Position uint8                       `json:"position"`
	Siblings [CountryTreeLevels]Siblings `json:"siblings"`
}

// NewCountryTree builds the tree of a set of 1 to MaxCountryTreeSet ISO 3166-1 numeric codes
// (1–999). Order and repetitions in codes do not matter.
func NewCountryTree(codes []uint16) (*CountryTree, error) {
	set, err := canonicalCountrySet(codes)
	if err != nil {
		return nil, err
	}
	t := &CountryTree{codes: set}
	leaves := make([]fr.Element, MaxCountryTreeSet)
	for i := range leaves {
		leaves[i] = u64(uint64(set[min(i, len(set)-1)]))
	}
	t.levels[0] = leaves
	for k := 1; k <= CountryTreeLevels; k++ {
		below := t.levels[k-1]
		lv := make([]fr.Element, len(below)/nodeArity)
		for j := range lv {
			lv[j] = node4([nodeArity]fr.Element(below[nodeArity*j : nodeArity*(j+1)]))
		}
		t.levels[k] = lv
	}
	return t, nil
}

// canonicalCountrySet checks the codes and returns them sorted and distinct.
func canonicalCountrySet(codes []uint16) ([]uint16, error) {
	if len(codes) == 0 {
		return nil, fieldErr(ErrInvalidRequest, "country_set", "empty country set")
	}
	for _, c := range codes {
		if c == 0 || c > MaxCountryCode {
			return nil, fieldErr(ErrInvalidRequest, "country_set", "code %d is not an ISO 3166-1 numeric code", c)
		}
	}
	set := slices.Compact(slices.Sorted(slices.Values(codes)))
	if len(set) > MaxCountryTreeSet {
		return nil, fieldErr(ErrInvalidRequest, "country_set", "%d countries, at most %d", len(set), MaxCountryTreeSet)
	}
	return set, nil
}

// CountrySetRoot returns the Merkle root of a country set (what the circuit's country_root public
// input holds when a request lists a country_set).
func CountrySetRoot(codes []uint16) (Scalar, error) {
	t, err := NewCountryTree(codes)
	if err != nil {
		return Scalar{}, err
	}
	return t.Root(), nil
}

// Root returns the tree's root.
func (t *CountryTree) Root() Scalar { return scalarOf(t.root()) }

func (t *CountryTree) root() fr.Element { return t.levels[CountryTreeLevels][0] }

// Codes returns the set, sorted and distinct.
func (t *CountryTree) Codes() []uint16 { return slices.Clone(t.codes) }

// Contains reports whether code is in the set.
func (t *CountryTree) Contains(code uint16) bool {
	_, ok := slices.BinarySearch(t.codes, code)
	return ok
}

// Path returns the membership path of code, or an *UnsatisfiedError when code is not in the set.
func (t *CountryTree) Path(code uint16) (*CountryPath, error) {
	i, ok := slices.BinarySearch(t.codes, code)
	if !ok {
		return nil, unsat("country_set", "country %d is not in the requested set", code)
	}
	p := &CountryPath{Position: uint8(i)}
	j := i
	for k := range CountryTreeLevels {
		children := [nodeArity]fr.Element(t.levels[k][j&^3 : j&^3+nodeArity])
		p.Siblings[k] = siblingScalars(siblingsOf(&children, uint(j&3)))
		j >>= 2
	}
	return p, nil
}

// Root recomputes the root that the path leads to from the country's leaf.
func (p *CountryPath) Root(country uint16) (Scalar, error) {
	r, err := p.root(u64(uint64(country)))
	return scalarOf(r), err
}

func (p *CountryPath) root(leaf fr.Element) (fr.Element, error) {
	node := leaf
	for k := range p.Siblings {
		sib, err := p.Siblings[k].elements()
		if err != nil {
			return fr.Element{}, fmt.Errorf("country path level %d: %w", k, err)
		}
		node = merkleStep(node, uint(p.Position>>(2*k))&3, &sib)
	}
	return node, nil
}
