package envelope

import (
	"errors"
	"testing"
	"time"
)

func TestRotationOverlapAndRevocationGrace(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	old, next := mustIdentity(t, XWing), mustIdentity(t, XWing)
	sender := mustSigner(t, Ed25519)
	kr := NewKeyring()
	kr.AddValid(old, KeyValidity{From: t0})
	toOld, err := Seal([]byte("before rotation"), sender, []Recipient{old.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(toOld, kr.At(t0.Add(-time.Second)), nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("before From: %v", err)
	}

	rot := t0.Add(24 * time.Hour)
	overlap := 7 * 24 * time.Hour
	if err := kr.Rotate(old.KeyID(), next, rot, overlap); err != nil {
		t.Fatal(err)
	}
	if ks := kr.SealingKeys(rot); len(ks) != 1 || ks[0] != next.KeyID() {
		t.Fatalf("after rotation senders should seal to the new key only: %v", ks)
	}
	if ks := kr.SealingKeys(rot.Add(-time.Second)); len(ks) != 1 || ks[0] != old.KeyID() {
		t.Fatalf("before rotation: %v", ks)
	}
	// Within the overlap the old key still opens; at its end it does not.
	if _, _, err := Open(toOld, kr.At(rot.Add(overlap-time.Second)), nil); err != nil {
		t.Fatalf("inside overlap: %v", err)
	}
	if _, _, err := Open(toOld, kr.At(rot.Add(overlap)), nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("after overlap: %v", err)
	}
	toNext, _ := Seal([]byte("after rotation"), sender, []Recipient{next.Recipient()}, nil)
	if _, _, err := Open(toNext, kr.At(rot.Add(overlap)), nil); err != nil {
		t.Fatalf("new key: %v", err)
	}

	// Revocation: no sealing from now, opening for the grace period only.
	rev := rot.Add(time.Hour)
	grace := 48 * time.Hour
	if err := kr.Revoke(next.KeyID(), rev, grace); err != nil {
		t.Fatal(err)
	}
	if ks := kr.SealingKeys(rev); len(ks) != 0 {
		t.Fatalf("revoked key still a sealing key: %v", ks)
	}
	if _, _, err := Open(toNext, kr.At(rev.Add(grace-time.Second)), nil); err != nil {
		t.Fatalf("inside grace: %v", err)
	}
	if _, _, err := Open(toNext, kr.At(rev.Add(grace)), nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("after grace: %v", err)
	}
	// A later, longer revocation cannot extend an earlier bound.
	kr.Revoke(next.KeyID(), rev.Add(time.Hour), 100*grace)
	if v, _ := kr.Validity(next.KeyID()); !v.OpenUntil.Equal(rev.Add(grace)) {
		t.Fatalf("revocation extended: %v", v.OpenUntil)
	}
	if err := kr.Revoke(KeyID{1}, rev, grace); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("unknown key: %v", err)
	}
}
