package veid

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/virtengine/sdk/envelope"
)

func TestWalletBinding(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	b, err := BindWallet("virtengine-1", "acct", key, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify("virtengine-1", "acct"); err != nil {
		t.Fatal(err)
	}
	// Reject twins: another chain, another account, a key swapped in (bytes equal is not enough).
	if err := b.Verify("virtengine-2", "acct"); !errors.Is(err, ErrWalletNotBound) {
		t.Fatal(err)
	}
	if err := b.Verify("virtengine-1", "other"); !errors.Is(err, ErrWalletNotBound) {
		t.Fatal(err)
	}
	swapped := b
	swapped.Key = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)).Public().(ed25519.PublicKey)
	if err := swapped.Verify("virtengine-1", "acct"); !errors.Is(err, ErrBadWalletBinding) {
		t.Fatal(err)
	}
}

// Revoking consent removes the network's access to the evidence (rewrap) and the scope from
// scoring; granting it back restores both.
func TestConsentRevokeAndGrant(t *testing.T) {
	holder, _ := envelope.GenerateIdentity(envelope.X25519)
	network, _ := envelope.GenerateIdentity(envelope.X25519)
	signer, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	ev, err := envelope.Seal([]byte("selfie bytes"), signer, []envelope.Recipient{holder.Recipient(), network.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	scopes := NewScopes(network.KeyID())
	if err := scopes.Add(Scope{ID: "s1", Kind: KindSelfie, Evidence: ev}, t0); err != nil {
		t.Fatal(err)
	}
	wkey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	b, err := BindWallet("virtengine-1", "acct", wkey, t0)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWallet("virtengine-1", b, scopes)
	if err != nil {
		t.Fatal(err)
	}
	access := &NetworkAccess{Holder: holder, Signer: signer, Network: []envelope.Recipient{network.Recipient()}, Remove: []envelope.KeyID{network.KeyID()}}

	c := ConsentChange{Account: "acct", ScopeID: "s1", Grant: false, Seq: 1}
	if err := SignConsent(&c, wkey); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(c, access, t0); err != nil {
		t.Fatal(err)
	}
	sc, _ := scopes.Get("s1")
	if sc.Consent || len(scopes.Scorable()) != 0 || w.List()[0].Consent {
		t.Fatal("scope still scorable after consent was revoked")
	}
	if _, _, err := envelope.Open(sc.Evidence, network, nil); !errors.Is(err, envelope.ErrNotRecipient) {
		t.Fatal("network can still open the evidence:", err)
	}
	if pt, _, err := envelope.Open(sc.Evidence, holder, nil); err != nil || string(pt) != "selfie bytes" {
		t.Fatal("holder lost access:", err)
	}
	// Replayed change and a change signed by another key are refused.
	if err := w.Apply(c, access, t0); !errors.Is(err, ErrConsentNotAllowed) {
		t.Fatal(err)
	}
	forged := ConsentChange{Account: "acct", ScopeID: "s1", Grant: true, Seq: 2}
	if err := SignConsent(&forged, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(forged, access, t0); !errors.Is(err, ErrBadWalletBinding) {
		t.Fatal(err)
	}
	grant := ConsentChange{Account: "acct", ScopeID: "s1", Grant: true, Seq: 2}
	if err := SignConsent(&grant, wkey); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(grant, access, t0); err != nil {
		t.Fatal(err)
	}
	sc, _ = scopes.Get("s1")
	if _, _, err := envelope.Open(sc.Evidence, network, nil); err != nil || len(scopes.Scorable()) != 1 {
		t.Fatal("grant did not restore access:", err)
	}
}

func TestScopeLimits(t *testing.T) {
	s := &Scopes{}
	for i := range MaxScopesPerKind {
		if err := s.Add(Scope{ID: string(rune('a' + i)), Kind: KindEmail}, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Add(Scope{ID: "f", Kind: KindEmail}, t0); !errors.Is(err, ErrTooManyOfKind) {
		t.Fatal(err)
	}
	// A revoked scope frees its place and is never scored.
	s.Revoke("a", t0)
	if err := s.Add(Scope{ID: "f", Kind: KindEmail}, t0); err != nil {
		t.Fatal(err)
	}
	for _, sc := range s.Scorable() {
		if sc.ID == "a" {
			t.Fatal("revoked scope scorable")
		}
	}
	if err := s.SetStatus("a", ScopeVerified, t0); !errors.Is(err, ErrScopeRevoked) {
		t.Fatal(err)
	}
	if err := s.Add(Scope{ID: "b", Kind: KindSMS}, t0); !errors.Is(err, ErrDuplicateScope) {
		t.Fatal(err)
	}
	if err := s.Add(Scope{ID: "x", Kind: "fax"}, t0); !errors.Is(err, ErrUnknownKind) {
		t.Fatal(err)
	}
	// Evidence in the clear is refused (envelopes: TestScopeEvidenceRecipients).
	if err := s.Add(Scope{ID: "plain", Kind: KindSelfie, Evidence: []byte("\xff\xd8\xff jpeg bytes")}, t0); !errors.Is(err, ErrPlaintextEvidence) {
		t.Fatal(err)
	}
	// Account limit over kinds.
	all := &Scopes{}
	n := 0
	for _, k := range Kinds() {
		for range MaxScopesPerKind {
			if err := all.Add(Scope{ID: string(k) + string(rune('0'+n%10)) + string(rune('a'+n/10)), Kind: k}, t0); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n != MaxScopesPerAccount {
		t.Fatalf("%d scopes", n)
	}
	all.Revoke(all.All()[0].ID, t0)
	all.Add(Scope{ID: "again", Kind: all.All()[0].Kind}, t0)
	if err := all.Add(Scope{ID: "over", Kind: KindSocial}, t0); !errors.Is(err, ErrTooManyScopes) {
		t.Fatal(err)
	}
	s.SetStatus("b", ScopeVerified, t0)
	if got := s.VerifiedKinds(); len(got) != 1 || got[0] != KindEmail {
		t.Fatal(got)
	}
}

func TestBindWalletAndSignConsentBadKey(t *testing.T) {
	wkey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	scopes := &Scopes{}
	if err := scopes.Add(Scope{ID: "s1", Kind: KindEmail}, t0); err != nil {
		t.Fatal(err)
	}
	b, err := BindWallet("virtengine-1", "acct", wkey, t0)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWallet("virtengine-1", b, scopes)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range badKeys() {
		t.Run(name, func(t *testing.T) {
			got, err := BindWallet("virtengine-1", "acct", k, t0)
			wantBadKey(t, "BindWallet", err)
			if got.Key != nil || got.Sig != nil {
				t.Error("BindWallet returned a binding with a bad key")
			}
			c := ConsentChange{Account: "acct", ScopeID: "s1", Grant: true, Seq: 1}
			wantBadKey(t, "SignConsent", SignConsent(&c, k))
			if c.Sig != nil {
				t.Error("a refused SignConsent changed the change")
			}
		})
	}
	// The wallet still takes a well-signed change after the refusals.
	c := ConsentChange{Account: "acct", ScopeID: "s1", Grant: true, Seq: 1}
	if err := SignConsent(&c, wkey); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(c, nil, t0); err != nil {
		t.Fatal(err)
	}
}

// A Wallet built by hand (not by NewWallet) with a malformed bound key refuses changes with
// ErrBadWalletBinding instead of panicking in ed25519.Verify.
func TestWalletApplyMalformedBoundKey(t *testing.T) {
	wkey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	c := ConsentChange{Account: "acct", ScopeID: "s1", Grant: true, Seq: 1}
	if err := SignConsent(&c, wkey); err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]ed25519.PublicKey{"nil": nil, "short": ed25519.PublicKey(wkey[32:63]), "long": ed25519.PublicKey(wkey)} {
		w := &Wallet{ChainID: "virtengine-1", Binding: WalletBinding{Account: "acct", Key: k}, Scopes: &Scopes{}}
		if err := w.Apply(c, nil, t0); !errors.Is(err, ErrBadWalletBinding) {
			t.Errorf("%s: %v, want ErrBadWalletBinding", name, err)
		}
	}
}
