package app

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// claimsExtractor is hashExtractor plus fixed document claims (what the MRZ would say).
type claimsExtractor struct {
	hashExtractor
	c Claims
}

func (x claimsExtractor) ExtractClaims(ctx context.Context, ev *veid.Evidence) (veid.Features, Claims, error) {
	f, err := x.Extract(ctx, ev)
	return f, x.c, err
}

var testClaims = Claims{BirthDate: zk.Day(1974, time.August, 12), Country: 999, DocumentExpiry: zk.Day(2080, time.January, 1)}

// newIssuerNet is a 4-validator committee whose validators have registered issuer keys and read
// testClaims from the document.
func newIssuerNet(t *testing.T) *committeeNet {
	t.Helper()
	var att []ed25519.PrivateKey
	var zks []*zk.IssuerPrivateKey
	for i := 0; i < 4; i++ {
		att = append(att, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 40)}, 32)))
		k, err := zk.GenerateIssuerKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		zks = append(zks, k)
	}
	n := newCommitteeNetWith(t, func(i int, gv *GenesisValidator) {
		gv.AttestationKey, gv.ZKIssuerKey = att[i].Public().(ed25519.PublicKey), zks[i].Public().Bytes()
	})
	n.att, n.zks = att, zks
	for i := 0; i < 4; i++ {
		n.exs = append(n.exs, claimsExtractor{c: testClaims})
	}
	return n
}

// holderBundle is bundle(seed) with a credential request for holder.
func holderBundle(t *testing.T, name string, holder *zk.HolderSecret, seed []byte) *veid.Evidence {
	t.Helper()
	ev := bundle(name)
	it, err := NewCredentialRequestItem(holder.PublicKey(), seed)
	if err != nil {
		t.Fatal(err)
	}
	ev.Items = append(ev.Items, it)
	return ev
}

func (n *committeeNet) credential(t *testing.T, id []byte) *IssuedCredential {
	t.Helper()
	c, err := getCredential(dbView{n.h.db}, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The signature scheme node/app uses on commitments is zk's: each verifies the other's.
func TestZKCommitmentSignatureMatchesZK(t *testing.T) {
	iss, _ := zk.GenerateIssuerKey(nil)
	holder, _ := zk.GenerateHolderSecret(nil)
	cred, err := zk.Issue(iss, zk.Attributes{BirthDate: testClaims.BirthDate, Country: 276, Score: 80, Tier: 2, Flags: zk.FlagDocument,
		IssuedAt: 45000, ExpiresAt: 45030, HolderKey: holder.PublicKey()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cm, _ := cred.Commitment()
	if !verifyZKCommitment(iss.Public().Bytes(), cm[:], cred.Signature) {
		t.Fatal("zk.Issue's signature does not verify here")
	}
	sig, err := signZKCommitment(iss, cm[:])
	if err != nil {
		t.Fatal(err)
	}
	cred.Signature = sig
	if err := cred.Verify(); err != nil {
		t.Fatalf("our signature does not verify in zk: %v", err)
	}
	// Reject twins: another key, another commitment, a flipped bit.
	other, _ := zk.GenerateIssuerKey(nil)
	if verifyZKCommitment(other.Public().Bytes(), cm[:], sig) {
		t.Fatal("verified under another key")
	}
	cm2 := cm
	cm2[31] ^= 1
	if verifyZKCommitment(iss.Public().Bytes(), cm2[:], sig) {
		t.Fatal("verified for another commitment")
	}
	bad := append([]byte(nil), sig...)
	bad[40] ^= 1
	if verifyZKCommitment(iss.Public().Bytes(), cm[:], bad) {
		t.Fatal("tampered signature verified")
	}
}

// The whole issuance: attributes agreed with the score, signatures in the next height's extensions,
// one proof per validator, the holder's zk credential rebuilt from the record, the VCs verified,
// the issuer check against registered keys; and the record holds no birth date or blinding.
func TestIssuanceByTheNetwork(t *testing.T) {
	n := newIssuerNet(t)
	holder, _ := zk.GenerateHolderSecret(nil)
	seed := bytes.Repeat([]byte{0x5e}, 32)
	ev := holderBundle(t, "alice", holder, seed)
	id := n.submit(t, ev)
	want := n.want(t, ev, id)
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id); r.Status != ReqFinal || r.Score != uint32(want.Score) {
		t.Fatalf("request %+v", r)
	}
	c := n.credential(t, id)
	if c == nil || c.Status != CredSigning || c.ZK == nil || len(c.ZK.Commitment) != 32 || len(c.Proofs) != 0 {
		t.Fatalf("credential after final: %+v", c)
	}
	if got := c.Scopes; len(got) != 3 || got[0] != string(veid.KindIDDocument) || got[1] != string(veid.KindSelfie) || got[2] != string(veid.KindFaceVideo) {
		t.Fatalf("scopes %v", got)
	}
	if c.ZK.Flags != zk.FlagDocument|zk.FlagBiometric || c.ZK.ExpiresAt-c.ZK.IssuedAt != 30 {
		t.Fatalf("zk public attributes %+v", c.ZK)
	}
	// Next height: every validator signs; the extensions verify; the tally stores 4 proofs.
	ec := n.votes(t, nil, nil)
	for i, v := range ec.Votes {
		ext, err := parseExtension(v.VoteExtension)
		if err != nil || len(ext.Issuance) != 1 {
			t.Fatalf("validator %d: issuance %+v %v", i, ext, err)
		}
	}
	if !n.propose(t, ec) {
		t.Fatal("proposal rejected")
	}
	c = n.credential(t, id)
	if c.Status != CredIssued || len(c.Proofs) != 4 || c.SignedPower != 40 {
		t.Fatalf("credential %+v", c)
	}
	// Once signed, validators do not sign again.
	for i, v := range n.votes(t, nil, nil).Votes {
		if len(v.VoteExtension) != 0 {
			t.Fatalf("validator %d signed twice", i)
		}
	}
	// The holder: one zk credential per validator, with the document's attributes.
	creds, err := c.HolderCredentials(seed, holder.PublicKey())
	if err != nil || len(creds) != 4 {
		t.Fatalf("holder credentials: %d %v", len(creds), err)
	}
	a := creds[0].Attributes
	if a.BirthDate != testClaims.BirthDate || a.Country != testClaims.Country || a.Score != uint8(want.Score) {
		t.Fatalf("attributes %+v", a)
	}
	if _, err := c.HolderCredentials(bytes.Repeat([]byte{1}, 32), holder.PublicKey()); err == nil {
		t.Fatal("another seed opened the credential")
	}
	other, _ := zk.GenerateHolderSecret(nil)
	if _, err := c.HolderCredentials(seed, other.PublicKey()); err == nil {
		t.Fatal("another holder key verified")
	}
	// VCs: one per validator, each verifying under its registered attestation key.
	vcs, err := c.VCs()
	if err != nil || len(vcs) != 4 {
		t.Fatalf("VCs: %d %v", len(vcs), err)
	}
	for i, p := range c.Proofs {
		if _, err := veid.VerifyVC(vcs[i], ed25519.PublicKey(p.AttestationKey), time.Unix(c.ValidFrom, 0).Add(time.Hour)); err != nil {
			t.Fatalf("VC %d: %v", i, err)
		}
	}
	// Relying party: the registered keys accept the network's credential and refuse one signed by a
	// key that is not a validator's.
	keys, err := n.h.a.issuerKeys(dbView{n.h.db})
	if err != nil || len(keys) != 4 {
		t.Fatalf("issuer keys %d %v", len(keys), err)
	}
	if err := CheckZKIssuer(keys, creds[2].Issuer); err != nil {
		t.Fatal(err)
	}
	rogue, _ := zk.GenerateIssuerKey(nil)
	forged, err := zk.Issue(rogue, creds[0].Attributes, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckZKIssuer(keys, forged.Issuer); !errors.Is(err, ErrNotValidatorIssuer) {
		t.Fatalf("non-validator issuer: %v", err)
	}
	req, err := zk.NewRequest("https://rp.example", c.ZK.IssuedAt, ZKIssuers(keys)...)
	if err != nil {
		t.Fatal(err)
	}
	req.NotExpired, req.HolderBinding = true, true
	if err := zk.CheckCredential(req, creds[1], holder, nil); err != nil {
		t.Fatalf("network credential refused: %v", err)
	}
	var ue *zk.UnsatisfiedError
	if err := zk.CheckCredential(req, forged, holder, nil); !errors.As(err, &ue) || ue.Statement != "issuer" {
		t.Fatalf("credential by a non-validator key: %v", err)
	}
	// No birth date, country, seed or blinding in clear anywhere in the state.
	blind := blindingScalar(seed, id)
	var bd [4]byte
	binary.BigEndian.PutUint32(bd[:], testClaims.BirthDate)
	it, _ := n.h.db.Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		for what, secret := range map[string][]byte{"seed": seed, "blinding": blind[:], "birth date (day)": bd[:], "birth date (ISO)": []byte("1974-08-12"),
			"holder key": func() []byte { k := holder.PublicKey(); return k[:] }()} {
			if bytes.Contains(it.Value(), secret) {
				t.Errorf("state key %q holds the %s in clear", it.Key(), what)
			}
		}
	}
}

// Reject twin of TestIssuanceByTheNetwork: a validator's extension with a tampered VC or zk
// signature, or signatures by a key that is not its registered one, is rejected by
// VerifyVoteExtension; a tallied bad signature is not stored.
func TestIssuanceTamperedSignatureRejected(t *testing.T) {
	n := newIssuerNet(t)
	holder, _ := zk.GenerateHolderSecret(nil)
	id := n.submit(t, holderBundle(t, "bob", holder, bytes.Repeat([]byte{7}, 32)))
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	ec := n.votes(t, nil, nil)
	addr := n.cons[1].PubKey().Address()
	verify := func(ext *VoteExtension, consAddr []byte) abci.ResponseVerifyVoteExtension_VerifyStatus {
		b, _ := tx.Marshal(ext)
		r, _ := n.h.a.VerifyVoteExtension(context.Background(), &abci.RequestVerifyVoteExtension{Height: n.h.height, VoteExtension: b, ValidatorAddress: consAddr})
		return r.Status
	}
	orig, _ := parseExtension(ec.Votes[1].VoteExtension)
	if verify(orig, addr) != abci.ResponseVerifyVoteExtension_ACCEPT {
		t.Fatal("honest extension rejected")
	}
	for name, mut := range map[string]func(s *IssueSig){
		"vc signature": func(s *IssueSig) { s.VCSig[5] ^= 1 },
		"zk signature": func(s *IssueSig) { s.ZKSig[40] ^= 1 },
		"no zk":        func(s *IssueSig) { s.ZKSig = nil },
	} {
		ext, _ := parseExtension(ec.Votes[1].VoteExtension)
		mut(&ext.Issuance[0])
		if verify(ext, addr) != abci.ResponseVerifyVoteExtension_REJECT {
			t.Errorf("%s tampered: accepted", name)
		}
	}
	// Validator 2's honest signatures presented as validator 1's: not its registered keys.
	if verify(orig, n.cons[2].PubKey().Address()) != abci.ResponseVerifyVoteExtension_REJECT {
		t.Error("another validator's signatures accepted")
	}
	// A Byzantine validator 1 signs its own extension with a tampered signature: whatever reaches
	// the tally, the bad signature is not stored.
	bad, _ := parseExtension(ec.Votes[1].VoteExtension)
	bad.Issuance[0].ZKSig[40] ^= 1
	ec.Votes[1].VoteExtension, _ = tx.Marshal(bad)
	ec.Votes[1].ExtensionSignature = n.signExt(t, 1, ec.Votes[1].VoteExtension)
	if !n.propose(t, ec) {
		t.Fatal("proposal rejected")
	}
	c := n.credential(t, id)
	if c.Status != CredIssued || len(c.Proofs) != 3 || c.SignedPower != 30 {
		t.Fatalf("credential %+v", c)
	}
	for _, p := range c.Proofs {
		if bytes.Equal(p.Validator, addr) {
			t.Fatal("the tampered signature was stored")
		}
	}
}

// Attributes differing across validators do not finalize: two of four reading another birth date
// split the power 2-2; one of four is dissent and the majority's commitment is final.
func TestIssuanceAttributesMustAgree(t *testing.T) {
	n := newIssuerNet(t)
	holder, _ := zk.GenerateHolderSecret(nil)
	seed := bytes.Repeat([]byte{9}, 32)
	otherBirth := testClaims
	otherBirth.BirthDate++
	n.exs[0], n.exs[3] = claimsExtractor{c: otherBirth}, claimsExtractor{c: otherBirth}
	id := n.submit(t, holderBundle(t, "carol", holder, seed))
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	if r := n.request(t, id); r.Status != ReqPending {
		t.Fatalf("finalized with the attributes split 2-2: %+v", r)
	}
	if n.credential(t, id) != nil {
		t.Fatal("credential created without agreement")
	}
	// Another country on one validator only: final, with that validator as dissent.
	n = newIssuerNet(t)
	otherCountry := testClaims
	otherCountry.Country = 276
	n.exs[2] = claimsExtractor{c: otherCountry}
	id = n.submit(t, holderBundle(t, "dave", holder, seed))
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	r := n.request(t, id)
	if r.Status != ReqFinal || len(r.Dissent) != 1 || !bytes.Equal(r.Dissent[0], n.cons[2].PubKey().Address()) {
		t.Fatalf("request %+v", r)
	}
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	creds, err := n.credential(t, id).HolderCredentials(seed, holder.PublicKey())
	if err != nil || creds[0].Attributes.Country != testClaims.Country {
		t.Fatalf("holder credential: %v", err)
	}
}

// Without a credential request in the bundle the network still issues the VC, with no zk part; a
// credential nobody signs becomes unissued when the window closes.
func TestIssuanceWithoutRequestAndWindow(t *testing.T) {
	n := newIssuerNet(t)
	id := n.submit(t, bundle("erin"))
	if !n.propose(t, n.votes(t, nil, nil)) {
		t.Fatal("proposal rejected")
	}
	c := n.credential(t, id)
	if c == nil || c.ZK != nil {
		t.Fatalf("credential %+v", c)
	}
	for i := 0; i < int(DefaultParams().IdentityVoteWindow)+1; i++ {
		n.h.block()
	}
	if c := n.credential(t, id); c.Status != CredUnissued {
		t.Fatalf("status %s after the window", c.Status)
	}
}

// signExt signs an extension at the current height as validator i (CometBFT's extension signature).
func (n *committeeNet) signExt(t *testing.T, i int, ext []byte) []byte {
	t.Helper()
	sb := cmttypes.VoteExtensionSignBytes(testChain, &cmtproto.Vote{Height: n.h.height, Round: 0, Extension: ext})
	sig, err := n.cons[i].Sign(sb)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}
