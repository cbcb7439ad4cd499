package zk

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
)

// TestPublicInputOrder checks publicRefs/publicNames against gnark's own public witness order.
func TestPublicInputOrder(t *testing.T) {
	f := testFixture(t)
	a, pub, err := buildAssignment(f.fullRequest(t), f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(a, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		t.Fatal(err)
	}
	vec, ok := w.Vector().(fr.Vector)
	if !ok || len(vec) != NumPublicInputs {
		t.Fatalf("public witness has %d values, want %d", len(vec), NumPublicInputs)
	}
	for i := range vec {
		if !vec[i].Equal(&pub[i]) {
			t.Fatalf("public input %d (%s) out of order", i, publicNames[i])
		}
	}
}

func TestKeyRoundTrip(t *testing.T) {
	pk, vk := groth16Keys(t)
	vb, err := vk.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var vk2 VerifyingKey
	if err := vk2.UnmarshalBinary(vb); err != nil {
		t.Fatal(err)
	}
	if !vk2.Unsafe || vk2.Backend != Groth16 {
		t.Fatalf("header lost: %+v", vk2)
	}
	vb2, _ := vk2.MarshalBinary()
	if !bytes.Equal(vb, vb2) {
		t.Fatal("verifying key does not round-trip")
	}
	f1, _ := vk.Fingerprint()
	f2, _ := vk2.Fingerprint()
	if f1 != f2 || len(f1) != 64 {
		t.Fatalf("fingerprints %s %s", f1, f2)
	}
	// a decoded key verifies a presentation
	req, p := validPresentation(t)
	v := &Verifier{Key: &vk2, AllowUnsafeSetup: true}
	if r := v.Verify(req, p, testNow); !r.Valid {
		t.Fatal(r.Err())
	}
	pb, err := pk.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var pk2 ProvingKey
	if err := pk2.UnmarshalBinary(pb); err != nil {
		t.Fatal(err)
	}
	pb2, _ := pk2.MarshalBinary()
	if !bytes.Equal(pb, pb2) {
		t.Fatal("proving key does not round-trip")
	}

	// reject twins: wrong kind, wrong version, truncation, trailing bytes, flipped unsafe flag byte
	bad := map[string][]byte{
		"proving key as verifying": pb,
		"truncated":                vb[:len(vb)-5],
		"trailing":                 append(bytes.Clone(vb), 0),
		"version":                  bytes.Replace(bytes.Clone(vb), []byte(CircuitVersion), []byte("credential-v9"), 1),
		"empty":                    nil,
	}
	for name, b := range bad {
		var k VerifyingKey
		if err := k.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	var k VerifyingKey
	if err := k.UnmarshalBinary(bad["version"]); !errors.Is(err, ErrVersion) {
		t.Errorf("version: %v", err)
	}
}

func TestCredentialRoundTrip(t *testing.T) {
	f := testFixture(t)
	b, err := MarshalCredential(f.cred)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCredential(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := MarshalCredential(c)
	if !bytes.Equal(b, b2) {
		t.Fatal("credential does not round-trip")
	}
	// reject twin: any attribute changed breaks the issuer's signature
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["attributes"].(map[string]any)["score"] = 100
	tampered, _ := json.Marshal(m)
	if _, err := ParseCredential(tampered); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("tampered credential: %v", err)
	}
	// another issuer's key on the same signature
	other, _ := GenerateIssuerKey(testRand(7))
	c2 := *c
	c2.Issuer = other.Public()
	if err := c2.Verify(); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("wrong issuer key: %v", err)
	}
}

func TestRequestRoundTrip(t *testing.T) {
	f := testFixture(t)
	req := f.fullRequest(t)
	b, err := MarshalRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := DecodeRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := MarshalRequest(r2)
	if !bytes.Equal(b, b2) {
		t.Fatalf("request does not round-trip:\n%s\n%s", b, b2)
	}
	bad := []func(r *Request){
		func(r *Request) { r.Countries = make([]uint16, MaxCountrySet+1) },
		func(r *Request) { r.Countries = []uint16{1000} },
		func(r *Request) { r.Disclose = []string{"tier", "tier"} },
		func(r *Request) { r.Disclose = []string{"name"} },
		func(r *Request) { r.Ranges = []Range{{Attribute: "country"}} },
		func(r *Request) {
			v := uint32(5)
			w := uint32(4)
			r.Ranges = []Range{{Attribute: "score", Min: &v, Max: &w}}
		},
		func(r *Request) { r.Nonce = Scalar{} },
		func(r *Request) { r.Audience = "" },
		func(r *Request) { r.Version = "credential-v0" },
	}
	for i, mut := range bad {
		r := *req
		mut(&r)
		b, _ := json.Marshal(&r)
		if _, err := DecodeRequest(b); err == nil {
			t.Errorf("bad request %d accepted", i)
		}
	}
}

func TestPresentationRoundTrip(t *testing.T) {
	_, p := validPresentation(t)
	b, err := MarshalPresentation(p)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := DecodePresentation(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := MarshalPresentation(p2)
	if !bytes.Equal(b, b2) {
		t.Fatal("presentation does not round-trip")
	}
	if len(p.Proof) != Groth16ProofSize {
		t.Fatalf("proof is %d bytes", len(p.Proof))
	}
	for _, s := range []string{
		``, `{}`, `null`, string(b) + `{}`,
		`{"version":"credential-v1","backend":"groth16","public_inputs":[],"proof":"AA=="}`,
		string(bytes.Replace(b, []byte(`"backend":"groth16"`), []byte(`"backend":"bulletproofs"`), 1)),
		string(bytes.Replace(b, []byte(`"version"`), []byte(`"extra":1,"version"`), 1)),
	} {
		if _, err := DecodePresentation([]byte(s)); err == nil {
			t.Errorf("accepted %.80q", s)
		}
	}
}

func TestScalarText(t *testing.T) {
	var s Scalar
	for _, bad := range []string{
		"0x", "00", "0x" + string(bytes.Repeat([]byte("f"), 64)), // not canonical (≥ r)
		"0X" + string(bytes.Repeat([]byte("0"), 64)),
		"0x" + string(bytes.Repeat([]byte("A"), 64)), // upper case
	} {
		if err := s.UnmarshalText([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	want := scalarOf(u64(42))
	b, _ := want.MarshalText()
	if err := s.UnmarshalText(b); err != nil || s != want {
		t.Fatalf("round trip: %v", err)
	}
}

func TestIssuerKeyEncoding(t *testing.T) {
	f := testFixture(t)
	b := f.issuer.Bytes()
	k, err := ParseIssuerPrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Public().Equal(f.issuer.Public()) {
		t.Fatal("private key does not round-trip")
	}
	for name, bad := range map[string][]byte{"short": b[:10], "trailing": append(bytes.Clone(b), 1), "empty": nil} {
		if _, err := ParseIssuerPrivateKey(bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	pub := f.issuer.Public()
	p2, err := ParseIssuerPublicKey(pub.Bytes())
	if err != nil || !p2.Equal(pub) {
		t.Fatalf("public key round trip: %v", err)
	}
	txt, _ := pub.MarshalText()
	var p3 IssuerPublicKey
	if err := p3.UnmarshalText(txt); err != nil || !p3.Equal(pub) {
		t.Fatalf("public key text: %v", err)
	}
	var ident [32]byte // the neutral point (0, 1) compressed
	ident[31] = 1
	if _, err := ParseIssuerPublicKey(ident[:]); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("identity accepted as issuer key: %v", err)
	}
}

// TestEmptyKeys: zero-value keys are refused with an error, never a panic.
func TestEmptyKeys(t *testing.T) {
	f := testFixture(t)
	req := f.fullRequest(t)
	for _, pk := range []*ProvingKey{nil, {}, {Backend: Groth16}, {Backend: PLONK}} {
		if _, err := Prove(pk, req, f.cred, f.holder, f.path()); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Prove with %+v: %v", pk, err)
		}
		if _, err := pk.MarshalBinary(); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("MarshalBinary of %+v: %v", pk, err)
		}
	}
	_, p := validPresentation(t)
	for _, vk := range []*VerifyingKey{nil, {}, {Backend: Groth16}} {
		wantReason(t, (&Verifier{Key: vk, AllowUnsafeSetup: true}).Verify(req, p, testNow), ReasonMalformed)
		if err := ExportSolidity(io.Discard, vk, true); err == nil {
			t.Errorf("ExportSolidity of %+v", vk)
		}
		if _, err := vk.Fingerprint(); err == nil {
			t.Errorf("Fingerprint of %+v", vk)
		}
	}
}

// TestNilInputs: nil or zero-value inputs to the public API return errors, never panic.
func TestNilInputs(t *testing.T) {
	f := testFixture(t)
	pk, _ := groth16Keys(t)
	if _, err := Prove(pk, nil, f.cred, f.holder, nil); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("nil request: %v", err)
	}
	if _, err := Prove(pk, f.fullRequest(t), nil, f.holder, nil); err == nil {
		t.Error("nil credential accepted")
	}
	if _, err := Issue(&IssuerPrivateKey{}, f.cred.Attributes, nil); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("zero issuer key: %v", err)
	}
	var tr RevocationTree // zero value is an empty tree
	if tr.Root() != EmptyRevocationRoot() {
		t.Error("zero tree root")
	}
	if _, err := tr.Revoke(9); err != nil || !tr.Revoked(9) {
		t.Errorf("revoke on zero tree: %v", err)
	}
}

// TestZeroIssuerKey: a nil or zero-value issuer private key has no public key and no encoding, and
// nothing derived from it is accepted; a real key (the accept twin) round-trips.
func TestZeroIssuerKey(t *testing.T) {
	f := testFixture(t)
	for name, k := range map[string]*IssuerPrivateKey{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			pub := k.Public()
			if pub != (IssuerPublicKey{}) {
				t.Errorf("public key of an empty key: %v", pub)
			}
			if b := k.Bytes(); len(b) != 0 {
				t.Errorf("encoding of an empty key: %x", b)
			}
			if _, err := ParseIssuerPrivateKey(k.Bytes()); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("parsing an empty key's encoding: %v", err)
			}
			if _, err := ParseIssuerPublicKey(pub.Bytes()); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("parsing an empty key's public key: %v", err)
			}
			if _, err := Issue(k, f.cred.Attributes, nil); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("issuing with an empty key: %v", err)
			}
			req := f.fullRequest(t)
			req.AcceptedIssuers = []IssuerPublicKey{pub}
			if err := CheckCredential(req, f.cred, f.holder, f.path()); err == nil {
				t.Error("a request accepting only the empty key accepted the credential")
			}
		})
	}
	t.Run("real key", func(t *testing.T) {
		b := f.issuer.Bytes()
		k, err := ParseIssuerPrivateKey(b)
		if err != nil {
			t.Fatal(err)
		}
		if !k.Public().Equal(f.issuer.Public()) {
			t.Error("public key changed across Bytes/Parse")
		}
		if _, err := ParseIssuerPublicKey(k.Public().Bytes()); err != nil {
			t.Errorf("real public key: %v", err)
		}
	})
}
