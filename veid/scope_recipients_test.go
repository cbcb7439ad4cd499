package veid

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/virtengine/sdk/envelope"
)

func wantCode(t *testing.T, what string, err, sentinel error, code string) {
	t.Helper()
	var ve *Error
	if !errors.Is(err, sentinel) || !errors.As(err, &ve) || ve.Code != code {
		t.Fatalf("%s: got %v, want %s (%v)", what, err, code, sentinel)
	}
}

// Scope evidence must be sealed, with named recipients, to every key of the identity network (the
// committee); the person's own key may be there too. Each way of missing that is refused with its
// own error, and nothing is added.
func TestScopeEvidenceRecipients(t *testing.T) {
	vs := newValidators(t, 1, 1, 1)
	committee, err := NetworkKeyIDs(setOf(vs))
	if err != nil {
		t.Fatal(err)
	}
	holder, _ := envelope.GenerateIdentity(envelope.X25519)
	stranger, _ := envelope.GenerateIdentity(envelope.X25519)
	signer, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	seal := func(anonymous bool, rs ...envelope.Recipient) []byte {
		t.Helper()
		ev, err := envelope.Seal([]byte("selfie bytes"), signer, rs, &envelope.SealOptions{Anonymous: anonymous})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	all := []envelope.Recipient{vs[0].id.Recipient(), vs[1].id.Recipient(), vs[2].id.Recipient(), holder.Recipient()}

	// Accept: the whole committee and the holder, in any order.
	s := NewScopes(committee...)
	if err := s.Add(Scope{ID: "ok", Kind: KindSelfie, Evidence: seal(false, all[3], all[2], all[0], all[1])}, t0); err != nil {
		t.Fatal(err)
	}
	// Exactly the committee is fine too.
	if err := s.Add(Scope{ID: "ok2", Kind: KindSelfie, Evidence: seal(false, all[:3]...)}, t0); err != nil {
		t.Fatal(err)
	}

	// Reject twins.
	cases := []struct {
		name     string
		ev       []byte
		sentinel error
		code     string
	}{
		{"to another key only", seal(false, stranger.Recipient()), ErrEvidenceRecipients, "EVIDENCE_RECIPIENTS"},
		{"to the holder only", seal(false, holder.Recipient()), ErrEvidenceRecipients, "EVIDENCE_RECIPIENTS"},
		{"one committee key missing", seal(false, all[0], all[1], holder.Recipient(), stranger.Recipient()), ErrEvidenceRecipients, "EVIDENCE_RECIPIENTS"},
		{"anonymous, to the whole committee", seal(true, all...), ErrAnonymousEvidence, "ANONYMOUS_EVIDENCE"},
		{"plaintext", []byte("\xff\xd8\xff jpeg bytes"), ErrPlaintextEvidence, "PLAINTEXT_EVIDENCE"},
		{"truncated envelope", seal(false, all...)[:200], ErrPlaintextEvidence, "PLAINTEXT_EVIDENCE"},
	}
	for _, c := range cases {
		err := s.Add(Scope{ID: "bad", Kind: KindSelfie, Evidence: c.ev}, t0)
		wantCode(t, c.name, err, c.sentinel, c.code)
		if err2 := CheckEvidenceRecipients(c.ev, committee); !errors.Is(err2, c.sentinel) {
			t.Fatalf("%s: CheckEvidenceRecipients gave %v", c.name, err2)
		}
		if _, err := s.Get("bad"); !errors.Is(err, ErrScopeNotFound) {
			t.Fatalf("%s: refused scope was added", c.name)
		}
	}
	// The missing key is named by its key id (public), and the holder's is not mentioned.
	err = s.Add(Scope{ID: "bad", Kind: KindSelfie, Evidence: seal(false, all[0], all[1], holder.Recipient())}, t0)
	if !strings.Contains(err.Error(), committee[2].String()) || strings.Contains(err.Error(), holder.KeyID().String()) {
		t.Fatal(err)
	}

	// A store without network recipients fails closed on evidence, still takes evidence-free scopes.
	var zero Scopes
	wantCode(t, "zero store", zero.Add(Scope{ID: "z", Kind: KindSelfie, Evidence: seal(false, all...)}, t0), ErrNoNetwork, "NO_NETWORK")
	if err := zero.Add(Scope{ID: "email", Kind: KindEmail}, t0); err != nil {
		t.Fatal(err)
	}
	// SetNetwork configures it (e.g. at an epoch's committee change).
	zero.SetNetwork(committee...)
	if err := zero.Add(Scope{ID: "z", Kind: KindSelfie, Evidence: seal(false, all...)}, t0); err != nil {
		t.Fatal(err)
	}
	// The next committee: evidence sealed to the previous one no longer qualifies.
	next, _ := envelope.GenerateIdentity(envelope.X25519)
	zero.SetNetwork(committee[0], committee[1], next.KeyID())
	wantCode(t, "previous committee", zero.Add(Scope{ID: "z2", Kind: KindSelfie, Evidence: seal(false, all...)}, t0), ErrEvidenceRecipients, "EVIDENCE_RECIPIENTS")
	if got := zero.Network(); len(got) != 3 || got[2] != next.KeyID() {
		t.Fatal(got)
	}
}

// NetworkKeyIDs needs recipients that name their key.
type unnamedRecipient struct{}

func (unnamedRecipient) Wrap([]byte) ([]*envelope.Stanza, error) { return nil, errors.New("unused") }

func TestNetworkKeyIDs(t *testing.T) {
	vs := newValidators(t, 1, 2)
	ids, err := NetworkKeyIDs(setOf(vs))
	if err != nil || len(ids) != 2 || ids[0] != vs[0].id.KeyID() || ids[1] != vs[1].id.KeyID() {
		t.Fatal(ids, err)
	}
	set := setOf(vs)
	set[1].Recipient = unnamedRecipient{}
	if _, err := NetworkKeyIDs(set); !errors.Is(err, ErrEvidenceRecipients) {
		t.Fatal(err)
	}
	set[1].Recipient = nil
	if _, err := NetworkKeyIDs(set); !errors.Is(err, ErrEvidenceRecipients) {
		t.Fatal(err)
	}
}

// A consent grant must hand the evidence back to the store's network: a grant that rewraps it to
// another key is refused and leaves the scope unconsented and unscored.
func TestConsentGrantToWrongNetworkRefused(t *testing.T) {
	holder, _ := envelope.GenerateIdentity(envelope.X25519)
	network, _ := envelope.GenerateIdentity(envelope.X25519)
	other, _ := envelope.GenerateIdentity(envelope.X25519)
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
	b, _ := BindWallet("virtengine-1", "acct", wkey, t0)
	w, err := NewWallet("virtengine-1", b, scopes)
	if err != nil {
		t.Fatal(err)
	}
	revoke := ConsentChange{Account: "acct", ScopeID: "s1", Grant: false, Seq: 1}
	if err := SignConsent(&revoke, wkey); err != nil {
		t.Fatal(err)
	}
	good := &NetworkAccess{Holder: holder, Signer: signer, Network: []envelope.Recipient{network.Recipient()}, Remove: []envelope.KeyID{network.KeyID()}}
	if err := w.Apply(revoke, good, t0); err != nil {
		t.Fatal(err)
	}
	wrong := &NetworkAccess{Holder: holder, Signer: signer, Network: []envelope.Recipient{other.Recipient()}}
	grant := ConsentChange{Account: "acct", ScopeID: "s1", Grant: true, Seq: 2}
	if err := SignConsent(&grant, wkey); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "grant to another key", w.Apply(grant, wrong, t0), ErrEvidenceRecipients, "EVIDENCE_RECIPIENTS")
	if sc, _ := scopes.Get("s1"); sc.Consent || len(scopes.Scorable()) != 0 {
		t.Fatal("refused grant changed the scope")
	}
	// Twin: the right network is accepted (a new sequence number, the refused one was consumed).
	grant = ConsentChange{Account: "acct", ScopeID: "s1", Grant: true, Seq: 3}
	if err := SignConsent(&grant, wkey); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(grant, good, t0); err != nil {
		t.Fatal(err)
	}
	if sc, _ := scopes.Get("s1"); !sc.Consent || CheckEvidenceRecipients(sc.Evidence, scopes.Network()) != nil {
		t.Fatal("grant did not restore the network")
	}
}
