package zk

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
)

// rangeAttributes lists, for each range slot, the attribute it bounds (CIRCUITS.md §3.2).
var rangeAttributes = [NumRanges]int{AttrBirthDate, AttrScore, AttrTier, AttrIssuedAt, AttrExpiresAt}

// Circuit is the credential-v2 presentation circuit. One circuit proves any combination of the
// statements; each is switched by public inputs (CIRCUITS.md §3). The field order below is the
// order of the public inputs and must not change within a version.
type Circuit struct {
	// Public inputs.
	IssuerX, IssuerY frontend.Variable                `gnark:",public"` // issuer EdDSA key (affine)
	Nonce            frontend.Variable                `gnark:",public"` // verifier nonce
	Audience         frontend.Variable                `gnark:",public"` // H(audience)
	Statements       frontend.Variable                `gnark:",public"` // Stmt* bits
	Lo               [NumRanges]frontend.Variable     `gnark:",public"` // lower bounds (inclusive)
	Hi               [NumRanges]frontend.Variable     `gnark:",public"` // upper bounds (inclusive)
	Countries        [MaxCountrySet]frontend.Variable `gnark:",public"` // accepted countries (inline set)
	CountryRoot      frontend.Variable                `gnark:",public"` // Merkle root of a large country set
	RevocationRoot   frontend.Variable                `gnark:",public"` // issuer's revocation root
	RequiredFlags    frontend.Variable                `gnark:",public"` // flags that must be set
	DiscloseMask     frontend.Variable                `gnark:",public"` // bit i: attribute i disclosed
	Disclosed        [NumAttributes]frontend.Variable `gnark:",public"` // disclosed values (0 if not)
	Nullifier        frontend.Variable                `gnark:",public"` // H(holder secret, audience) or 0

	// Private witness.
	Attr         [NumAttributes]frontend.Variable
	Randomness   frontend.Variable
	SigRX, SigRY frontend.Variable
	SigS         frontend.Variable
	HolderSecret frontend.Variable
	RevPath      [RevocationLevels][nodeArity - 1]frontend.Variable  // siblings, leaf level first
	CountryPos   frontend.Variable                                   // leaf position in the country tree
	CountryPath  [CountryTreeLevels][nodeArity - 1]frontend.Variable // siblings, leaf level first
}

// Define implements frontend.Circuit.
func (c *Circuit) Define(api frontend.API) error {
	on := api.ToBinary(c.Statements, numStatementBits)
	sigOn, countryOn, revOn, holderOn, nullOn, countryRootOn := on[0], on[1], on[2], on[3], on[4], on[5]
	merkle := newMerkleCircuit(api)

	// §3.1 Commitment C = Poseidon2-12[tagCommit, attributes…, randomness, 0][1].
	cm, err := wideHashCircuit(api, commitWidth, tagCommit, append(c.Attr[:], c.Randomness)...)
	if err != nil {
		return err
	}

	// §3.1 Issuer signature: EdDSA over C (Poseidon2 challenge hash); R on the curve and S < ℓ are
	// asserted whether or not the statement is on (the prover supplies R = (0, 1), S = 0 when off).
	valid, err := eddsaIsValid(api, c.SigRX, c.SigRY, c.SigS, cm, c.IssuerX, c.IssuerY)
	if err != nil {
		return err
	}
	assertImplies(api, sigOn, api.Sub(1, valid))

	// §3.2 Ranges lo ≤ attr ≤ hi: both differences must fit in RangeBits bits.
	for i, a := range rangeAttributes {
		api.ToBinary(api.Sub(c.Attr[a], c.Lo[i]), RangeBits)
		api.ToBinary(api.Sub(c.Hi[i], c.Attr[a]), RangeBits)
	}

	// §3.3 Country in the public set: Π (country − s) = 0.
	prod := frontend.Variable(1)
	for _, s := range c.Countries {
		prod = api.Mul(prod, api.Sub(c.Attr[AttrCountry], s))
	}
	assertImplies(api, countryOn, prod)

	// §3.3 Country in a large public set: a leaf of the country tree under CountryRoot.
	cpos := api.ToBinary(c.CountryPos, 2*CountryTreeLevels)
	croot := merkle.root(c.Attr[AttrCountry], cpos, c.CountryPath[:])
	assertImplies(api, countryRootOn, api.Sub(croot, c.CountryRoot))

	// §3.4 Required flags: every required bit is set.
	fb := api.ToBinary(c.Attr[AttrFlags], FlagBits)
	rb := api.ToBinary(c.RequiredFlags, FlagBits)
	for i := range fb {
		assertImplies(api, rb[i], api.Sub(1, fb[i]))
	}

	// §3.5 Disclosure: attribute i equals the public value when bit i is set.
	db := api.ToBinary(c.DiscloseMask, NumAttributes)
	for i := range db {
		assertImplies(api, db[i], api.Sub(c.Attr[i], c.Disclosed[i]))
	}

	// §3.6 Not revoked: the slot at RevocationIndex is empty (0) in the sparse Merkle tree.
	path := api.ToBinary(c.Attr[AttrRevocationIndex], RevocationDepth)
	node := merkle.root(0, path, c.RevPath[:])
	assertImplies(api, revOn, api.Sub(node, c.RevocationRoot))

	// §3.7 Holder binding and nullifier.
	h2 := newP2Circuit(api, paramsCompress)
	bindOn := api.Sub(api.Add(holderOn, nullOn), api.Mul(holderOn, nullOn)) // holder OR nullifier
	assertImplies(api, bindOn, api.Sub(h2.hash(bigOf(tagHolder), c.HolderSecret), c.Attr[AttrHolderKey]))
	assertImplies(api, nullOn, api.Sub(h2.hash(bigOf(tagNullifier), c.HolderSecret, c.Audience), c.Nullifier))

	// §3.8 Session binding: the nonce and audience enter a constraint, so a proof verifies only with
	// the public values it was made for (an unconstrained public input would not be bound).
	api.Mul(c.Nonce, c.Nonce)
	api.Mul(c.Audience, c.Audience)
	return nil
}

// assertImplies asserts on·x = 0: when the switch on is 1, x must be 0.
func assertImplies(api frontend.API, on, x frontend.Variable) {
	api.AssertIsEqual(api.Mul(on, x), 0)
}

// wideHashCircuit is wideHash in the circuit: one Poseidon2 permutation of the given width.
func wideHashCircuit(api frontend.API, width int, tag fr.Element, xs ...frontend.Variable) (frontend.Variable, error) {
	params := paramsChallenge
	if width == commitWidth {
		params = paramsCommit
	}
	if params.Width != width || len(xs) > width-1 {
		return nil, fmt.Errorf("zk: no %d-input hash of width %d", len(xs), width)
	}
	state := make([]frontend.Variable, width)
	state[0] = bigOf(tag)
	copy(state[1:], xs)
	for i := len(xs) + 1; i < width; i++ {
		state[i] = 0
	}
	newP2Circuit(api, params).permute(state)
	return state[1], nil
}
