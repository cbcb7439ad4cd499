package zk

import (
	"fmt"
	"math/big"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	edbn254 "github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/math/bits"
)

// The issuer-signature statement (CIRCUITS.md §3.1) checks gnark-crypto's EdDSA verification
// equation [8][S]B = [8](R + [h]A) with S < ℓ, as gnark's std/signature/eddsa.IsValid does, but with
// the two scalar multiplications split by what is known at compile time:
//
//   - [S]B has a constant base: fixed-base windows of 3 bits whose 8 multiples are constants, so a
//     window costs 4 constraints for the lookup (the bit products) and 6 for one complete addition,
//     no doublings; the bits of S are shared with the S < ℓ check (gnark's comparison to a constant).
//   - [h]A has the issuer's key, a public input, as base: double-and-add over 2-bit windows with the
//     table [O, A, 2A, 3A] (two doublings, one lookup and one addition per window).
//
// Every addition and doubling uses the complete twisted Edwards formulas (a = −1 is a square and d is
// not in F_r, checked by TestEdwardsComplete), so no input has an exceptional case: the circuit
// computes the same group elements as gnark-crypto for every on-curve input. The result is 4,893
// constraints (with the challenge hash and R on the curve) instead of 6,486 for eddsa.IsValid with
// gnark's joint double-base multiplication (bits of S decomposed twice, S < ℓ by a generic
// comparison).

const (
	fixedWindow = 3                                            // bits per fixed-base window
	scalarBits  = 251                                          // ℓ < 2^251
	fixedWins   = (scalarBits + fixedWindow - 1) / fixedWindow // 84 windows, the last of 2 bits
	fixedTblLen = 1 << fixedWindow                             // entries per window
	hBits       = 254                                          // h is a canonical field element
	varWins     = hBits / 2                                    // 127 windows of 2 bits
	edCofDbls   = 3                                            // the cofactor is 8 = 2^3
)

// edPoint is a point of the twisted Edwards curve in the circuit (affine).
type edPoint struct{ X, Y frontend.Variable }

// edwards holds the curve constants for the circuit.
type edwards struct {
	api  frontend.API
	a, d *big.Int
}

func newEdwards(api frontend.API) *edwards {
	c := edbn254.GetEdwardsCurve()
	return &edwards{api: api, a: bigOf(c.A), d: bigOf(c.D)}
}

// add is the complete addition (x1y2 + y1x2)/(1 + d·x1x2y1y2), (y1y2 − a·x1x2)/(1 − d·x1x2y1y2):
// 6 constraints.
func (e *edwards) add(p, q edPoint) edPoint {
	api := e.api
	b := api.Mul(p.X, q.Y)                                            // x1·y2
	g := api.Mul(p.Y, q.X)                                            // y1·x2
	dl := api.Mul(api.Sub(p.Y, api.Mul(e.a, p.X)), api.Add(q.X, q.Y)) // (y1 − a·x1)(x2 + y2)
	t := api.Mul(e.d, b, g)                                           // d·x1x2y1y2
	x := api.DivUnchecked(api.Add(b, g), api.Add(1, t))
	// y1y2 − a·x1x2 = (y1 − a·x1)(x2 + y2) − y1·x2 + a·x1·y2
	y := api.DivUnchecked(api.Add(api.Sub(dl, g), api.Mul(e.a, b)), api.Sub(1, t))
	return edPoint{x, y}
}

// double is the complete doubling 2xy/(a·x² + y²), (y² − a·x²)/(2 − a·x² − y²): 5 constraints.
func (e *edwards) double(p edPoint) edPoint {
	api := e.api
	xy := api.Mul(p.X, p.Y)
	xx := api.Mul(p.X, p.X)
	yy := api.Mul(p.Y, p.Y)
	axx := api.Mul(e.a, xx)
	den := api.Add(axx, yy)
	x := api.DivUnchecked(api.Mul(2, xy), den)
	y := api.DivUnchecked(api.Sub(yy, axx), api.Sub(2, den))
	return edPoint{x, y}
}

// assertOnCurve asserts a·x² + y² = 1 + d·x²·y².
func (e *edwards) assertOnCurve(p edPoint) {
	api := e.api
	xx := api.Mul(p.X, p.X)
	yy := api.Mul(p.Y, p.Y)
	api.AssertIsEqual(api.Add(api.Mul(e.a, xx), yy), api.Add(1, api.Mul(e.d, xx, yy)))
}

// fixedBaseTable[j][v] = [v·8^j]B: the constant multiples of the base point for window j.
var fixedBaseTable = sync.OnceValue(func() [fixedWins][fixedTblLen][2]*big.Int {
	c := edbn254.GetEdwardsCurve()
	var t [fixedWins][fixedTblLen][2]*big.Int
	w := c.Base // [8^j]B
	for j := range fixedWins {
		var acc edbn254.PointAffine
		acc.X.SetZero()
		acc.Y.SetOne()
		for v := range fixedTblLen {
			t[j][v] = [2]*big.Int{bigOf(acc.X), bigOf(acc.Y)}
			acc.Add(&acc, &w)
		}
		// w = [8]w
		for range fixedWindow {
			w.Double(&w)
		}
	}
	return t
})

// lookupConst returns table[Σ b_i 2^i] for constant entries, as the multilinear polynomial in the
// bits: its non-linear monomials are products of bits, computed once for both coordinates (1
// constraint for 2 bits, 4 for 3), the rest is linear.
func lookupConst(api frontend.API, b []frontend.Variable, table [][2]*big.Int) edPoint {
	n := len(b)
	// monomial m_S = Π_{i∈S} b_i for every subset S of the bits (S as a bit mask)
	mono := make([]frontend.Variable, 1<<n)
	mono[0] = 1
	for s := 1; s < 1<<n; s++ {
		low := s & -s // lowest bit of s
		i := 0
		for 1<<i != low {
			i++
		}
		if s == low {
			mono[s] = b[i]
		} else {
			mono[s] = api.Mul(mono[s^low], b[i])
		}
	}
	r := fr.Modulus()
	var out [2]frontend.Variable
	for coord := range 2 {
		// Möbius transform: coef[S] = Σ_{T⊆S} (−1)^{|S|−|T|} table[T]
		coef := make([]*big.Int, 1<<n)
		for s := range coef {
			coef[s] = new(big.Int).Set(table[s][coord])
		}
		for i := range n {
			for s := range coef {
				if s>>i&1 == 1 {
					coef[s].Sub(coef[s], coef[s^(1<<i)])
				}
			}
		}
		acc := frontend.Variable(0)
		for s := range coef {
			c := coef[s].Mod(coef[s], r)
			if c.Sign() != 0 {
				acc = api.Add(acc, api.Mul(c, mono[s]))
			}
		}
		out[coord] = acc
	}
	return edPoint{out[0], out[1]}
}

// cstComparator is the builders' comparison of a bit decomposition with a constant (r1cs, scs and
// gnark's test engine implement it; std/math/bits uses the same method for its modulus check).
type cstComparator interface {
	MustBeLessOrEqCst(aBits []frontend.Variable, bound *big.Int, aForDebug frontend.Variable)
}

// eddsaIsValid returns 1 when (R, S) is a valid signature of msg under A and 0 otherwise; it asserts
// S < ℓ and R on the curve whatever the result. A must be in the prime-order subgroup or the
// identity (the verifier sets it from an accepted, parsed key).
func eddsaIsValid(api frontend.API, rx, ry, s, msg, ax, ay frontend.Variable) (frontend.Variable, error) {
	cmp, ok := api.Compiler().(cstComparator)
	if !ok {
		return nil, fmt.Errorf("zk: the constraint builder cannot compare with a constant")
	}
	e := newEdwards(api)
	R, A := edPoint{rx, ry}, edPoint{ax, ay}
	e.assertOnCurve(R)

	// h = H(R, A, M): a canonical field element, decomposed strictly (bits < r).
	h, err := wideHashCircuit(api, challengeWidth, tagChallenge, rx, ry, ax, ay, msg)
	if err != nil {
		return nil, err
	}
	hb := bits.ToBinary(api, h) // 254 bits and the check against the modulus

	// S < ℓ: 251 bits compared with ℓ − 1 (the comparison also makes the bits boolean).
	curve := edbn254.GetEdwardsCurve()
	order := &curve.Order
	sb := bits.ToBinary(api, s, bits.WithNbDigits(scalarBits), bits.WithUnconstrainedOutputs())
	cmp.MustBeLessOrEqCst(sb, new(big.Int).Sub(order, big.NewInt(1)), s)

	// [S]B: fixed-base windows.
	tbl := fixedBaseTable()
	var sB edPoint
	for j := range fixedWins {
		wb := sb[j*fixedWindow : min((j+1)*fixedWindow, scalarBits)]
		p := lookupConst(api, wb, tbl[j][:1<<len(wb)])
		if j == 0 {
			sB = p
		} else {
			sB = e.add(sB, p)
		}
	}

	// [h]A: 2-bit windows, most significant first, table [O, A, 2A, 3A].
	A2 := e.double(A)
	A3 := e.add(A2, A)
	look := func(j int) edPoint {
		b0, b1 := hb[2*j], hb[2*j+1]
		return edPoint{
			api.Lookup2(b0, b1, 0, A.X, A2.X, A3.X),
			api.Lookup2(b0, b1, 1, A.Y, A2.Y, A3.Y),
		}
	}
	hA := look(varWins - 1)
	for j := varWins - 2; j >= 0; j-- {
		hA = e.double(e.double(hA))
		hA = e.add(hA, look(j))
	}

	// Q = [S]B − (R + [h]A); valid when [8]Q is the identity (0, 1).
	P := e.add(R, hA)
	Q := e.add(sB, edPoint{api.Neg(P.X), P.Y})
	for range edCofDbls {
		Q = e.double(Q)
	}
	return api.And(api.IsZero(Q.X), api.IsZero(api.Sub(Q.Y, 1))), nil
}
