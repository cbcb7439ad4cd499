package zk

import (
	"bytes"
	"testing"
)

// TestPlonkRoundTrip: the universal-setup backend proves and verifies the full request; a tampered
// proof and a proof for another nonce are refused; keys round-trip.
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
	t.Logf("PLONK proof: %d bytes", len(p.Proof))
}
