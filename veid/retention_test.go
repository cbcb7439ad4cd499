package veid

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/virtengine/sdk/envelope"
)

func TestRetentionErasureExport(t *testing.T) {
	id, _ := envelope.GenerateIdentity(envelope.X25519)
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	ev, _ := envelope.Seal([]byte("selfie"), sk, []envelope.Recipient{id.Recipient()}, nil)
	s := NewScopes(id.KeyID())
	if err := s.Add(Scope{ID: "old", Kind: KindSelfie, Evidence: ev}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(Scope{ID: "new", Kind: KindIDDocument, Evidence: ev}, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	// Nothing is purged before seven days; at seven days the old scope loses its raw evidence only.
	if n := s.PurgeExpired(t0.Add(RawRetention - time.Second)); n != 0 {
		t.Fatal(n)
	}
	if n := s.PurgeExpired(t0.Add(RawRetention)); n != 1 {
		t.Fatal(n)
	}
	old, _ := s.Get("old")
	if old.Evidence != nil || old.Kind != KindSelfie {
		t.Fatalf("%+v", old)
	}
	if nw, _ := s.Get("new"); nw.Evidence == nil {
		t.Fatal("recent evidence purged")
	}

	raw, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	var back struct{ Scopes []Scope }
	if err := json.Unmarshal(raw, &back); err != nil || len(back.Scopes) != 2 || back.Scopes[1].ID != "new" {
		t.Fatal(err, string(raw))
	}

	if err := s.Erase("old"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("old"); !errors.Is(err, ErrScopeNotFound) {
		t.Fatal("erased scope still present")
	}
	if err := s.Erase("old"); !errors.Is(err, ErrScopeNotFound) {
		t.Fatal(err)
	}
}
