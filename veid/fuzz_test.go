package veid

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzMultibase: MultibaseDecode and the Multikey decoders accept exactly what the encoders
// produce (base58btc has one spelling per byte string, leading zero bytes included).
func FuzzMultibase(f *testing.F) {
	_, pub, _ := loadW3C(f)
	for _, s := range []string{
		"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
		PublicKeyMultikey(pub), MultibaseEncode([]byte{0, 0, 1, 2}), MultibaseEncode(nil), "z", "z1", "z11",
		"m123", "z0OIl", "", strings.Repeat("z", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := MultibaseDecode(s)
		if err != nil {
			if !errors.Is(err, ErrBadMultibase) {
				t.Fatalf("untyped error %v", err)
			}
			if _, err := PublicKeyFromMultikey(s); !errors.Is(err, ErrBadMultibase) {
				t.Fatalf("PublicKeyFromMultikey accepted what MultibaseDecode refused: %v", err)
			}
			return
		}
		if again := MultibaseEncode(b); again != s {
			t.Fatalf("%q decodes to %x, which encodes to %q", s, b, again)
		}
		if k, err := PublicKeyFromMultikey(s); err == nil {
			if len(k) != ed25519.PublicKeySize || PublicKeyMultikey(k) != s {
				t.Fatalf("public Multikey %q does not round-trip", s)
			}
		} else if !errors.Is(err, ErrBadMultibase) {
			t.Fatalf("untyped error %v", err)
		}
		if k, err := PrivateKeyFromMultikey(s); err == nil {
			if len(k) != ed25519.PrivateKeySize || MultibaseEncode(append(append([]byte{}, multicodecEd25519Priv...), k.Seed()...)) != s {
				t.Fatalf("secret Multikey %q does not round-trip", s)
			}
		} else if !errors.Is(err, ErrBadMultibase) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

// FuzzDataIntegrity: VerifyProof fails on any input with a typed error, never a panic, and
// accepts only the W3C key's signatures; and every document AddProof signs verifies (sign-verify
// round trip: what the signer produces, the verifier accepts).
func FuzzDataIntegrity(f *testing.F) {
	signed, pub, priv := loadW3C(f)
	f.Add(signed)
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"n":[1e400,-0,0.1,1E-7,123456789012345678901234567890]}`))
	f.Add([]byte(`{"@context":"https://www.w3.org/ns/credentials/v2","a":"<&>\u2028\ud83d\ude00"}`))
	f.Add([]byte(`{"@context":[{"@vocab":"x"}],"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-jcs-2022","proofValue":"z1"}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	// A context nested to the depth limit: the proof's copy of it is one level deeper.
	f.Add([]byte(`{"@context":` + strings.Repeat("[", MaxJSONDepth-1) + `"x"` + strings.Repeat("]", MaxJSONDepth-1) + `}`))
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)).Public().(ed25519.PublicKey)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	typed := func(t *testing.T, what string, err error) {
		if err != nil && !errors.Is(err, ErrBadProof) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrMalformedVC) && !errors.Is(err, ErrJCS) {
			t.Fatalf("%s: untyped error %v", what, err)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		_, err := VerifyProof(doc, pub)
		typed(t, "VerifyProof", err)
		if err == nil {
			if _, err := VerifyProof(doc, other); !errors.Is(err, ErrBadProof) {
				t.Fatalf("verifies under another key too: %v", err)
			}
		}
		out, err := AddProof(doc, ProofOptions{VerificationMethod: "did:key:x#x", Created: created, Challenge: "c"}, priv)
		typed(t, "AddProof", err)
		if err != nil {
			return
		}
		info, err := VerifyProof(out, pub)
		if err != nil {
			t.Fatalf("AddProof output does not verify: %v\n%s", err, out)
		}
		if info.VerificationMethod != "did:key:x#x" || info.ProofPurpose != ProofPurposeAssertion || info.Created != "2026-01-02T03:04:05Z" {
			t.Fatalf("proof info %+v", info)
		}
	})
}

// FuzzCheckDomainName: CheckDomainName accepts exactly the RFC 1035/1123 host names it documents.
func FuzzCheckDomainName(f *testing.F) {
	for _, s := range []string{"example.com", "example.com.", "a-b.c0.io", "-a.com", "a-.com", "a..b", ".", "",
		strings.Repeat("a", 63) + ".com", strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 126) + "a", "xn--bcher-kva.example", "ex ample.com", "é.com"} {
		f.Add(s)
	}
	valid := func(d string) bool {
		d = strings.TrimSuffix(d, ".")
		if d == "" || len(d) > 253 {
			return false
		}
		for _, l := range strings.Split(d, ".") {
			if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
				return false
			}
			for _, c := range []byte(l) {
				if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
					return false
				}
			}
		}
		return true
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckDomainName(s)
		if err != nil && !errors.Is(err, ErrBadDomain) {
			t.Fatalf("untyped error %v", err)
		}
		if (err == nil) != valid(s) {
			t.Fatalf("CheckDomainName(%q) = %v", s, err)
		}
	})
}
