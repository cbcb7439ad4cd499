package zk

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
)

// smallCircuit stands in for credential-v1 in the three-contributor ceremony test (the ceremony code
// path is the same; the full circuit runs behind -tags stress in ceremony_stress_test.go).
type smallCircuit struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *smallCircuit) Define(api frontend.API) error {
	x3 := api.Mul(c.X, c.X, c.X)
	api.AssertIsEqual(api.Add(x3, c.X, 5), c.Y)
	return nil
}

func TestCeremonyThreeContributors(t *testing.T) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &smallCircuit{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := asR1CS(ccs)
	if err != nil {
		t.Fatal(err)
	}
	// Phase 1: three contributors, each receiving the previous state as bytes.
	p := startPhase1(domainSize(r))
	var p1 []*Phase1
	for range 3 {
		next, err := p.Contribute()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := next.MarshalBinary()
		var got Phase1
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		p1 = append(p1, &got)
		p = &got
	}
	srs, err := VerifyPhase1([]byte("beacon 1"), p1...)
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := srs.MarshalBinary()
	var srs2 Phase1Result
	if err := srs2.UnmarshalBinary(sb); err != nil {
		t.Fatal(err)
	}
	// reject twin: a contribution left out breaks the chain
	if _, err := VerifyPhase1([]byte("beacon 1"), p1[0], p1[2]); err == nil {
		t.Fatal("phase 1 accepted a broken chain")
	}

	// Phase 2: three contributors.
	q, err := startPhase2(r, &srs2)
	if err != nil {
		t.Fatal(err)
	}
	var p2 []*Phase2
	for range 3 {
		next, err := q.Contribute()
		if err != nil {
			t.Fatal(err)
		}
		p2 = append(p2, next)
		q = next
	}
	if _, _, err := finalize(r, &srs2, []byte("beacon 2"), p2[1], p2[2]); err == nil {
		t.Fatal("phase 2 accepted a chain missing its first contribution")
	}
	pk, vk, err := finalize(r, &srs2, []byte("beacon 2"), p2...)
	if err != nil {
		t.Fatal(err)
	}
	if pk.Unsafe || vk.Unsafe {
		t.Fatal("ceremony keys marked unsafe")
	}

	// The keys prove and verify; a false public input is refused.
	w, _ := frontend.NewWitness(&smallCircuit{X: 3, Y: 35}, ecc.BN254.ScalarField())
	proof, err := groth16.Prove(ccs, pk.g16, w)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	if err := groth16.Verify(proof, vk.g16, pub); err != nil {
		t.Fatal(err)
	}
	wrong, _ := frontend.NewWitness(&smallCircuit{Y: 36}, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err := groth16.Verify(proof, vk.g16, wrong); err == nil {
		t.Fatal("verified a false public input")
	}
}
