package envelope

import (
	"bytes"
	"crypto/ecdh"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"
)

// BIP-173 §"Test vectors": valid Bech32 strings (checksums) and invalid ones.
func TestBech32BIP173(t *testing.T) {
	for _, s := range []string{
		"A12UEL5L",
		"a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
	} {
		hrp, data, err := bech32Decode(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		// Data of these vectors is 5-bit; re-encoding is checked through the checksum only.
		_ = data
		_ = hrp
	}
	for _, s := range []string{
		"pzry9x0s0muk",  // no separator
		"1pzry9x0s0muk", // empty HRP
		"x1b4n0q5v",     // invalid data character
		"li1dgmt3",      // too short checksum
		"A1G7SGD8",      // checksum calculated with uppercase HRP
		"abcdef1Qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", // mixed case
	} {
		if _, _, err := bech32Decode(s); err == nil {
			t.Errorf("%s: accepted", s)
		}
	}
}

func TestKeyStringsRoundTrip(t *testing.T) {
	for _, k := range []KEM{XWing, X25519} {
		id := mustIdentity(t, k)
		id2, err := ParseIdentity(id.SecretString())
		if err != nil || id2.Recipient().String() != id.Recipient().String() {
			t.Fatalf("%v identity: %v", k, err)
		}
		r, err := ParseRecipient(id.Recipient().String())
		if err != nil || r.Fingerprint() != id.Recipient().Fingerprint() || r.KeyID() != id.KeyID() {
			t.Fatalf("%v recipient: %v", k, err)
		}
		if _, err := ParseRecipient(strings.ToUpper(id.Recipient().String())); err != nil {
			t.Fatalf("%v upper-case recipient: %v", k, err)
		}
		// Reject twins: one character changed, a secret given as a recipient, a cut string.
		s := []byte(id.Recipient().String())
		s[len(s)/2] = map[bool]byte{true: 'q', false: 'p'}[s[len(s)/2] != 'q']
		if _, err := ParseRecipient(string(s)); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("%v mistyped recipient: %v", k, err)
		}
		if _, err := ParseRecipient(id.SecretString()); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("%v secret as recipient: %v", k, err)
		}
		if _, err := ParseRecipient(id.Recipient().String()[:40]); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("%v cut recipient: %v", k, err)
		}
	}
	for _, s := range []SignatureScheme{Ed25519, MLDSA65} {
		k := mustSigner(t, s)
		k2, err := ParseSigningKey(k.SecretString())
		if err != nil || !k2.Public().Equal(k.Public()) {
			t.Fatalf("%v signing key: %v", s, err)
		}
		v, err := ParseVerifyingKey(k.Public().String())
		if err != nil || !v.Equal(k.Public()) || v.KeyID() != k.Public().KeyID() {
			t.Fatalf("%v verifying key: %v", s, err)
		}
		sig, _ := k.Sign([]byte("m"))
		if !v.Verify([]byte("m"), sig) || v.Verify([]byte("n"), sig) {
			t.Fatalf("%v: verify accept/reject wrong", s)
		}
		if _, err := ParseVerifyingKey(k.SecretString()); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("%v secret as public: %v", s, err)
		}
	}
}

func TestFingerprintIsStable(t *testing.T) {
	// Pinned: the fingerprint of a fixed key must never change, or every stored key id breaks.
	id, err := newHPKEIdentity(X25519, bytes.Repeat([]byte{0x42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	fp := id.Recipient().Fingerprint()
	again, _ := ParseRecipient(id.Recipient().String())
	if again.Fingerprint() != fp || id.KeyID().String() != again.KeyID().String() || len(id.KeyID().String()) != 2*KeyIDSize {
		t.Fatal("fingerprint depends on the string form")
	}
	// Recomputed from FORMAT.md §5 with crypto/ecdh: SHA-256(label ‖ 0x00 ‖ 0x01 ‖ 0x0020 ‖ public key).
	priv, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{0x42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(append([]byte("virtengine/envelope/v1/fingerprint\x00\x01\x00\x20"), priv.PublicKey().Bytes()...))
	if fp != want || !bytes.Equal(id.Recipient().Bytes(), priv.PublicKey().Bytes()) {
		t.Fatalf("fingerprint %x, FORMAT.md gives %x", fp, want)
	}
}

func TestKeyFileAndKeyring(t *testing.T) {
	a, b := mustIdentity(t, XWing), mustIdentity(t, X25519)
	sk := mustSigner(t, Ed25519)
	kf := &KeyFile{Identities: []*HPKEIdentity{a, b}, Signers: []*SigningKey{sk}}
	text := kf.Marshal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	got, err := ParseKeyFile(bytes.NewReader(text))
	if err != nil || len(got.Identities) != 2 || len(got.Signers) != 1 {
		t.Fatalf("parse: %v", err)
	}
	env, err := Seal([]byte("k"), sk, []Recipient{b.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pt, _, err := Open(env, got.Keyring(), nil); err != nil || string(pt) != "k" {
		t.Fatalf("keyring open: %v", err)
	}
	anon, _ := Seal([]byte("k"), sk, []Recipient{b.Recipient()}, &SealOptions{Anonymous: true})
	if _, _, err := Open(anon, got.Keyring(), nil); err != nil {
		t.Fatalf("keyring anonymous open: %v", err)
	}
	if _, _, err := Open(env, NewKeyring(a), nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("keyring without the key: %v", err)
	}
	for _, bad := range []string{"", "# only a comment\n", "VE-SECRET-ZZ-1qqqq\n", a.Recipient().String() + "\n"} {
		if _, err := ParseKeyFile(strings.NewReader(bad)); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%.20q: got %v", bad, err)
		}
	}
}

func TestPolicy(t *testing.T) {
	env, err := Seal([]byte(`{"cpu":4}`), mustSigner(t, Ed25519), []Recipient{mustIdentity(t, X25519).Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range EnvelopeClasses() {
		if !c.RequiresEnvelope() {
			t.Errorf("%s listed but not required", c)
		}
		if err := CheckPayload(c, env); err != nil {
			t.Errorf("%s: envelope refused: %v", c, err)
		}
		for _, bad := range [][]byte{nil, []byte(`{"cpu":4}`), env[:40], env[:len(env)-100]} {
			if err := CheckPayload(c, bad); !errors.Is(err, ErrPlaintextRefused) {
				t.Errorf("%s: plaintext accepted: %v", c, err)
			}
		}
	}
	if DataClass("something_new").RequiresEnvelope() != true || ClassPublic.RequiresEnvelope() {
		t.Error("unknown classes must require envelopes; public must not")
	}
	want := []DataClass{ClassOrder, ClassIdentityScope, ClassSupportTicket, ClassResourceCredential,
		ClassAccountSettings, ClassAuditLog, ClassProviderSecret, ClassUsageDetail}
	got := EnvelopeClasses()
	if len(got) != len(want) {
		t.Fatalf("classes %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("classes %v, want %v", got, want)
		}
	}
}

// Nil and zero keys are refused or ignored, never a panic: a nil identity in a keyring, rotating
// to a nil identity, and encoding a zero SigningKey.
func TestNilKeysDoNotPanic(t *testing.T) {
	id, err := GenerateIdentity(X25519)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := GenerateSigningKey(Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	env, err := Seal([]byte("hi"), sk, []Recipient{id.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := NewKeyring(nil, id)
	k.AddValid(nil, KeyValidity{})
	if k.Len() != 1 {
		t.Fatalf("keyring holds %d identities, want 1", k.Len())
	}
	if pt, _, err := Open(env, k, nil); err != nil || string(pt) != "hi" {
		t.Fatalf("open through keyring: %q %v", pt, err)
	}
	if _, _, err := Open(env, NewKeyring(nil), nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("keyring of nil: %v", err)
	}
	if err := k.Rotate(id.KeyID(), nil, time.Unix(0, 0), time.Hour); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("rotate to nil: %v", err)
	}
	if s := (&SigningKey{}).SecretString(); s != "" {
		t.Fatalf("zero signing key encodes as %q", s)
	}
}
