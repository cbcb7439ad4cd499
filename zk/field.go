package zk

import (
	"crypto/sha256"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
)

// Domain-separation tags: the first element absorbed by each hash, so a digest of one kind can never
// be taken for another. Each is the integer value of its ASCII name.
var (
	tagCommit    = tagElement("virtengine/zk/credential-v1/commit")
	tagHolder    = tagElement("virtengine/zk/holder")
	tagNullifier = tagElement("virtengine/zk/nullifier")
	tagAudience  = "virtengine/zk/audience\x00"
)

// tagElement maps a short ASCII tag to a field element (big-endian, reduced mod r).
func tagElement(s string) fr.Element {
	var e fr.Element
	e.SetBigInt(new(big.Int).SetBytes([]byte(s)))
	return e
}

// perm is the Poseidon2 permutation for BN254 with width 2 (rF = 6, rP = 50), the same one the
// circuit uses through std/permutation/poseidon2. Its Permutation method is stateless.
var perm = poseidon2.NewDefaultPermutation()

// compress is the Poseidon2 2-to-1 compression (feed-forward of the right input), identical to
// gnark's in-circuit Permutation.Compress.
func compress(left, right fr.Element) fr.Element {
	x := [2]fr.Element{left, right}
	if err := perm.Permutation(x[:]); err != nil {
		panic(err) // width is fixed at 2: unreachable
	}
	x[1].Add(&x[1], &right)
	return x[1]
}

// hashElements is the Merkle–Damgård Poseidon2 hash with a zero IV over field elements, identical to
// gnark's std/hash/poseidon2 and gnark-crypto's NewMerkleDamgardHasher on 32-byte big-endian blocks.
// Inputs always have a fixed arity per use and start with a domain tag, so no length padding is needed.
func hashElements(elems ...fr.Element) fr.Element {
	var state fr.Element
	for _, e := range elems {
		state = compress(state, e)
	}
	return state
}

// audienceElement maps an audience string (an origin, a DID, a client id) to a field element:
// SHA-256(tag || audience) reduced mod r.
func audienceElement(audience string) fr.Element {
	h := sha256.Sum256([]byte(tagAudience + audience))
	var e fr.Element
	e.SetBigInt(new(big.Int).SetBytes(h[:]))
	return e
}

func u64(v uint64) fr.Element {
	var e fr.Element
	e.SetUint64(v)
	return e
}

func bigOf(e fr.Element) *big.Int {
	var b big.Int
	e.BigInt(&b)
	return &b
}
