package zk

import (
	"bytes"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	"github.com/consensys/gnark/constraint"
	csbn254 "github.com/consensys/gnark/constraint/bn254"
)

// The production Groth16 setup is a two-phase multi-party ceremony (gnark's mpcsetup, after
// Bowe–Gabizon–Miers, ePrint 2017/1050): the keys are sound as long as ONE contributor of each
// phase destroyed their randomness. Flow:
//
//	p := StartPhase1()                     // coordinator
//	p = p.Contribute()                     // each participant in turn, passing bytes along
//	srs, _ := VerifyPhase1(beacon1, all…)  // anyone: checks every contribution, seals with a beacon
//	q, _ := StartPhase2(srs)               // coordinator
//	q = q.Contribute()                     // each participant in turn
//	pk, vk, _ := FinalizeCeremony(srs, beacon2, all…) // anyone: checks every contribution
//
// Phase 1 depends only on the domain size and can be shared by circuits of the same size.

// Phase1 is one state of the circuit-independent phase (powers of τ, α, β).
type Phase1 struct {
	p *mpcsetup.Phase1
	n uint64
}

// Phase1Result is the sealed phase-1 output (the SRS commons) from VerifyPhase1.
type Phase1Result struct {
	c mpcsetup.SrsCommons
	n uint64
}

// Phase2 is one state of the circuit-specific phase (δ).
type Phase2 struct{ p *mpcsetup.Phase2 }

// circuitR1CS returns the Groth16 constraint system of the circuit (CircuitVersion).
func circuitR1CS() (*csbn254.R1CS, error) {
	cs, err := compile(Groth16)
	if err != nil {
		return nil, err
	}
	return asR1CS(cs)
}

func asR1CS(cs constraint.ConstraintSystem) (*csbn254.R1CS, error) {
	r, ok := cs.(*csbn254.R1CS)
	if !ok {
		return nil, fmt.Errorf("%w: ceremony needs a BN254 R1CS", ErrCeremony)
	}
	return r, nil
}

func domainSize(r *csbn254.R1CS) uint64 { return ecc.NextPowerOfTwo(uint64(r.GetNbConstraints())) }

// StartPhase1 returns the initial phase-1 state for the circuit, before any contribution.
func StartPhase1() (*Phase1, error) {
	r, err := circuitR1CS()
	if err != nil {
		return nil, err
	}
	return startPhase1(domainSize(r)), nil
}

func startPhase1(n uint64) *Phase1 { return &Phase1{p: mpcsetup.NewPhase1(n), n: n} }

// Contribute returns a new state with fresh secret randomness mixed in (and a proof of it). The
// randomness is discarded when Contribute returns. The receiver is unchanged.
func (p *Phase1) Contribute() (*Phase1, error) {
	next, err := p.clone()
	if err != nil {
		return nil, err
	}
	next.p.Contribute()
	return next, nil
}

func (p *Phase1) clone() (*Phase1, error) {
	b, err := p.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var q Phase1
	if err := q.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return &q, nil
}

// MarshalBinary encodes the state (domain size u64 big-endian, then gnark's encoding).
func (p *Phase1) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.Write(be64(p.n))
	if _, err := p.p.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes a state written by MarshalBinary.
func (p *Phase1) UnmarshalBinary(b []byte) error {
	if len(b) < 8 {
		return fmt.Errorf("%w: phase 1 state too short", ErrMalformed)
	}
	if err := prescanPhase1(b); err != nil {
		return err
	}
	var q mpcsetup.Phase1
	r := bytes.NewReader(b[8:])
	if err := guardDecode("phase 1 state", func() error {
		if _, err := q.ReadFrom(r); err != nil || r.Len() != 0 {
			return fmt.Errorf("%w: phase 1 state: %v", ErrMalformed, err)
		}
		return nil
	}); err != nil {
		return err
	}
	p.p, p.n = &q, u64be(b[:8])
	return nil
}

// VerifyPhase1 checks that each contribution builds on the previous one (starting from the initial
// state) with a valid proof, then seals the last with the public beacon (a random value published
// after the last contribution, e.g. a drand round).
func VerifyPhase1(beacon []byte, contributions ...*Phase1) (*Phase1Result, error) {
	if len(contributions) == 0 {
		return nil, fmt.Errorf("%w: no phase 1 contributions", ErrCeremony)
	}
	n := contributions[0].n
	cs := make([]*mpcsetup.Phase1, len(contributions))
	for i, c := range contributions {
		cl, err := c.clone() // mpcsetup modifies its inputs
		if err != nil {
			return nil, err
		}
		if cl.n != n {
			return nil, fmt.Errorf("%w: contribution %d has another domain size", ErrCeremony, i)
		}
		cs[i] = cl.p
	}
	commons, err := mpcsetup.VerifyPhase1(n, beacon, cs...)
	if err != nil {
		return nil, fmt.Errorf("%w: phase 1: %v", ErrCeremony, err)
	}
	return &Phase1Result{c: commons, n: n}, nil
}

// MarshalBinary encodes the phase-1 result.
func (r *Phase1Result) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.Write(be64(r.n))
	if _, err := r.c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes a result written by MarshalBinary.
func (r *Phase1Result) UnmarshalBinary(b []byte) error {
	if len(b) < 8 {
		return fmt.Errorf("%w: phase 1 result too short", ErrMalformed)
	}
	if err := prescanPhase1Result(b); err != nil {
		return err
	}
	var c mpcsetup.SrsCommons
	rd := bytes.NewReader(b[8:])
	if err := guardDecode("phase 1 result", func() error {
		if _, err := c.ReadFrom(rd); err != nil || rd.Len() != 0 {
			return fmt.Errorf("%w: phase 1 result: %v", ErrMalformed, err)
		}
		return nil
	}); err != nil {
		return err
	}
	r.c, r.n = c, u64be(b[:8])
	return nil
}

// StartPhase2 returns the initial phase-2 state of the circuit from a sealed phase 1.
func StartPhase2(srs *Phase1Result) (*Phase2, error) {
	r, err := circuitR1CS()
	if err != nil {
		return nil, err
	}
	return startPhase2(r, srs)
}

func startPhase2(r *csbn254.R1CS, srs *Phase1Result) (*Phase2, error) {
	if srs.n < uint64(r.GetNbConstraints()) {
		return nil, fmt.Errorf("%w: phase 1 domain %d is smaller than the circuit (%d constraints)", ErrCeremony, srs.n, r.GetNbConstraints())
	}
	var p mpcsetup.Phase2
	p.Initialize(r, &srs.c)
	return &Phase2{p: &p}, nil
}

// Contribute returns a new state with fresh secret randomness mixed in. The receiver is unchanged.
func (p *Phase2) Contribute() (*Phase2, error) {
	next, err := p.clone()
	if err != nil {
		return nil, err
	}
	next.p.Contribute()
	return next, nil
}

func (p *Phase2) clone() (*Phase2, error) {
	b, err := p.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var q Phase2
	if err := q.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return &q, nil
}

// MarshalBinary encodes the state with gnark's encoding.
func (p *Phase2) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := p.p.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes a state written by MarshalBinary.
func (p *Phase2) UnmarshalBinary(b []byte) error {
	if err := prescanPhase2(b); err != nil {
		return err
	}
	var q mpcsetup.Phase2
	r := bytes.NewReader(b)
	if err := guardDecode("phase 2 state", func() error {
		if _, err := q.ReadFrom(r); err != nil || r.Len() != 0 {
			return fmt.Errorf("%w: phase 2 state: %v", ErrMalformed, err)
		}
		return nil
	}); err != nil {
		return err
	}
	p.p = &q
	return nil
}

// FinalizeCeremony checks every phase-2 contribution in order, seals the last with the public
// beacon and returns the production keys of the circuit (not marked unsafe).
func FinalizeCeremony(srs *Phase1Result, beacon []byte, contributions ...*Phase2) (*ProvingKey, *VerifyingKey, error) {
	r, err := circuitR1CS()
	if err != nil {
		return nil, nil, err
	}
	return finalize(r, srs, beacon, contributions...)
}

func finalize(r *csbn254.R1CS, srs *Phase1Result, beacon []byte, contributions ...*Phase2) (*ProvingKey, *VerifyingKey, error) {
	if len(contributions) == 0 {
		return nil, nil, fmt.Errorf("%w: no phase 2 contributions", ErrCeremony)
	}
	if srs.n < uint64(r.GetNbConstraints()) {
		return nil, nil, fmt.Errorf("%w: phase 1 domain too small", ErrCeremony)
	}
	cs := make([]*mpcsetup.Phase2, len(contributions))
	for i, c := range contributions {
		cl, err := c.clone()
		if err != nil {
			return nil, nil, err
		}
		cs[i] = cl.p
	}
	pk, vk, err := mpcsetup.VerifyPhase2(r, &srs.c, beacon, cs...)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: phase 2: %v", ErrCeremony, err)
	}
	return &ProvingKey{Backend: Groth16, g16: pk}, &VerifyingKey{Backend: Groth16, g16: vk}, nil
}

func be64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range 8 {
		b[i] = byte(v >> (56 - 8*i))
	}
	return b
}

func u64be(b []byte) uint64 {
	var v uint64
	for _, x := range b[:8] {
		v = v<<8 | uint64(x)
	}
	return v
}
