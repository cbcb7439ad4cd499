package zk

import (
	"testing"
)

// Benchmarks of the standard presentation (TARGETS.md). The same-run comparison with the
// circom/snarkjs reference is `virtengine zk bench --reference bench/circom` (TARGETS.md); its
// numbers are in bench/circom/README.md.

func BenchmarkProveGroth16(b *testing.B) {
	f := testFixture(b)
	pk, _ := groth16Keys(b)
	req := f.fullRequest(b)
	path := f.path()
	for b.Loop() {
		if _, err := Prove(pk, req, f.cred, f.holder, path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProverGroth16 is BenchmarkProveGroth16 with a Prover (bases expanded once, not timed),
// each proof answering a new request.
func BenchmarkProverGroth16(b *testing.B) {
	f := testFixture(b)
	pk, _ := groth16Keys(b)
	prover, err := NewProver(pk)
	if err != nil {
		b.Fatal(err)
	}
	path := f.path()
	b.ResetTimer()
	for b.Loop() {
		req := f.fullRequest(b)
		if _, err := prover.Prove(req, f.cred, f.holder, path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSolve is the witness solving alone (a part of every proof).
func BenchmarkSolve(b *testing.B) {
	f := testFixture(b)
	a, _, err := buildAssignment(f.fullRequest(b), f.cred, f.holder, f.path())
	if err != nil {
		b.Fatal(err)
	}
	w, err := newFullWitness(a)
	if err != nil {
		b.Fatal(err)
	}
	cs, err := compile(Groth16)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := cs.Solve(w); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyGroth16(b *testing.B) {
	req, p := validPresentation(b)
	v := devVerifier(b)
	v.Nonces = nil
	for b.Loop() {
		if r := v.Verify(req, p, testNow); !r.Valid {
			b.Fatal(r.Err())
		}
	}
}

func BenchmarkIssue(b *testing.B) {
	f := testFixture(b)
	attrs := f.cred.Attributes
	for b.Loop() {
		if _, err := Issue(f.issuer, attrs, nil); err != nil {
			b.Fatal(err)
		}
	}
}
