package zk

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	csbn254 "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
)

// msmInputs returns n scalars with the awkward cases (0, 1, small, r − 1, 2^253, repeated), to go
// with bases that repeat and negate each other so buckets meet P = Q and P = −Q.
func msmScalars(n int) []fr.Element {
	s := make([]fr.Element, n)
	rnd := testRand(11)
	for i := range s {
		var b [32]byte
		rnd.Read(b[:])
		s[i].SetBytes(b[:])
	}
	s[0].SetZero()
	s[1].SetOne()
	s[2].SetUint64(4095)
	s[3].SetInt64(-1)
	s[4].SetBigInt(new(big.Int).Lsh(big.NewInt(1), 253))
	s[5] = s[6] // same scalar, same (or opposite) base below
	s[7] = s[8]
	return s
}

func TestFixedMSM(t *testing.T) {
	const n = 200
	sc := msmScalars(n)
	_, _, g1, g2 := curve.Generators()
	p1 := make([]curve.G1Affine, n)
	p2 := make([]curve.G2Affine, n)
	for i := range p1 {
		var k big.Int
		k.SetUint64(uint64(3*i*i + 5))
		p1[i].ScalarMultiplication(&g1, &k)
		p2[i].ScalarMultiplication(&g2, &k)
	}
	p1[5], p2[5] = p1[6], p2[6]                       // P = Q in every bucket of scalar 6
	p1[7].Neg(&p1[8])                                 // P = −Q: they cancel
	p2[7].Neg(&p2[8])                                 //
	p1[9], p2[9] = curve.G1Affine{}, curve.G2Affine{} // the point at infinity
	for _, m := range []int{n, n / 2, 1} {
		var want1 curve.G1Jac
		if _, err := want1.MultiExp(p1[:m], sc[:m], ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
		got1 := newFixedMSMG1(p1[:m]).msm(sc[:m])
		if !got1.Equal(&want1) {
			t.Fatalf("G1 MSM of %d points differs from gnark-crypto", m)
		}
		var want2 curve.G2Jac
		if _, err := want2.MultiExp(p2[:m], sc[:m], ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
		got2 := newFixedMSMG2(p2[:m]).msm(sc[:m])
		if !got2.Equal(&want2) {
			t.Fatalf("G2 MSM of %d points differs from gnark-crypto", m)
		}
	}
	// signed digits recombine to the scalar
	for i := range sc {
		var d [msmWins]int32
		signedDigits(&sc[i], &d)
		acc := new(big.Int)
		for j := msmWins - 1; j >= 0; j-- {
			if d[j] < -msmBucket || d[j] > msmBucket {
				t.Fatalf("digit %d out of range", d[j])
			}
			acc.Lsh(acc, msmWindow).Add(acc, big.NewInt(int64(d[j])))
		}
		if acc.Cmp(sc[i].BigInt(new(big.Int))) != 0 {
			t.Fatalf("digits of scalar %d do not recombine", i)
		}
	}
}

// proverTestCircuit is small: the Prover's Groth16 path is tested on it against gnark's verifier
// (building the tables of the real key takes seconds; zk bench and the stress tests use them).
type proverTestCircuit struct {
	X, Y frontend.Variable
	Z    frontend.Variable `gnark:",public"`
}

func (c *proverTestCircuit) Define(api frontend.API) error {
	s := []frontend.Variable{c.X, c.Y, 0, 1}
	newP2Circuit(api, paramsNode).permute(s)
	api.AssertIsEqual(api.Add(s[0], api.Mul(c.X, c.Y)), c.Z)
	api.ToBinary(c.Y, 16)
	return nil
}

func TestGroth16TablesProve(t *testing.T) {
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &proverTestCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	pk, vk, err := groth16.Setup(cs)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := newGroth16Tables(cs.(*csbn254.R1CS), pk.(*groth16bn254.ProvingKey))
	if err != nil {
		t.Fatal(err)
	}
	x, y := u64(123), u64(40000)
	s := []fr.Element{x, y, {}, u64(1)}
	if err := permNode.Permutation(s); err != nil {
		t.Fatal(err)
	}
	var z fr.Element
	z.Mul(&x, &y).Add(&z, &s[0])
	good := &proverTestCircuit{X: bigOf(x), Y: bigOf(y), Z: bigOf(z)}
	w, err := frontend.NewWitness(good, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	var seen [2][]byte
	for i := range seen {
		proof, err := tb.prove(w)
		if err != nil {
			t.Fatal(err)
		}
		if err := groth16.Verify(proof, vk, pub); err != nil {
			t.Fatalf("proof of the expanded-base prover does not verify: %v", err)
		}
		b, _ := encodeGroth16Proof(proof)
		seen[i] = b
	}
	if string(seen[0]) == string(seen[1]) {
		t.Fatal("two proofs are equal: the randomizers are not fresh")
	}
	// concurrent proofs share the tables
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			proof, err := tb.prove(w)
			if err == nil {
				err = groth16.Verify(proof, vk, pub)
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent proof: %v", err)
		}
	}
	// another public input does not verify; a false witness does not prove
	other := &proverTestCircuit{X: 0, Y: 0, Z: bigOf(u64(1))}
	wo, _ := frontend.NewWitness(other, ecc.BN254.ScalarField(), frontend.PublicOnly())
	proof, _ := tb.prove(w)
	if err := groth16.Verify(proof, vk, wo); err == nil {
		t.Fatal("proof verified for another public input")
	}
	bad := &proverTestCircuit{X: bigOf(x), Y: bigOf(y), Z: bigOf(x)}
	wb, _ := frontend.NewWitness(bad, ecc.BN254.ScalarField())
	if _, err := tb.prove(wb); err == nil {
		t.Fatal("a false witness proved")
	}
	// a key of another circuit is refused
	if _, err := newGroth16Tables(cs.(*csbn254.R1CS), &groth16bn254.ProvingKey{}); err == nil {
		t.Fatal("empty key accepted")
	}
}
