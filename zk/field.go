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
	tagChallenge = tagElement("virtengine/zk/eddsa-challenge")
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

// Wide Poseidon2 permutations (HorizenLabs parameters shipped with gnark-crypto: 8 full rounds, 57
// partial) hash a fixed number of elements in ONE permutation, far fewer constraints than a chain of
// 2-to-1 compressions: width 12 for the commitment (11 inputs), width 8 for the EdDSA challenge (5).
const (
	commitWidth    = 12
	challengeWidth = 8
	wideFullRounds = 8
	widePartRounds = 57
)

var (
	permCommit    = poseidon2.NewPermutation(commitWidth, wideFullRounds, widePartRounds)
	permChallenge = poseidon2.NewPermutation(challengeWidth, wideFullRounds, widePartRounds)

	// the same parameters for the circuit (poseidon2_circuit.go)
	paramsCompress  = poseidon2.GetDefaultParameters()
	paramsNode      = poseidon2.NewParameters(nodeArity, nodeFullRounds, nodePartRounds)
	paramsChallenge = poseidon2.NewParameters(challengeWidth, wideFullRounds, widePartRounds)
	paramsCommit    = poseidon2.NewParameters(commitWidth, wideFullRounds, widePartRounds)
)

// wideHash is a one-block sponge: state = [tag, x1, …, xn, 0, …] (n ≤ width−1), permute, output
// state[1]. The tag sits in the first lane as a domain separator; inputs always have a fixed arity.
func wideHash(p *poseidon2.Permutation, width int, tag fr.Element, xs ...fr.Element) fr.Element {
	if len(xs) > width-1 {
		panic("zk: too many inputs for one permutation") // fixed arities: unreachable
	}
	state := make([]fr.Element, width)
	state[0] = tag
	copy(state[1:], xs)
	if err := p.Permutation(state); err != nil {
		panic(err)
	}
	return state[1]
}

// challengeHasher is the EdDSA challenge hash H(R.x, R.y, A.x, A.y, M) as a hash.Hash over 32-byte
// big-endian field elements (the form gnark-crypto's eddsa writes): wideHash of width 8 with
// tagChallenge.
type challengeHasher struct{ buf []byte }

func newChallengeHasher() *challengeHasher { return &challengeHasher{} }

func (h *challengeHasher) Write(p []byte) (int, error) {
	h.buf = append(h.buf, p...)
	return len(p), nil
}
func (h *challengeHasher) Reset()         { h.buf = h.buf[:0] }
func (h *challengeHasher) Size() int      { return fr.Bytes }
func (h *challengeHasher) BlockSize() int { return fr.Bytes }
func (h *challengeHasher) Sum(b []byte) []byte {
	var xs []fr.Element
	for i := 0; i+fr.Bytes <= len(h.buf) && len(xs) < challengeWidth-1; i += fr.Bytes {
		var e fr.Element
		e.SetBytes(h.buf[i : i+fr.Bytes])
		xs = append(xs, e)
	}
	out := wideHash(permChallenge, challengeWidth, tagChallenge, xs...)
	ob := out.Bytes()
	return append(b, ob[:]...)
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
