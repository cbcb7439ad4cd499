package zk

import (
	"fmt"
	"math/big"
	"sync"

	curve "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	csbn254 "github.com/consensys/gnark/constraint/bn254"
)

// Prover proves presentations with one proving key kept in memory, for a wallet or a service that
// answers many requests. For Groth16 it also keeps the key's bases expanded for multi-scalar
// multiplication with precomputation (msm.go): NewProver takes about a second on two cores and
// 72 MB, and every proof after that takes about 28% less CPU than Prove (197 ms against 272 ms on
// the 2-core machine of bench/circom/README.md; 107 ms against 144 ms wall). Proofs are the same
// Groth16 proofs (same key, fresh randomness), verified by the same Verifier. Safe for concurrent
// use.
type Prover struct {
	pk *ProvingKey
	g  *groth16Tables // nil for PLONK
}

// groth16Tables is a Groth16 proving key with its bases expanded.
type groth16Tables struct {
	cs            *csbn254.R1CS
	pk            *groth16bn254.ProvingKey
	a, b1, k, z   *fixedMSMG1
	b2            *fixedMSMG2
	nbPublic      int
	infA, infB    []bool
	nbWA, nbWB    int
	domain        *fft.Domain
	quotientScale fr.Element // 1/(g^n − 1): Z_H on the coset
}

// NewProver prepares pk for repeated proofs.
func NewProver(pk *ProvingKey) (*Prover, error) {
	if !pk.ready() {
		return nil, fmt.Errorf("%w: empty proving key (load one with UnmarshalBinary or run a setup)", ErrInvalidKey)
	}
	p := &Prover{pk: pk}
	if pk.Backend != Groth16 {
		return p, nil
	}
	cs, err := compile(Groth16)
	if err != nil {
		return nil, err
	}
	r1, ok := cs.(*csbn254.R1CS)
	gpk, ok2 := pk.g16.(*groth16bn254.ProvingKey)
	if !ok || !ok2 || len(gpk.CommitmentKeys) != 0 || len(r1.CommitmentInfo.(constraint.Groth16Commitments)) != 0 {
		return p, nil // not the shape this prover handles: Prove's path (gnark's prover) is used
	}
	t, err := newGroth16Tables(r1, gpk)
	if err != nil {
		return nil, err
	}
	p.g = t
	return p, nil
}

// newGroth16Tables expands the bases of a Groth16 key of r1 (a circuit without commitments).
func newGroth16Tables(r1 *csbn254.R1CS, gpk *groth16bn254.ProvingKey) (*groth16Tables, error) {
	nbWires := r1.GetNbInternalVariables() + r1.GetNbSecretVariables() + r1.GetNbPublicVariables()
	if len(gpk.InfinityA) != nbWires || len(gpk.InfinityB) != nbWires || len(gpk.G1.K) != nbWires-r1.GetNbPublicVariables() {
		return nil, fmt.Errorf("%w: proving key does not match the circuit", ErrInvalidKey)
	}
	t := &groth16Tables{cs: r1, pk: gpk, nbPublic: r1.GetNbPublicVariables(), infA: gpk.InfinityA, infB: gpk.InfinityB,
		nbWA: nbWires - int(gpk.NbInfinityA), nbWB: nbWires - int(gpk.NbInfinityB), domain: &gpk.Domain}
	if len(gpk.G1.A) != t.nbWA || len(gpk.G1.B) != t.nbWB || len(gpk.G2.B) != t.nbWB ||
		uint64(len(gpk.G1.Z)) < t.domain.Cardinality-1 || t.domain.Cardinality < uint64(r1.GetNbConstraints()) {
		return nil, fmt.Errorf("%w: proving key does not match the circuit", ErrInvalidKey)
	}
	var one fr.Element
	one.SetOne()
	t.quotientScale.Exp(t.domain.FrMultiplicativeGen, new(big.Int).SetUint64(t.domain.Cardinality))
	t.quotientScale.Sub(&t.quotientScale, &one).Inverse(&t.quotientScale)
	// one table at a time: each build is itself parallel
	t.a = newFixedMSMG1(gpk.G1.A)
	t.b1 = newFixedMSMG1(gpk.G1.B)
	t.k = newFixedMSMG1(gpk.G1.K)
	t.z = newFixedMSMG1(gpk.G1.Z)
	t.b2 = newFixedMSMG2(gpk.G2.B)
	return t, nil
}

// Prove is zk.Prove with the prover's key.
func (p *Prover) Prove(req *Request, cred *Credential, holder *HolderSecret, rev *RevocationPath) (*Presentation, error) {
	return prove(p.pk, p.proveAssignment, req, cred, holder, rev)
}

func (p *Prover) proveAssignment(pk *ProvingKey, assignment *Circuit) ([]byte, error) {
	if p.g == nil {
		return proveAssignment(pk, assignment)
	}
	w, err := newFullWitness(assignment)
	if err != nil {
		return nil, err
	}
	proof, err := p.g.prove(w)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsatisfied, err)
	}
	return encodeGroth16Proof(proof)
}

// prove is gnark's Groth16 prover (backend/groth16/bn254, for a circuit without commitments) with the
// multi-scalar multiplications on the expanded bases. Notation of the DIZK paper as in gnark:
//
//	Ar  = [α]₁ + Σ w_i [A_i(τ)]₁ + r[δ]₁
//	Bs  = [β]₂ + Σ w_i [B_i(τ)]₂ + s[δ]₂          (and Bs1 the same in G1)
//	Krs = Σ h_i [τ^i Z(τ)/δ]₁ + Σ_{private} w_i [K_i]₁ + s·Ar + r·Bs1 − rs[δ]₁
func (t *groth16Tables) prove(w witness.Witness) (*groth16bn254.Proof, error) {
	sol, err := t.cs.Solve(w)
	if err != nil {
		return nil, err
	}
	s := sol.(*csbn254.R1CSSolution)
	wires := []fr.Element(s.W)

	var r, sc, kr fr.Element
	if _, err := r.SetRandom(); err != nil {
		return nil, err
	}
	if _, err := sc.SetRandom(); err != nil {
		return nil, err
	}
	kr.Mul(&r, &sc).Neg(&kr)
	var rb, sb big.Int
	r.BigInt(&rb)
	sc.BigInt(&sb)

	wA := make([]fr.Element, 0, t.nbWA)
	wB := make([]fr.Element, 0, t.nbWB)
	for i := range wires {
		if !t.infA[i] {
			wA = append(wA, wires[i])
		}
		if !t.infB[i] {
			wB = append(wB, wires[i])
		}
	}

	var ar, bs1, krs, krsZ curve.G1Jac
	var bs curve.G2Jac
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	// the quotient first, on every core (its FFTs are short and Z's MSM, the largest, needs it),
	// then the five multi-scalar multiplications side by side
	h := t.quotient(s.A, s.B, s.C)
	run(func() { krsZ = t.z.msm(h[:t.domain.Cardinality-1]) })
	run(func() { bs = t.b2.msm(wB) })
	run(func() { krs = t.k.msm(wires[t.nbPublic:]) })
	run(func() { ar = t.a.msm(wA) })
	run(func() { bs1 = t.b1.msm(wB) })
	wg.Wait()

	deltas := curve.BatchScalarMultiplicationG1(&t.pk.G1.Delta, []fr.Element{r, sc, kr})
	ar.AddMixed(&t.pk.G1.Alpha)
	ar.AddMixed(&deltas[0])
	bs1.AddMixed(&t.pk.G1.Beta)
	bs1.AddMixed(&deltas[1])
	krs.AddMixed(&deltas[2])
	krs.AddAssign(&krsZ)
	var p1 curve.G1Jac
	p1.ScalarMultiplication(&ar, &sb)
	krs.AddAssign(&p1)
	p1.ScalarMultiplication(&bs1, &rb)
	krs.AddAssign(&p1)
	var deltaS curve.G2Jac
	deltaS.FromAffine(&t.pk.G2.Delta)
	deltaS.ScalarMultiplication(&deltaS, &sb)
	bs.AddAssign(&deltaS)
	bs.AddMixed(&t.pk.G2.Beta)

	proof := &groth16bn254.Proof{}
	proof.Ar.FromJacobian(&ar)
	proof.Bs.FromJacobian(&bs)
	proof.Krs.FromJacobian(&krs)
	return proof, nil
}

// quotient returns the coefficients of h = (a·b − c)/Z_H, as gnark's computeH: a, b, c are the
// evaluations of the constraint polynomials on the domain.
func (t *groth16Tables) quotient(a, b, c []fr.Element) []fr.Element {
	n := int(t.domain.Cardinality)
	pad := func(x []fr.Element) []fr.Element {
		if cap(x) >= n {
			y := x[:n]
			clear(y[len(x):])
			return y
		}
		return append(x, make([]fr.Element, n-len(x))...)
	}
	a, b, c = pad(a), pad(b), pad(c)
	var wg sync.WaitGroup
	for _, v := range [][]fr.Element{a, b, c} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.domain.FFTInverse(v, fft.DIF)
			t.domain.FFT(v, fft.DIT, fft.OnCoset())
		}()
	}
	wg.Wait()
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a[i].Mul(&a[i], &b[i]).Sub(&a[i], &c[i]).Mul(&a[i], &t.quotientScale)
		}
	})
	t.domain.FFTInverse(a, fft.DIF, fft.OnCoset())
	return a
}
