//go:build stress

package zk

import (
	"testing"
)

// TestProverFullCircuit proves the standard presentation and the one with the Merkle-root country
// set with a Prover on the real key (building its tables takes seconds: go test -tags stress -run
// TestProverFullCircuit ./zk), verifies both, and refuses a false statement and another nonce.
func TestProverFullCircuit(t *testing.T) {
	f := testFixture(t)
	pk, _ := groth16Keys(t)
	prover, err := NewProver(pk)
	if err != nil {
		t.Fatal(err)
	}
	if prover.g == nil {
		t.Fatal("no expanded tables for the Groth16 key")
	}
	for _, req := range []*Request{f.fullRequest(t), f.setRequest(t)} {
		p, err := prover.Prove(req, f.cred, f.holder, f.path())
		if err != nil {
			t.Fatal(err)
		}
		if r := devVerifier(t).Verify(req, p, testNow); !r.Valid {
			t.Fatal(r.Err())
		}
		other := *req
		other.Nonce[31] ^= 1
		moved := *p
		moved.PublicInputs = append([]Scalar(nil), p.PublicInputs...)
		moved.PublicInputs[publicIndex("nonce")] = other.Nonce
		wantReason(t, devVerifier(t).Verify(&other, &moved, testNow), ReasonProof)
	}
	req := f.fullRequest(t)
	req.MinAge = 40
	if _, err := prover.Prove(req, f.cred, f.holder, f.path()); err == nil {
		t.Fatal("a false statement proved")
	}
	bad, _, err := buildAssignment(req, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prover.proveAssignment(pk, bad); err == nil {
		t.Fatal("the expanded-base prover proved a false witness")
	}
}
