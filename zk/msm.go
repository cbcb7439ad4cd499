package zk

import (
	"runtime"
	"sync"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Multi-scalar multiplication with precomputed bases (the prover's fixed points never change).
//
// gnark-crypto's MultiExp (Pippenger, signed c-bit digits) walks the n points once per window of
// the scalars, ⌈255/c⌉ times, and reduces 2^(c−1) buckets per window. With the proving key fixed,
// the multiples [2^(c·j)]P_i can be computed once: then every (point, window) pair goes into ONE set
// of buckets, reduced once. A larger window c (13 here against 10–11) becomes affordable, so the
// number of additions drops too: 25–30% less time for the sizes of this circuit (the quotient's
// 16,383 points: 65 ms against 88 ms on one core), for ⌈255/c⌉ = 20 stored multiples of each base
// (72 MB for the Groth16 key of credential-v2). c = 12 and 14 measured slower.
//
// Bucket additions are affine, in batches sharing one field inversion (Montgomery's trick), like
// gnark-crypto's own batch-affine buckets; the buckets are summed in Jacobian coordinates.

const (
	msmWindow = 13                                        // c: bits per window
	msmWins   = (fr.Bits + 1 + msmWindow - 1) / msmWindow // windows of a scalar < 2^254, with the signed-digit carry
	msmBucket = 1 << (msmWindow - 1)                      // buckets of signed digits |d| ≤ 2^(c−1)
	msmBatch  = 768                                       // additions sharing one inversion
)

// signedDigits writes the msmWins signed c-bit digits of s (Σ d_j 2^(c·j) = s, |d_j| ≤ 2^(c−1)).
func signedDigits(s *fr.Element, out *[msmWins]int32) {
	w := s.Bits() // regular form, little-endian words
	carry := int32(0)
	for j := range msmWins {
		off := j * msmWindow
		word, shift := off/64, uint(off%64)
		var v uint64
		if word < len(w) {
			v = w[word] >> shift
			if shift+msmWindow > 64 && word+1 < len(w) {
				v |= w[word+1] << (64 - shift)
			}
		}
		d := int32(v&(1<<msmWindow-1)) + carry
		carry = 0
		if d > msmBucket {
			d -= 1 << msmWindow
			carry = 1
		}
		out[j] = d
	}
}

// parallel runs f(lo, hi) over [0, n) on the available CPUs.
func parallel(n int, f func(lo, hi int)) {
	k := min(runtime.GOMAXPROCS(0), max(n, 1))
	var wg sync.WaitGroup
	for t := range k {
		wg.Add(1)
		go func() { defer wg.Done(); f(t*n/k, (t+1)*n/k) }()
	}
	wg.Wait()
}

// ---- G1 -----------------------------------------------------------------------------------------

// fixedMSMG1 holds the window multiples of fixed G1 bases: tbl[i·msmWins + j] = [2^(c·j)]P_i.
type fixedMSMG1 struct {
	n   int
	tbl []curve.G1Affine
	inf []bool // P_i is the point at infinity (it contributes nothing)
}

func newFixedMSMG1(points []curve.G1Affine) *fixedMSMG1 {
	m := &fixedMSMG1{n: len(points), tbl: make([]curve.G1Affine, len(points)*msmWins), inf: make([]bool, len(points))}
	parallel(len(points), func(lo, hi int) {
		const chunk = 256
		jac := make([]curve.G1Jac, chunk*msmWins)
		for a := lo; a < hi; a += chunk {
			b := min(a+chunk, hi)
			for i := a; i < b; i++ {
				m.inf[i] = points[i].IsInfinity()
				var p curve.G1Jac
				p.FromAffine(&points[i])
				for j := range msmWins {
					jac[(i-a)*msmWins+j] = p
					for range msmWindow {
						p.DoubleAssign()
					}
				}
			}
			copy(m.tbl[a*msmWins:b*msmWins], curve.BatchJacobianToAffineG1(jac[:(b-a)*msmWins]))
		}
	})
	return m
}

// g1Buckets accumulates table points into buckets with batched inversions.
type g1Buckets struct {
	tbl     []curve.G1Affine
	b       []curve.G1Affine
	full    []bool
	inBatch []bool
	ops     []g1Op // the batch
	den     []fp.Element
	pre     []fp.Element
	later   []g1Op // additions to a bucket already in the batch
	spare   []g1Op
}

// g1Op is bucket[k] += ±tbl[i] (neg: minus).
type g1Op struct {
	k   int32
	i   int32
	neg bool
}

func newG1Buckets(tbl []curve.G1Affine) *g1Buckets {
	return &g1Buckets{
		tbl: tbl, b: make([]curve.G1Affine, msmBucket), full: make([]bool, msmBucket), inBatch: make([]bool, msmBucket),
		ops: make([]g1Op, 0, msmBatch), den: make([]fp.Element, msmBatch), pre: make([]fp.Element, msmBatch),
	}
}

// add schedules bucket[k] += ±tbl[i].
func (g *g1Buckets) add(o g1Op) {
	p := &g.tbl[o.i]
	q := &g.b[o.k]
	if !g.full[o.k] {
		*q, g.full[o.k] = *p, true
		if o.neg {
			q.Y.Neg(&q.Y)
		}
		return
	}
	if g.inBatch[o.k] {
		g.later = append(g.later, o)
		return
	}
	if q.X.Equal(&p.X) { // P = ±Q: not a chord addition (checking here, not in apply, is faster:
		// it brings both points into the cache before the batch needs them)
		var j curve.G1Jac
		j.FromAffine(q)
		pp := *p
		if o.neg {
			pp.Neg(&pp)
		}
		j.AddMixed(&pp) // a doubling or the point at infinity
		if j.Z.IsZero() {
			g.full[o.k] = false
		} else {
			q.FromJacobian(&j)
		}
		return
	}
	g.ops = append(g.ops, o)
	g.inBatch[o.k] = true
	if len(g.ops) == msmBatch {
		g.apply()
	}
}

// apply performs the scheduled additions with one field inversion.
func (g *g1Buckets) apply() {
	n := len(g.ops)
	if n == 0 {
		return
	}
	// Montgomery's trick: den_t = x_p − x_q, pre_t = Π_{u<t} den_u
	var acc fp.Element
	acc.SetOne()
	for t, o := range g.ops {
		g.den[t].Sub(&g.tbl[o.i].X, &g.b[o.k].X)
		g.pre[t] = acc
		acc.Mul(&acc, &g.den[t])
	}
	acc.Inverse(&acc)
	for t := n - 1; t >= 0; t-- {
		o := g.ops[t]
		var inv, l, x, y fp.Element
		inv.Mul(&acc, &g.pre[t])
		acc.Mul(&acc, &g.den[t])
		q, p := &g.b[o.k], &g.tbl[o.i]
		if o.neg { // λ = (y_p − y_q)/(x_p − x_q)
			l.Add(&p.Y, &q.Y).Neg(&l)
		} else {
			l.Sub(&p.Y, &q.Y)
		}
		l.Mul(&l, &inv)
		x.Square(&l).Sub(&x, &q.X).Sub(&x, &p.X)
		y.Sub(&q.X, &x).Mul(&y, &l).Sub(&y, &q.Y) // y3 = λ(x_q − x3) − y_q
		q.X, q.Y = x, y
		g.inBatch[o.k] = false
	}
	g.ops = g.ops[:0]
}

// flush performs every pending addition. add never calls it (it would reuse the buffers flush is
// iterating); callers flush between additions.
func (g *g1Buckets) flush() {
	for len(g.ops) > 0 || len(g.later) > 0 {
		g.apply()
		ops := g.later
		g.later = g.spare[:0]
		for _, o := range ops {
			g.add(o)
		}
		g.spare = ops
	}
}

// sum returns Σ_k (k+1)·bucket[k].
func (g *g1Buckets) sum() curve.G1Jac {
	var run, tot curve.G1Jac
	run.X.SetOne()
	run.Y.SetOne()
	tot = run
	for k := msmBucket - 1; k >= 0; k-- {
		if g.full[k] {
			run.AddMixed(&g.b[k])
		}
		tot.AddAssign(&run)
	}
	return tot
}

// msm returns Σ s_i·P_i over the first len(scalars) bases.
func (m *fixedMSMG1) msm(scalars []fr.Element) curve.G1Jac {
	g := newG1Buckets(m.tbl)
	var d [msmWins]int32
	for i := range scalars {
		if m.inf[i] || scalars[i].IsZero() {
			continue
		}
		signedDigits(&scalars[i], &d)
		for j, dj := range d {
			switch {
			case dj > 0:
				g.add(g1Op{k: dj - 1, i: int32(i*msmWins + j)})
			case dj < 0:
				g.add(g1Op{k: -dj - 1, i: int32(i*msmWins + j), neg: true})
			}
		}
		if len(g.later) >= 4*msmBatch {
			g.flush()
		}
	}
	g.flush()
	return g.sum()
}

// ---- G2 (the same over F_p², whose element type gnark-crypto keeps internal: variables of it are
// taken from G2Affine fields) -----------------------------------------------------------------------

// sliceLike returns a slice of n values of the type of *v.
func sliceLike[T any](_ *T, n int) []T { return make([]T, n) }

// fixedMSMG2 holds the window multiples of fixed G2 bases: tbl[i·msmWins + j] = [2^(c·j)]Q_i.
type fixedMSMG2 struct {
	n   int
	tbl []curve.G2Affine
	inf []bool
}

func newFixedMSMG2(points []curve.G2Affine) *fixedMSMG2 {
	m := &fixedMSMG2{n: len(points), tbl: make([]curve.G2Affine, len(points)*msmWins), inf: make([]bool, len(points))}
	parallel(len(points), func(lo, hi int) {
		const chunk = 64
		jac := make([]curve.G2Jac, chunk*msmWins)
		for a := lo; a < hi; a += chunk {
			b := min(a+chunk, hi)
			for i := a; i < b; i++ {
				m.inf[i] = points[i].IsInfinity()
				var p curve.G2Jac
				p.FromAffine(&points[i])
				for j := range msmWins {
					jac[(i-a)*msmWins+j] = p
					for range msmWindow {
						p.DoubleAssign()
					}
				}
			}
			batchJacobianToAffineG2(jac[:(b-a)*msmWins], m.tbl[a*msmWins:b*msmWins])
		}
	})
	return m
}

// batchJacobianToAffineG2 converts points (none at infinity unless Z = 0) with one inversion.
func batchJacobianToAffineG2(in []curve.G2Jac, out []curve.G2Affine) {
	var t curve.G2Affine
	pre := sliceLike(&t.X, len(in))
	acc := t.X
	acc.SetOne()
	for i := range in {
		pre[i] = acc
		if !in[i].Z.IsZero() {
			acc.Mul(&acc, &in[i].Z)
		}
	}
	acc.Inverse(&acc)
	for i := len(in) - 1; i >= 0; i-- {
		if in[i].Z.IsZero() {
			out[i] = curve.G2Affine{}
			continue
		}
		inv, zz := t.X, t.Y
		inv.Mul(&acc, &pre[i])
		acc.Mul(&acc, &in[i].Z)
		zz.Square(&inv)
		out[i].X.Mul(&in[i].X, &zz)
		zz.Mul(&zz, &inv)
		out[i].Y.Mul(&in[i].Y, &zz)
	}
}

type g2Op = g1Op

type g2Buckets struct {
	tbl     []curve.G2Affine
	b       []curve.G2Affine
	full    []bool
	inBatch []bool
	ops     []g2Op
	den     []curve.G2Affine // .X: x_p − x_q; .Y: prefix products
	later   []g2Op
	spare   []g2Op
}

func newG2Buckets(tbl []curve.G2Affine) *g2Buckets {
	return &g2Buckets{
		tbl: tbl, b: make([]curve.G2Affine, msmBucket), full: make([]bool, msmBucket), inBatch: make([]bool, msmBucket),
		ops: make([]g2Op, 0, msmBatch), den: make([]curve.G2Affine, msmBatch),
	}
}

func (g *g2Buckets) add(o g2Op) {
	p := &g.tbl[o.i]
	q := &g.b[o.k]
	if !g.full[o.k] {
		*q, g.full[o.k] = *p, true
		if o.neg {
			q.Y.Neg(&q.Y)
		}
		return
	}
	if g.inBatch[o.k] {
		g.later = append(g.later, o)
		return
	}
	if q.X.Equal(&p.X) {
		var j curve.G2Jac
		j.FromAffine(q)
		pp := *p
		if o.neg {
			pp.Neg(&pp)
		}
		j.AddMixed(&pp)
		if j.Z.IsZero() {
			g.full[o.k] = false
		} else {
			q.FromJacobian(&j)
		}
		return
	}
	g.ops = append(g.ops, o)
	g.inBatch[o.k] = true
	if len(g.ops) == msmBatch {
		g.apply()
	}
}

func (g *g2Buckets) apply() {
	n := len(g.ops)
	if n == 0 {
		return
	}
	var t curve.G2Affine
	acc := t.X
	acc.SetOne()
	for u, o := range g.ops {
		g.den[u].X.Sub(&g.tbl[o.i].X, &g.b[o.k].X)
		g.den[u].Y = acc
		acc.Mul(&acc, &g.den[u].X)
	}
	acc.Inverse(&acc)
	for u := n - 1; u >= 0; u-- {
		o := g.ops[u]
		var s, r curve.G2Affine // s.X: 1/den, s.Y: λ; r.X: x3, r.Y: y3
		s.X.Mul(&acc, &g.den[u].Y)
		acc.Mul(&acc, &g.den[u].X)
		q, p := &g.b[o.k], &g.tbl[o.i]
		if o.neg {
			s.Y.Add(&p.Y, &q.Y).Neg(&s.Y)
		} else {
			s.Y.Sub(&p.Y, &q.Y)
		}
		s.Y.Mul(&s.Y, &s.X)
		r.X.Square(&s.Y).Sub(&r.X, &q.X).Sub(&r.X, &p.X)
		r.Y.Sub(&q.X, &r.X).Mul(&r.Y, &s.Y).Sub(&r.Y, &q.Y)
		*q = r
		g.inBatch[o.k] = false
	}
	g.ops = g.ops[:0]
}

func (g *g2Buckets) flush() {
	for len(g.ops) > 0 || len(g.later) > 0 {
		g.apply()
		ops := g.later
		g.later = g.spare[:0]
		for _, o := range ops {
			g.add(o)
		}
		g.spare = ops
	}
}

func (g *g2Buckets) sum() curve.G2Jac {
	var run, tot curve.G2Jac
	run.X.SetOne()
	run.Y.SetOne()
	tot = run
	for k := msmBucket - 1; k >= 0; k-- {
		if g.full[k] {
			run.AddMixed(&g.b[k])
		}
		tot.AddAssign(&run)
	}
	return tot
}

// msm returns Σ s_i·Q_i over the first len(scalars) bases.
func (m *fixedMSMG2) msm(scalars []fr.Element) curve.G2Jac {
	g := newG2Buckets(m.tbl)
	var d [msmWins]int32
	for i := range scalars {
		if m.inf[i] || scalars[i].IsZero() {
			continue
		}
		signedDigits(&scalars[i], &d)
		for j, dj := range d {
			switch {
			case dj > 0:
				g.add(g2Op{k: dj - 1, i: int32(i*msmWins + j)})
			case dj < 0:
				g.add(g2Op{k: -dj - 1, i: int32(i*msmWins + j), neg: true})
			}
		}
		if len(g.later) >= 4*msmBatch {
			g.flush()
		}
	}
	g.flush()
	return g.sum()
}
