package zk

import (
	"testing"
)

// Benchmarks of the standard presentation (every statement on). The same-run comparison with the
// circom/snarkjs reference is `virtengine zk bench --reference bench/circom` (TARGETS.md).

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
