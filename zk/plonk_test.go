package zk

import (
	"bytes"
	"errors"
	"testing"
)

// TestPlonkRoundTrip: the universal-setup backend proves and verifies the full request; a tampered
// proof, a proof for another nonce and a false statement are refused; keys round-trip.
func TestPlonkRoundTrip(t *testing.T) {
	f := testFixture(t)
	pk, vk, err := SetupUnsafe(PLONK)
	if err != nil {
		t.Fatal(err)
	}
	req := f.fullRequest(t)
	p, err := Prove(pk, req, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{Key: vk, AllowUnsafeSetup: true}
	if r := v.Verify(req, p, testNow); !r.Valid {
		t.Fatal(r.Err())
	}
	b, _ := vk.MarshalBinary()
	var vk2 VerifyingKey
	if err := vk2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if b2, _ := vk2.MarshalBinary(); !bytes.Equal(b, b2) || vk2.Backend != PLONK {
		t.Fatal("PLONK verifying key does not round-trip")
	}

	tampered := *p
	tampered.Proof = bytes.Clone(p.Proof)
	tampered.Proof[len(tampered.Proof)/2] ^= 1
	if r := v.Verify(req, &tampered, testNow); r.Valid || (r.Reason != ReasonProof && r.Reason != ReasonMalformed) {
		t.Fatalf("tampered PLONK proof: %+v", r)
	}
	other := *req
	other.Nonce[31] ^= 1
	moved := *p
	moved.PublicInputs = append([]Scalar(nil), p.PublicInputs...)
	moved.PublicInputs[publicIndex("nonce")] = other.Nonce
	wantReason(t, v.Verify(&other, &moved, testNow), ReasonProof)

	// A false statement (age below the requested minimum) cannot be proven with PLONK either: Prove
	// refuses it natively, and the PLONK prover refuses the witness built anyway.
	young := f.fullRequest(t)
	young.MinAge = 120
	var ue *UnsatisfiedError
	if _, err := Prove(pk, young, f.cred, f.holder, f.path()); !errors.As(err, &ue) || ue.Statement != "age" {
		t.Fatalf("PLONK Prove of a false age: %v", err)
	}
	bad, _, err := buildAssignment(young, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := proveAssignment(pk, bad); !errors.Is(err, ErrUnsatisfied) {
		t.Fatalf("PLONK prover accepted a false statement: %v", err)
	}
	t.Logf("PLONK proof: %d bytes", len(p.Proof))
}
