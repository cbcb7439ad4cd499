package envelope

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func toLowerASCII(s string) string { return strings.ToLower(s) }
func toUpperASCII(s string) string { return strings.ToUpper(s) }

// seedVectors adds every stored vector (valid and invalid) to a fuzz corpus and fails if there are
// none, so the corpus cannot silently go missing.
func seedVectors(f *testing.F) []vector {
	vs := loadVectors(f)
	for _, v := range vs {
		f.Add(v.envelope)
	}
	return vs
}

// FuzzParseHeader: the header parser never panics, and whatever it accepts re-encodes to exactly
// the bytes it read (one encoding per header).
func FuzzParseHeader(f *testing.F) {
	seedVectors(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, raw, err := parseHeader(bytes.NewReader(b))
		if err != nil {
			if Code(err) == "other" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if !bytes.Equal(h.marshal(), raw) || !bytes.Equal(raw, b[:len(raw)]) {
			t.Fatal("accepted header does not re-encode to its bytes")
		}
	})
}

// FuzzReader: the streaming reader never panics and returns typed errors; what it accepts is what
// the one-shot Open accepts; and re-sealing accepted plaintext round-trips.
func FuzzReader(f *testing.F) {
	vs := seedVectors(f)
	var ids []Identity
	for _, v := range vs {
		id, err := ParseIdentity(v.Identity)
		if err != nil {
			f.Fatal(err)
		}
		ids = append(ids, id)
	}
	kr := NewKeyring(ids...)
	signer, err := newSigningKey(Ed25519, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), kr, nil)
		var pt []byte
		if err == nil {
			pt, err = io.ReadAll(r)
		}
		opened, _, oerr := Open(b, kr, nil)
		if (err == nil) != (oerr == nil) || (err == nil && !bytes.Equal(pt, opened)) {
			t.Fatalf("stream and one-shot disagree: %v / %v", err, oerr)
		}
		if err != nil {
			if Code(err) == "other" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		env, err := Seal(pt, signer, []Recipient{ids[0].(*HPKEIdentity).Recipient()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := Open(env, kr, nil)
		if err != nil || !bytes.Equal(again, pt) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzParseKeys: key string parsers never panic and accept only what they encode.
func FuzzParseKeys(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Identity)
	}
	f.Add(mustIdentity(f, XWing).Recipient().String())
	f.Add(mustIdentity(f, X25519).Recipient().String())
	f.Add(mustSigner(f, Ed25519).Public().String())
	f.Add(mustSigner(f, MLDSA65).SecretString())
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseRecipient(s); err == nil && r.String() != toLowerASCII(s) {
			t.Fatalf("recipient %q re-encodes as %q", s, r.String())
		}
		if id, err := ParseIdentity(s); err == nil && id.SecretString() != toUpperASCII(s) {
			t.Fatalf("identity re-encodes differently")
		}
		if v, err := ParseVerifyingKey(s); err == nil && v.String() != toLowerASCII(s) {
			t.Fatalf("signer %q re-encodes as %q", s, v.String())
		}
		if k, err := ParseSigningKey(s); err == nil && k.SecretString() != toUpperASCII(s) {
			t.Fatalf("signing key re-encodes differently")
		}
	})
}

// FuzzArmor: the armor reader never panics, and what it accepts re-armors to the same text.
func FuzzArmor(f *testing.F) {
	for _, v := range loadVectors(f)[:4] {
		f.Add(armor(f, v.envelope))
	}
	f.Add([]byte(armorBegin + "\nAA==\n" + armorEnd + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := io.ReadAll(NewArmorReader(bytes.NewReader(b)))
		if err != nil {
			if Code(err) == "other" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if !bytes.Equal(armor(t, got), b) {
			t.Fatal("accepted armor is not canonical")
		}
	})
}

// FuzzParseKeyFile: the key file parser never panics, and what it accepts re-parses to the same keys.
func FuzzParseKeyFile(f *testing.F) {
	kf := &KeyFile{Identities: []*HPKEIdentity{mustIdentity(f, XWing), mustIdentity(f, X25519)}, Signers: []*SigningKey{mustSigner(f, Ed25519)}}
	f.Add(kf.Marshal(time.Unix(0, 0)))
	for _, v := range loadVectors(f)[:3] {
		f.Add([]byte("# a comment\n\n" + v.Identity + "\n"))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		kf, err := ParseKeyFile(bytes.NewReader(b))
		if err != nil {
			if Code(err) == "other" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		again, err := ParseKeyFile(bytes.NewReader(kf.Marshal(time.Unix(0, 0))))
		if err != nil || len(again.Identities) != len(kf.Identities) || len(again.Signers) != len(kf.Signers) {
			t.Fatalf("re-parse: %v", err)
		}
		for i := range kf.Identities {
			if again.Identities[i].SecretString() != kf.Identities[i].SecretString() {
				t.Fatal("identity changed on re-parse")
			}
		}
	})
}

// FuzzMnemonic: the mnemonic parser never panics, and accepted words re-encode to themselves.
func FuzzMnemonic(f *testing.F) {
	for _, v := range bip39Vectors {
		f.Add(v.mnemonic)
	}
	f.Add("abandon abandon")
	f.Fuzz(func(t *testing.T, m string) {
		e, err := MnemonicEntropy(m)
		if err != nil {
			if Code(err) == "other" {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		again, err := NewMnemonic(e)
		if err != nil || again != strings.Join(strings.Fields(norm.NFKD.String(m)), " ") {
			t.Fatalf("round trip: %q -> %q (%v)", m, again, err)
		}
	})
}
