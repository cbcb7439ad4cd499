package veid

import (
	"crypto/ed25519"
	"errors"
	"testing"
	"time"
)

// A VC rebuilt from its content and one signature verifies like IssueVC's, byte for byte; a
// signature by another key or over other content does not (reject twins).
func TestAssembleVCFromSignature(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := key.Public().(ed25519.PublicKey)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := Attestation{ID: "urn:virtengine:identity:01", Subject: "urn:virtengine:account:ve1x", Result: Result{Model: "composite-v2", Score: 80, Passed: true},
		Scopes: []ScopeKind{KindIDDocument, KindSelfie}, IssuedAt: now, ValidUntil: now.Add(48 * time.Hour)}
	issued, err := IssueVC(NewIssuer(key), a)
	if err != nil {
		t.Fatal(err)
	}
	h, err := VCSigningHash(pub, a)
	if err != nil {
		t.Fatal(err)
	}
	sig := ed25519.Sign(key, h)
	vc, err := AssembleVC(pub, a, sig)
	if err != nil {
		t.Fatal(err)
	}
	if string(vc) != string(issued) {
		t.Fatalf("assembled VC differs from IssueVC's:\n%s\n%s", vc, issued)
	}
	c, err := VerifyVC(vc, pub, now.Add(time.Hour))
	if err != nil || !c.ValidUntil.Equal(a.ValidUntil) {
		t.Fatalf("verify: %v %v", c, err)
	}
	if err := VerifyVCSignature(pub, a, sig); err != nil {
		t.Fatal(err)
	}
	otherKey := ed25519.NewKeyFromSeed([]byte("another attestation key seed 32b"))
	if err := VerifyVCSignature(otherKey.Public().(ed25519.PublicKey), a, sig); !errors.Is(err, ErrBadProof) {
		t.Fatalf("another key: %v", err)
	}
	b := a
	b.Result.Score = 81
	if err := VerifyVCSignature(pub, b, sig); !errors.Is(err, ErrBadProof) {
		t.Fatalf("other content: %v", err)
	}
}
