package veid

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

type w3cKeyPair struct {
	Public  string `json:"publicKeyMultibase"`
	Private string `json:"privateKeyMultibase"`
}

func loadW3C(t testing.TB) (signed []byte, pub ed25519.PublicKey, priv ed25519.PrivateKey) {
	signed, err := os.ReadFile("testdata/w3c-vc-di-eddsa/signedJCS.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/w3c-vc-di-eddsa/keyPair.json")
	if err != nil {
		t.Fatal(err)
	}
	var kp w3cKeyPair
	json.Unmarshal(raw, &kp)
	if pub, err = PublicKeyFromMultikey(kp.Public); err != nil {
		t.Fatal(err)
	}
	if priv, err = PrivateKeyFromMultikey(kp.Private); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
		t.Fatal("W3C key pair does not match")
	}
	return signed, pub, priv
}

// The example of W3C vc-di-eddsa "Representation: eddsa-jcs-2022" verifies, and signing the same
// document with the same options reproduces its proofValue exactly (Ed25519 is deterministic).
func TestW3CEddsaJcs2022Vector(t *testing.T) {
	signed, pub, priv := loadW3C(t)
	if _, err := VerifyProof(signed, pub); err != nil {
		t.Fatal("W3C example does not verify:", err)
	}
	var m map[string]any
	json.Unmarshal(signed, &m)
	proof := m["proof"].(map[string]any)
	delete(m, "proof")
	unsigned, _ := json.Marshal(m)
	canon, _ := Canonicalize(unsigned)
	wantCanon, _ := os.ReadFile("testdata/w3c-vc-di-eddsa/canonDocJCS.txt")
	if !bytes.Equal(canon, wantCanon) {
		t.Fatalf("canonical document differs from canonDocJCS.txt:\n%s", canon)
	}
	created, _ := time.Parse(time.RFC3339, proof["created"].(string))
	out, err := AddProof(unsigned, ProofOptions{VerificationMethod: proof["verificationMethod"].(string), Created: created}, priv)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(out, &got)
	if pv := got["proof"].(map[string]any)["proofValue"]; pv != proof["proofValue"] {
		t.Fatalf("proofValue %v, want %v", pv, proof["proofValue"])
	}
}

// Reject twins of the W3C example: a changed subject byte, another key, a changed proof option,
// a proof @context that is not a prefix of the document's, another cryptosuite.
func TestW3CVectorRejects(t *testing.T) {
	signed, pub, _ := loadW3C(t)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)).Public().(ed25519.PublicKey)
	if _, err := VerifyProof(signed, other); !errors.Is(err, ErrBadProof) {
		t.Fatal("other key:", err)
	}
	for _, c := range []struct {
		from, to string
		want     error
	}{
		{"The School of Examples", "The School of Exampler", ErrBadProof},
		{"2023-02-24T23:36:38Z", "2023-02-24T23:36:39Z", ErrBadProof},
		{`"proofPurpose": "assertionMethod"`, `"proofPurpose": "authentication"`, ErrBadProof},
		{`"cryptosuite": "eddsa-jcs-2022"`, `"cryptosuite": "eddsa-rdfc-2022"`, ErrUnsupported},
		{`"proofValue": "z63t8`, `"proofValue": "z73t8`, ErrBadProof},
	} {
		tampered := bytes.Replace(signed, []byte(c.from), []byte(c.to), 1)
		if bytes.Equal(tampered, signed) {
			t.Fatalf("pattern %q not found", c.from)
		}
		if _, err := VerifyProof(tampered, pub); !errors.Is(err, c.want) {
			t.Errorf("%q → %q: %v", c.from, c.to, err)
		}
	}
	// Proof @context not a prefix of the document's.
	tampered := bytes.Replace(signed, []byte(`"https://www.w3.org/ns/credentials/examples/v2"
  ],
  "id"`), []byte(`"https://example.org/other"
  ],
  "id"`), 1)
	if _, err := VerifyProof(tampered, pub); !errors.Is(err, ErrBadProof) {
		t.Error("context prefix:", err)
	}
}

func testResult(t testing.TB) Result {
	r, err := Score(feats(9000, 8000, 7000, 6000, 5000, 1000))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestIssueAndVerifyVC(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	iss := NewIssuer(key)
	a := Attestation{ID: "urn:uuid:0b3b7c4e-1f2a-4c1e-9d57-5a4a2f6f0e11", Subject: "did:key:z6Mkholder",
		Result: testResult(t), Scopes: []ScopeKind{KindIDDocument, KindSelfie}, IssuedAt: t0}
	vc, err := IssueVC(iss, a)
	if err != nil {
		t.Fatal(err)
	}
	c, err := VerifyVC(vc, key.Public().(ed25519.PublicKey), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != iss.ID || c.Subject["tier"] != "standard" || !c.ValidUntil.Equal(t0.Add(30*24*time.Hour)) {
		t.Fatalf("%+v", c)
	}
	// Reject twins: expired, not yet valid, other issuer key, tampered score.
	if _, err := VerifyVC(vc, key.Public().(ed25519.PublicKey), t0.Add(30*24*time.Hour)); !errors.Is(err, ErrVCExpired) {
		t.Fatal("expired:", err)
	}
	if _, err := VerifyVC(vc, key.Public().(ed25519.PublicKey), t0.Add(-time.Second)); !errors.Is(err, ErrVCExpired) {
		t.Fatal("not yet valid:", err)
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32)).Public().(ed25519.PublicKey)
	if _, err := VerifyVC(vc, other, t0); !errors.Is(err, ErrBadProof) {
		t.Fatal("other key:", err)
	}
	tampered := bytes.Replace(vc, []byte(`"score":75`), []byte(`"score":95`), 1)
	if bytes.Equal(tampered, vc) {
		t.Fatal("score not found in", string(vc))
	}
	if _, err := VerifyVC(tampered, key.Public().(ed25519.PublicKey), t0); !errors.Is(err, ErrBadProof) {
		t.Fatal("tampered:", err)
	}
	// A proof made by another method than the issuer's, even with the right key, is refused.
	var m map[string]any
	json.Unmarshal(vc, &m)
	delete(m, "proof")
	unsigned, _ := json.Marshal(m)
	foreign, _ := AddProof(unsigned, ProofOptions{VerificationMethod: "did:example:someone#key-1", Created: t0}, key)
	if _, err := VerifyVC(foreign, key.Public().(ed25519.PublicKey), t0.Add(time.Hour)); !errors.Is(err, ErrBadProof) {
		t.Fatal("foreign verification method:", err)
	}
	auth, _ := AddProof(unsigned, ProofOptions{VerificationMethod: iss.VerificationMethod, ProofPurpose: "authentication", Created: t0}, key)
	if _, err := VerifyVC(auth, key.Public().(ed25519.PublicKey), t0.Add(time.Hour)); !errors.Is(err, ErrBadProof) {
		t.Fatal("authentication proof accepted as an attestation:", err)
	}
	// A failed verification gets no credential.
	a.Result, _ = Score(Features{})
	if _, err := IssueVC(iss, a); !errors.Is(err, ErrNotPassed) {
		t.Fatal(err)
	}
}

func TestValidityFor(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		kinds []ScopeKind
		want  time.Duration
	}{
		{[]ScopeKind{KindIDDocument}, 365 * day},
		{[]ScopeKind{KindDomain}, 365 * day},
		{[]ScopeKind{KindEmail}, 90 * day},
		{[]ScopeKind{KindSSO, KindDomain}, 90 * day},
		{[]ScopeKind{KindIDDocument, KindSelfie, KindEmail}, 30 * day},
	} {
		if got := ValidityFor(c.kinds); got != c.want {
			t.Errorf("%v: %v", c.kinds, got)
		}
	}
}

func TestMultikey(t *testing.T) {
	pub := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)).Public().(ed25519.PublicKey)
	mk := PublicKeyMultikey(pub)
	if !strings.HasPrefix(mk, "z6Mk") {
		t.Fatal(mk)
	}
	back, err := PublicKeyFromMultikey(mk)
	if err != nil || !bytes.Equal(back, pub) {
		t.Fatal(err)
	}
	// Leading zero bytes survive base58.
	if b, _ := MultibaseDecode(MultibaseEncode([]byte{0, 0, 1, 2})); !bytes.Equal(b, []byte{0, 0, 1, 2}) {
		t.Fatal(b)
	}
	for _, bad := range []string{"", "m123", "z0OIl", "z6Mk", PublicKeyMultikey(pub)[:20]} {
		if _, err := PublicKeyFromMultikey(bad); !errors.Is(err, ErrBadMultibase) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseVC(f *testing.F) {
	signed, _, _ := loadW3C(f)
	f.Add(signed)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	r, _ := Score(feats(9000, 8000, 7000, 6000, 5000, 1000))
	vc, err := IssueVC(NewIssuer(key), Attestation{ID: "urn:x", Subject: "s", Result: r, IssuedAt: t0})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(vc)
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":{"id":"x"},"credentialSubject":{},"proof":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseVC(data)
		if err != nil {
			if !errors.Is(err, ErrMalformedVC) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if c.Issuer == "" || c.Context[0] != ContextCredentialsV2 {
			t.Fatal("accepted an invalid credential")
		}
		// Verification of arbitrary input never panics and fails with a typed error.
		if _, err := VerifyProof(data, key.Public().(ed25519.PublicKey)); err != nil &&
			!errors.Is(err, ErrBadProof) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrMalformedVC) && !errors.Is(err, ErrJCS) {
			t.Fatalf("untyped proof error %v", err)
		}
	})
}

func FuzzCanonicalize(f *testing.F) {
	signed, _, _ := loadW3C(f)
	for _, s := range []string{string(signed), `{"a":[1,2.5e-7,true,null,"\u0001"]}`, `[1e21,-0,0.1]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Canonicalize(data)
		if err != nil {
			if !errors.Is(err, ErrJCS) {
				t.Fatal(err)
			}
			return
		}
		// Canonical output is valid JSON and a fixed point.
		if !json.Valid(c) {
			t.Fatalf("invalid output %q", c)
		}
		again, err := Canonicalize(c)
		if err != nil || !bytes.Equal(again, c) {
			t.Fatalf("not a fixed point: %q → %q (%v)", c, again, err)
		}
	})
}

// A malformed issuer key is refused with a typed error when issuing, not a panic in NewIssuer.
func TestNewIssuerBadKey(t *testing.T) {
	r, err := Score(feats(9000, 8000, 7000, 6000, 5000, 1000))
	if err != nil || !r.Passed {
		t.Fatal(r, err)
	}
	for _, key := range []ed25519.PrivateKey{nil, make(ed25519.PrivateKey, 31)} {
		if _, err := IssueVC(NewIssuer(key), Attestation{ID: "urn:x", Subject: "s", Result: r, IssuedAt: t0}); !errors.Is(err, ErrBadProof) {
			t.Fatalf("key of %d bytes: %v", len(key), err)
		}
	}
}

// AddProof used to sign documents that VerifyProof then refused: the proof copies @context one level
// deeper (a context nested to MaxJSONDepth-1 came out too deep) and adds bytes (a document just under
// MaxVCLen came out over it). Found by FuzzDataIntegrity's sign-verify round trip. AddProof now
// refuses such documents, and everything it signs verifies.
func TestAddProofOutputVerifies(t *testing.T) {
	_, pub, priv := loadW3C(t)
	opts := ProofOptions{VerificationMethod: "did:key:x#x", Created: t0}
	nested := func(n int) []byte {
		return []byte(`{"@context":` + strings.Repeat("[", n) + `"x"` + strings.Repeat("]", n) + `}`)
	}
	pad := func(n int) []byte { return []byte(`{"@context":"x","pad":"` + strings.Repeat("a", n) + `"}`) }
	for name, doc := range map[string][]byte{
		"context nested to the limit":  nested(MaxJSONDepth - 1),
		"context nested deeper":        nested(MaxJSONDepth),
		"document just under MaxVCLen": pad(MaxVCLen - 40),
	} {
		out, err := AddProof(doc, opts, priv)
		if err != nil {
			if !errors.Is(err, ErrMalformedVC) {
				t.Errorf("%s: %v, want ErrMalformedVC", name, err)
			}
			continue
		}
		if _, err := VerifyProof(out, pub); err != nil {
			t.Errorf("%s: AddProof output does not verify: %v", name, err)
		}
	}
	// Documents comfortably inside the limits are still signed.
	for _, doc := range [][]byte{nested(MaxJSONDepth - 2), pad(MaxVCLen / 2)} {
		out, err := AddProof(doc, opts, priv)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyProof(out, pub); err != nil {
			t.Fatal(err)
		}
	}
}
