package mfa

import (
	"errors"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// fuzzRP is a relying party with one registered passkey and a login challenge that the fuzzer may
// answer again and again: each iteration re-opens the same ceremony, so mutated responses reach
// the signature, flag and counter checks instead of stopping at an unknown challenge.
type fuzzRP struct {
	p      *Passkeys
	a      *softAuthenticator
	handle []byte
	login  *protocol.CredentialAssertion
	lsess  webauthn.SessionData
	create *protocol.CredentialCreation
	csess  webauthn.SessionData
}

func newFuzzRP(f *testing.F) *fuzzRP {
	r := &fuzzRP{p: newPasskeys(f, nil), a: newSoftAuthenticator(f, testOrigin)}
	r.a.format = "packed"
	r.handle = register(f, r.p, "alice", r.a)
	var err error
	if r.login, err = r.p.BeginLogin("alice", t0); err != nil {
		f.Fatal(err)
	}
	r.lsess = r.p.ceremonies[r.login.Response.Challenge.String()].session
	if r.create, err = r.p.BeginRegistration("bob", t0); err != nil {
		f.Fatal(err)
	}
	r.csess = r.p.ceremonies[r.create.Response.Challenge.String()].session
	return r
}

func (r *fuzzRP) reopen() {
	r.p.mu.Lock()
	r.p.ceremonies[r.lsess.Challenge] = &ceremony{account: "alice", session: r.lsess, expires: t0.Add(WebAuthnCeremonyTTL)}
	r.p.ceremonies[r.csess.Challenge] = &ceremony{create: true, account: "bob", session: r.csess, expires: t0.Add(WebAuthnCeremonyTTL)}
	r.p.mu.Unlock()
}

func checkTyped(t *testing.T, err error) {
	if err != nil && !errors.Is(err, ErrWebAuthn) && !errors.Is(err, ErrFactorLimit) {
		t.Fatalf("untyped error: %v", err)
	}
}

func FuzzFinishLogin(f *testing.F) {
	r := newFuzzRP(f)
	seeds := [][]byte{r.a.get(r.login, r.handle), []byte(`{}`), []byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{}}`)}
	r.a.noUV = true
	seeds = append(seeds, r.a.get(r.login, r.handle))
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, resp []byte) {
		r.reopen()
		_, err := r.p.FinishLogin("alice", resp, t0)
		checkTyped(t, err)
	})
}

func FuzzFinishRegistration(f *testing.F) {
	r := newFuzzRP(f)
	b := newSoftAuthenticator(f, testOrigin)
	seeds := [][]byte{b.create(r.create), []byte(`{}`)}
	b.format = "packed"
	seeds = append(seeds, b.create(r.create))
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, resp []byte) {
		r.reopen()
		c, err := r.p.FinishRegistration("bob", resp, t0)
		checkTyped(t, err)
		if err == nil {
			r.p.RemoveCredential("bob", c.ID) // keep bob under the factor limit
		}
	})
}
