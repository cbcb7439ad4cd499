package zk

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark/frontend"
)

// p2Circuit is the Poseidon2 permutation in the circuit, for every width the package uses (2, 4, 8,
// 12). It computes exactly gnark-crypto's Permutation with the same parameters (TestPoseidon2Circuit)
// and costs what gnark's std/permutation/poseidon2 costs (3 constraints per S-box), but it writes
// the S-box x⁵ as x² = x·x, x³ = x²·x, x⁵ = x³·x² instead of x⁴ = x²·x², x⁵ = x⁴·x. Both have 3
// constraints; in the second one gnark's builder puts x⁴ on the right (B) side, so every S-box adds
// three wires to the Groth16 B columns. In the first one x³ stays on the left, so the B columns hold
// two wires per S-box: the G2 multi-exponentiation of the prover, its most expensive one per wire,
// covers a third fewer S-box wires.
type p2Circuit struct {
	api   frontend.API
	width int
	rf    int // full rounds
	rp    int // partial rounds
	keys  [][]*big.Int
	diag  []*big.Int // internal matrix diagonal minus 1 (width ≥ 4)
}

func newP2Circuit(api frontend.API, p *poseidon2.Parameters) *p2Circuit {
	c := &p2Circuit{api: api, width: p.Width, rf: p.NbFullRounds, rp: p.NbPartialRounds}
	for _, rk := range p.RoundKeys {
		ks := make([]*big.Int, len(rk))
		for i := range rk {
			ks[i] = bigOf(rk[i])
		}
		c.keys = append(c.keys, ks)
	}
	for i := range p.DiagM1 {
		c.diag = append(c.diag, bigOf(p.DiagM1[i]))
	}
	return c
}

func (c *p2Circuit) sBox(x frontend.Variable) frontend.Variable {
	x2 := c.api.Mul(x, x)
	x3 := c.api.Mul(x2, x)
	return c.api.Mul(x3, x2)
}

// matM4 multiplies chunks of 4 lanes by M4 = (5 7 1 3; 4 6 1 1; 1 3 5 7; 1 1 4 6).
func (c *p2Circuit) matM4(s []frontend.Variable) {
	api := c.api
	for i := 0; i+4 <= len(s); i += 4 {
		t0 := api.Add(s[i], s[i+1])
		t1 := api.Add(s[i+2], s[i+3])
		t2 := api.Add(api.Mul(s[i+1], 2), t1)
		t3 := api.Add(api.Mul(s[i+3], 2), t0)
		t4 := api.Add(api.Mul(t1, 4), t3)
		t5 := api.Add(api.Mul(t0, 4), t2)
		s[i], s[i+1], s[i+2], s[i+3] = api.Add(t3, t5), t5, api.Add(t2, t4), t4
	}
}

func (c *p2Circuit) external(s []frontend.Variable) {
	api := c.api
	switch c.width {
	case 2:
		t := api.Add(s[0], s[1])
		s[0], s[1] = api.Add(t, s[0]), api.Add(t, s[1])
	case 4:
		c.matM4(s)
	default: // circ(2M4, M4, …, M4)
		c.matM4(s)
		var sum [4]frontend.Variable
		for j := range sum {
			sum[j] = 0
			for i := j; i < c.width; i += 4 {
				sum[j] = api.Add(sum[j], s[i])
			}
		}
		for i := range s {
			s[i] = api.Add(s[i], sum[i%4])
		}
	}
}

func (c *p2Circuit) internal(s []frontend.Variable) {
	api := c.api
	if c.width == 2 {
		sum := api.Add(s[0], s[1])
		s[0], s[1] = api.Add(s[0], sum), api.Add(api.Mul(s[1], 2), sum)
		return
	}
	sum := frontend.Variable(0)
	for i := range s {
		sum = api.Add(sum, s[i])
	}
	for i := range s {
		s[i] = api.Add(api.Mul(s[i], c.diag[i]), sum)
	}
}

func (c *p2Circuit) addKeys(round int, s []frontend.Variable) {
	for i, k := range c.keys[round] {
		s[i] = c.api.Add(s[i], k)
	}
}

// permute applies the permutation to s in place (len(s) == width).
func (c *p2Circuit) permute(s []frontend.Variable) {
	if len(s) != c.width {
		panic("zk: Poseidon2 state of the wrong width") // fixed widths: unreachable
	}
	c.external(s)
	half := c.rf / 2
	for r := range half {
		c.addKeys(r, s)
		for i := range s {
			s[i] = c.sBox(s[i])
		}
		c.external(s)
	}
	for r := half; r < half+c.rp; r++ {
		c.addKeys(r, s)
		s[0] = c.sBox(s[0])
		c.internal(s)
	}
	for r := half + c.rp; r < c.rf+c.rp; r++ {
		c.addKeys(r, s)
		for i := range s {
			s[i] = c.sBox(s[i])
		}
		c.external(s)
	}
}

// compress is the width-2 compression P(l, r)[1] + r (compress in field.go).
func (c *p2Circuit) compress(l, r frontend.Variable) frontend.Variable {
	s := []frontend.Variable{l, r}
	c.permute(s)
	return c.api.Add(s[1], r)
}

// hash is hashElements in the circuit: Merkle–Damgård over compress with IV 0.
func (c *p2Circuit) hash(xs ...frontend.Variable) frontend.Variable {
	state := frontend.Variable(0)
	for _, x := range xs {
		state = c.compress(state, x)
	}
	return state
}
