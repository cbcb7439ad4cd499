package zk

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	edbn254 "github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"
)

type eddsaTestCircuit struct {
	RX, RY, S, Msg frontend.Variable
	AX, AY         frontend.Variable `gnark:",public"`
	Want           frontend.Variable `gnark:",public"`
}

func (c *eddsaTestCircuit) Define(api frontend.API) error {
	v, err := eddsaIsValid(api, c.RX, c.RY, c.S, c.Msg, c.AX, c.AY)
	if err != nil {
		return err
	}
	api.AssertIsEqual(v, c.Want)
	return nil
}

// TestEdwardsComplete: a = −1 is a square and d is not, so the addition law used in the circuit is
// complete on the curve (Bernstein–Lange, twisted Edwards curves, Theorem 3.3).
func TestEdwardsComplete(t *testing.T) {
	c := edbn254.GetEdwardsCurve()
	if c.A.Legendre() != 1 || c.D.Legendre() != -1 {
		t.Fatalf("a is %d-square, d is %d-square", c.A.Legendre(), c.D.Legendre())
	}
}

// TestEdDSACircuit: the circuit's verification equation agrees with gnark-crypto's on valid
// signatures and on altered ones; S ≥ ℓ and R off the curve cannot be proven at all.
func TestEdDSACircuit(t *testing.T) {
	f := testFixture(t)
	other, _ := GenerateIssuerKey(testRand(7))
	field := ecc.BN254.ScalarField()
	type sigCase struct {
		name  string
		key   IssuerPublicKey
		sig   []byte
		msg   fr.Element
		valid bool
	}
	var cases []sigCase
	for i := range 3 {
		m := u64(uint64(1000 + i))
		sig, err := f.issuer.sign(m)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, sigCase{"valid", f.issuer.Public(), sig, m, true})
		cases = append(cases, sigCase{"other message", f.issuer.Public(), sig, u64(uint64(2000 + i)), false})
		cases = append(cases, sigCase{"other key", other.Public(), sig, m, false})
		s2 := append([]byte(nil), sig...)
		s2[63] ^= 1 // S ± 1, still below ℓ
		cases = append(cases, sigCase{"other S", f.issuer.Public(), s2, m, false})
	}
	for _, c := range cases {
		if native := c.key.verify(c.sig, c.msg); native != c.valid {
			t.Fatalf("%s: native verification says %v", c.name, native)
		}
		var sp sigParts
		if err := sp.parse(c.sig); err != nil {
			t.Fatal(err)
		}
		a := &eddsaTestCircuit{RX: sp.rx, RY: sp.ry, S: sp.s, Msg: bigOf(c.msg), AX: bigOf(c.key.p.A.X), AY: bigOf(c.key.p.A.Y)}
		for _, want := range []bool{c.valid, !c.valid} {
			a.Want = 0
			if want {
				a.Want = 1
			}
			err := test.IsSolved(&eddsaTestCircuit{}, a, field)
			if (err == nil) != (want == c.valid) {
				t.Fatalf("%s: circuit says valid=%v (err %v)", c.name, !c.valid, err)
			}
		}
	}
	// S ≥ ℓ and an off-curve R are refused outright, not just reported invalid
	m := u64(7)
	sig, _ := f.issuer.sign(m)
	var sp sigParts
	if err := sp.parse(sig); err != nil {
		t.Fatal(err)
	}
	order := edbn254.GetEdwardsCurve().Order
	pub := f.issuer.Public().p.A
	for name, a := range map[string]*eddsaTestCircuit{
		"S + ℓ":           {RX: sp.rx, RY: sp.ry, S: new(big.Int).Add(sp.s, &order), Msg: bigOf(m), AX: bigOf(pub.X), AY: bigOf(pub.Y)},
		"R off the curve": {RX: sp.rx, RY: new(big.Int).Add(sp.ry, big.NewInt(1)), S: sp.s, Msg: bigOf(m), AX: bigOf(pub.X), AY: bigOf(pub.Y)},
	} {
		for _, want := range []int{0, 1} {
			a.Want = want
			if err := test.IsSolved(&eddsaTestCircuit{}, a, field); err == nil {
				t.Fatalf("%s solved with valid=%d", name, want)
			}
		}
	}
}
