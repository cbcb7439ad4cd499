package mfa

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
)

const testOrigin = "https://login.virtengine.example"

func newPasskeys(t testing.TB, mod func(*PasskeyConfig)) *Passkeys {
	t.Helper()
	cfg := PasskeyConfig{RPID: "virtengine.example", Origins: []string{testOrigin}}
	if mod != nil {
		mod(&cfg)
	}
	p, err := NewPasskeys(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// register runs a registration with a and returns the user handle.
func register(t testing.TB, p *Passkeys, account string, a *softAuthenticator) []byte {
	t.Helper()
	opts, err := p.BeginRegistration(account, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.FinishRegistration(account, a.create(opts), t0); err != nil {
		t.Fatalf("register: %v", err)
	}
	return []byte(opts.Response.User.ID.(protocol.URLEncodedBase64))
}

func login(t testing.TB, p *Passkeys, account string, a *softAuthenticator, handle []byte, now time.Time) ([]byte, error) {
	t.Helper()
	opts, err := p.BeginLogin(account, now)
	if err != nil {
		t.Fatal(err)
	}
	resp := a.get(opts, handle)
	_, err = p.FinishLogin(account, resp, now)
	return resp, err
}

func TestPasskeyRegisterAndLogin(t *testing.T) {
	for _, format := range []string{"none", "packed"} {
		p := newPasskeys(t, nil)
		a := newSoftAuthenticator(t, testOrigin)
		a.format = format
		h := register(t, p, "alice", a)
		creds := p.Credentials("alice")
		if len(creds) != 1 || creds[0].AttestationFormat != format || !bytes.Equal(creds[0].ID, a.credID) || !creds[0].UserVerified {
			t.Fatalf("%s: credentials %+v", format, creds)
		}
		for i := 0; i < 3; i++ {
			if _, err := login(t, p, "alice", a, h, t0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatalf("%s login %d: %v", format, i, err)
			}
		}
		if c := p.Credentials("alice")[0]; c.SignCount != 3 || c.LastUsedAt != t0.Add(2*time.Second) {
			t.Fatalf("%s: counter %d, last used %v", format, c.SignCount, c.LastUsedAt)
		}
	}
}

func TestPasskeyRejects(t *testing.T) {
	type setup struct {
		p *Passkeys
		a *softAuthenticator
		h []byte
	}
	fresh := func() setup {
		p := newPasskeys(t, nil)
		a := newSoftAuthenticator(t, testOrigin)
		return setup{p, a, register(t, p, "alice", a)}
	}
	cases := []struct {
		name string
		run  func(s setup) error
		want error
	}{
		{"wrong origin", func(s setup) error {
			s.a.origin = "https://evil.example"
			_, err := login(t, s.p, "alice", s.a, s.h, t0)
			return err
		}, ErrOriginMismatch},
		{"wrong RP ID", func(s setup) error {
			s.a.rpID = "evil.example"
			_, err := login(t, s.p, "alice", s.a, s.h, t0)
			return err
		}, ErrRPIDMismatch},
		{"no user verification", func(s setup) error {
			s.a.noUV = true
			_, err := login(t, s.p, "alice", s.a, s.h, t0)
			return err
		}, ErrUserVerification},
		{"replayed assertion", func(s setup) error {
			resp, err := login(t, s.p, "alice", s.a, s.h, t0)
			if err != nil {
				return err
			}
			_, err = s.p.FinishLogin("alice", resp, t0)
			return err
		}, ErrCeremonyNotFound},
		{"expired challenge", func(s setup) error {
			opts, _ := s.p.BeginLogin("alice", t0)
			_, err := s.p.FinishLogin("alice", s.a.get(opts, s.h), t0.Add(WebAuthnCeremonyTTL))
			return err
		}, ErrCeremonyNotFound},
		{"challenge of another account", func(s setup) error {
			b := newSoftAuthenticator(t, testOrigin)
			register(t, s.p, "bob", b)
			opts, _ := s.p.BeginLogin("bob", t0)
			_, err := s.p.FinishLogin("alice", s.a.get(opts, s.h), t0)
			return err
		}, ErrCeremonyNotFound},
		{"unknown credential", func(s setup) error {
			other := newSoftAuthenticator(t, testOrigin)
			_, err := login(t, s.p, "alice", other, s.h, t0)
			return err
		}, ErrUnknownCredential},
		{"wrong key (tampered signature)", func(s setup) error {
			opts, _ := s.p.BeginLogin("alice", t0)
			good := s.a.key
			s.a.key = newSoftAuthenticator(t, testOrigin).key // same credential ID, another private key
			resp := s.a.get(opts, s.h)
			s.a.key = good
			_, err := s.p.FinishLogin("alice", resp, t0)
			return err
		}, ErrBadSignature},
		{"counter rollback (clone)", func(s setup) error {
			clone := *s.a
			if _, err := login(t, s.p, "alice", s.a, s.h, t0); err != nil {
				return err
			}
			if _, err := login(t, s.p, "alice", s.a, s.h, t0); err != nil {
				return err
			}
			_, err := login(t, s.p, "alice", &clone, s.h, t0) // counter 1 <= stored 2
			return err
		}, ErrCounterRollback},
		{"backup eligibility changed", func(s setup) error {
			s.a.flags = flagBE
			_, err := login(t, s.p, "alice", s.a, s.h, t0)
			return err
		}, ErrBackupFlags},
		{"malformed response", func(s setup) error {
			_, err := s.p.FinishLogin("alice", []byte(`{"id":1}`), t0)
			return err
		}, ErrMalformedResponse},
		{"empty response", func(s setup) error {
			_, err := s.p.FinishLogin("alice", nil, t0)
			return err
		}, ErrMalformedResponse},
	}
	for _, c := range cases {
		err := c.run(fresh())
		var we *WebAuthnError
		if !errors.Is(err, c.want) || !errors.Is(err, ErrWebAuthn) || !errors.As(err, &we) {
			t.Errorf("%s: want %v, got %v", c.name, c.want, err)
		}
	}
	// The accept twin of the rollback: a counter that increases passes, and rollback leaves the
	// stored counter alone.
	s := fresh()
	login(t, s.p, "alice", s.a, s.h, t0)
	if got := s.p.Credentials("alice")[0].SignCount; got != 1 {
		t.Fatalf("counter %d", got)
	}
}

func TestPasskeyBackupStateMayChange(t *testing.T) {
	p := newPasskeys(t, nil)
	a := newSoftAuthenticator(t, testOrigin)
	a.flags = flagBE // a synced passkey, not yet backed up
	h := register(t, p, "alice", a)
	a.flags = flagBE | flagBS // the provider synced it
	if _, err := login(t, p, "alice", a, h, t0); err != nil {
		t.Fatal(err)
	}
	if c := p.Credentials("alice")[0]; !c.BackupEligible || !c.BackupState {
		t.Fatalf("flags %+v", c)
	}
	a.flags = flagBE // and back
	if _, err := login(t, p, "alice", a, h, t0); err != nil {
		t.Fatal(err)
	}
	if c := p.Credentials("alice")[0]; c.BackupState {
		t.Fatal("backup state not updated")
	}
	// BS without BE is invalid at registration.
	b := newSoftAuthenticator(t, testOrigin)
	b.flags = flagBS
	opts, _ := p.BeginRegistration("bob", t0)
	if _, err := p.FinishRegistration("bob", b.create(opts), t0); !errors.Is(err, ErrBackupFlags) {
		t.Fatalf("BS without BE: %v", err)
	}
}

func TestPasskeyRegistrationRejects(t *testing.T) {
	// Attestation formats outside the list are refused before any statement is parsed.
	p := newPasskeys(t, func(c *PasskeyConfig) { c.Formats = []string{"none"} })
	a := newSoftAuthenticator(t, testOrigin)
	a.format = "packed"
	opts, _ := p.BeginRegistration("alice", t0)
	if _, err := p.FinishRegistration("alice", a.create(opts), t0); !errors.Is(err, ErrAttestation) {
		t.Fatalf("packed when only none is accepted: %v", err)
	}
	p = newPasskeys(t, nil)
	a.format = "android-safetynet" // supported by go-webauthn, not in the default list
	opts, _ = p.BeginRegistration("alice", t0)
	if _, err := p.FinishRegistration("alice", a.create(opts), t0); !errors.Is(err, ErrAttestation) {
		t.Fatalf("safetynet: %v", err)
	}
	// A packed statement whose signature is by another key.
	a.format = "packed"
	a.attKey = newSoftAuthenticator(t, testOrigin).key
	opts, _ = p.BeginRegistration("alice", t0)
	if _, err := p.FinishRegistration("alice", a.create(opts), t0); !errors.Is(err, ErrAttestation) {
		t.Fatalf("packed with a foreign signature: %v", err)
	}
	a.attKey = nil
	opts, _ = p.BeginRegistration("alice", t0)
	if _, err := p.FinishRegistration("alice", a.create(opts), t0); err != nil {
		t.Fatalf("accept twin: %v", err)
	}
	// The same credential cannot be registered twice, even to another account.
	opts, _ = p.BeginRegistration("bob", t0)
	if _, err := p.FinishRegistration("bob", a.create(opts), t0); !errors.Is(err, ErrWebAuthn) {
		t.Fatalf("duplicate credential: %v", err)
	}
	// Wrong origin and RP ID at registration.
	c := newSoftAuthenticator(t, "https://evil.example")
	opts, _ = p.BeginRegistration("carol", t0)
	if _, err := p.FinishRegistration("carol", c.create(opts), t0); !errors.Is(err, ErrOriginMismatch) {
		t.Fatalf("origin: %v", err)
	}
	c = newSoftAuthenticator(t, testOrigin)
	c.rpID = "evil.example"
	opts, _ = p.BeginRegistration("carol", t0)
	if _, err := p.FinishRegistration("carol", c.create(opts), t0); !errors.Is(err, ErrRPIDMismatch) {
		t.Fatalf("RP ID: %v", err)
	}
	// Begun and abandoned registrations leave no user behind.
	p.BeginRegistration("dan", t0)
	if p.Credentials("dan") != nil || len(p.users) != 1 {
		t.Fatalf("abandoned registration stored a user: %d users", len(p.users))
	}
	if _, err := p.BeginLogin("nobody", t0); !errors.Is(err, ErrFactorNotFound) {
		t.Fatalf("login without passkeys: %v", err)
	}
}

// TestPasskeyAssertionBoundToStepUp: an assertion made for one step-up challenge counts for that
// challenge only. Submitted to another challenge of the account (same or another transaction
// type), or made by a plain login, it is refused with ErrCeremonyNotFound and uses a try.
func TestPasskeyAssertionBoundToStepUp(t *testing.T) {
	p := newPasskeys(t, nil)
	a := newSoftAuthenticator(t, testOrigin)
	h := register(t, p, "alice", a)
	e := newEngine(t, Config{})
	begin := func(tx TxType) Challenge {
		t.Helper()
		c, err := e.Begin(StepUpRequest{Account: "alice", Tx: tx, Score: 60}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	assertFor := func(c Challenge) []byte {
		t.Helper()
		opts, err := p.BeginStepUp(c, t0)
		if err != nil {
			t.Fatal(err)
		}
		return a.get(opts, h)
	}
	refused := func(what string, id string, resp []byte) {
		t.Helper()
		var fe *FactorError
		if _, err := e.Submit(id, p, resp, t0); !errors.As(err, &fe) || !errors.Is(err, ErrCeremonyNotFound) || fe.TriesLeft != MaxTries-1 {
			t.Fatalf("%s: %v", what, err)
		}
	}
	apiA, apiB := begin(TxAPIKeyCreation), begin(TxAPIKeyCreation)
	rotation := begin(TxKeyRotation)
	// Reject: A's assertion on B (same transaction type) and on a key rotation (another type).
	refused("assertion of one api_key_creation challenge on another", apiB.ID, assertFor(apiA))
	refused("assertion of api_key_creation on key_rotation", rotation.ID, assertFor(apiA))
	// Reject: a plain login's assertion counts for no step-up, and a step-up's assertion is no login.
	lo, _ := p.BeginLogin("alice", t0)
	refused("plain login assertion on a step-up", begin(TxTransferNewAddress).ID, a.get(lo, h))
	if _, err := p.FinishLogin("alice", assertFor(apiA), t0); !errors.Is(err, ErrCeremonyNotFound) {
		t.Fatalf("step-up assertion as a plain login: %v", err)
	}
	if err := p.Verify("alice", assertFor(apiA), t0); !errors.Is(err, ErrCeremonyNotFound) {
		t.Fatalf("step-up assertion through Verify: %v", err)
	}
	// Accept: each challenge with its own assertion.
	for _, c := range []Challenge{apiA, apiB} {
		if pr, err := e.Submit(c.ID, p, assertFor(c), t0); err != nil || !pr.Complete {
			t.Fatalf("own assertion on %s: %+v %v", c.ID, pr, err)
		}
	}
	if pr, err := e.Submit(rotation.ID, p, assertFor(rotation), t0); err != nil || pr.Complete || len(pr.Challenge.Passed) != 1 {
		t.Fatalf("own assertion on key rotation: %+v %v", pr, err) // VEID still missing
	}
	// A challenge without an ID is refused before any ceremony opens.
	if _, err := p.BeginStepUp(Challenge{Account: "alice"}, t0); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("step-up without a challenge ID: %v", err)
	}
}
