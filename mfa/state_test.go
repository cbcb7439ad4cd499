package mfa

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestPasskeyStateRoundTrip(t *testing.T) {
	p := newPasskeys(t, nil)
	a := newSoftAuthenticator(t, testOrigin)
	h := register(t, p, "alice", a)
	if _, err := login(t, p, "alice", a, h, t0); err != nil {
		t.Fatal(err)
	}
	clone := *a // counter 1
	if _, err := login(t, p, "alice", a, h, t0); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p.Export())
	if err != nil {
		t.Fatal(err)
	}
	var st PasskeyState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	q := newPasskeys(t, nil)
	if err := q.Import(st); err != nil {
		t.Fatal(err)
	}
	// The restored relying party keeps the counter: the clone is still caught, the original passes.
	if _, err := login(t, q, "alice", &clone, h, t0); !errors.Is(err, ErrCounterRollback) {
		t.Fatalf("clone after restore: %v", err)
	}
	if _, err := login(t, q, "alice", a, h, t0); err != nil {
		t.Fatalf("login after restore: %v", err)
	}
	again, _ := json.Marshal(p.Export())
	if string(again) != string(b) {
		t.Fatal("export is not deterministic")
	}
	// Reject twins: a duplicated credential, a missing handle.
	dup := st
	dup.Accounts = append(dup.Accounts, PasskeyAccount{Account: "bob", Handle: []byte{1}, Credentials: st.Accounts[0].Credentials})
	if err := q.Import(dup); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("duplicate credential: %v", err)
	}
	st.Accounts[0].Handle = nil
	if err := q.Import(st); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("no handle: %v", err)
	}
}

func TestTOTPStateKeepsReplayProtection(t *testing.T) {
	k, _ := GenerateTOTP("VirtEngine", "alice", SHA1, 6, nil)
	f := NewTOTP()
	f.Enroll("alice", k)
	now := time.Unix(1_700_000_000, 0)
	code, _ := k.Code(now)
	if err := f.Verify("alice", []byte(code), now); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(f.Export())
	var st TOTPState
	json.Unmarshal(b, &st)
	g := NewTOTP()
	if err := g.Import(st); err != nil {
		t.Fatal(err)
	}
	if err := g.Verify("alice", []byte(code), now); !errors.Is(err, ErrCodeReplayed) {
		t.Fatalf("replay after restore: %v", err)
	}
	next, _ := k.Code(now.Add(30 * time.Second))
	if err := g.Verify("alice", []byte(next), now.Add(30*time.Second)); err != nil {
		t.Fatalf("next code after restore: %v", err)
	}
	st.Accounts[0].Key.Digits = 9
	if err := g.Import(st); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("invalid key imported: %v", err)
	}
}

// An Import between a Begin and its Finish must not crash the Finish.
func TestImportDuringCeremony(t *testing.T) {
	p := newPasskeys(t, nil)
	a := newSoftAuthenticator(t, testOrigin)
	h := register(t, p, "alice", a)
	lo, _ := p.BeginLogin("alice", t0)
	opts, _ := p.BeginRegistration("bob", t0)
	if err := p.Import(PasskeyState{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.FinishLogin("alice", a.get(lo, h), t0); !errors.Is(err, ErrUnknownCredential) {
		t.Fatalf("login after import: %v", err)
	}
	// A registration begun before the import completes: bob's handle travelled in the ceremony.
	if _, err := p.FinishRegistration("bob", newSoftAuthenticator(t, testOrigin).create(opts), t0); err != nil {
		t.Fatalf("registration after import: %v", err)
	}
}
