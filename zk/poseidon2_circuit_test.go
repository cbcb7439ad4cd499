package zk

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"
)

type p2TestCircuit struct {
	params  *poseidon2.Parameters `gnark:"-"`
	In, Out []frontend.Variable
}

func (c *p2TestCircuit) Define(api frontend.API) error {
	s := append([]frontend.Variable(nil), c.In...)
	newP2Circuit(api, c.params).permute(s)
	for i := range s {
		api.AssertIsEqual(s[i], c.Out[i])
	}
	return nil
}

// TestPoseidon2Circuit: the circuit's permutation is gnark-crypto's, for every width in use, and a
// wrong output is not accepted.
func TestPoseidon2Circuit(t *testing.T) {
	for _, params := range []*poseidon2.Parameters{paramsCompress, paramsNode, paramsChallenge, paramsCommit} {
		in := make([]fr.Element, params.Width)
		for i := range in {
			in[i].SetUint64(uint64(1000*i + 7))
		}
		out := append([]fr.Element(nil), in...)
		if err := poseidon2.NewPermutation(params.Width, params.NbFullRounds, params.NbPartialRounds).Permutation(out); err != nil {
			t.Fatal(err)
		}
		shape := &p2TestCircuit{params: params, In: make([]frontend.Variable, params.Width), Out: make([]frontend.Variable, params.Width)}
		w := &p2TestCircuit{params: params}
		for i := range in {
			w.In = append(w.In, bigOf(in[i]))
			w.Out = append(w.Out, bigOf(out[i]))
		}
		if err := test.IsSolved(shape, w, ecc.BN254.ScalarField()); err != nil {
			t.Fatalf("width %d: %v", params.Width, err)
		}
		w.Out[params.Width-1] = bigOf(in[0])
		if err := test.IsSolved(shape, w, ecc.BN254.ScalarField()); err == nil {
			t.Fatalf("width %d: wrong output accepted", params.Width)
		}
	}
	// the width-2 default parameters are the ones of compress (field.go)
	if paramsCompress.Width != 2 || paramsCompress.NbFullRounds != 6 || paramsCompress.NbPartialRounds != 50 {
		t.Fatalf("compress parameters %s", paramsCompress)
	}
}
