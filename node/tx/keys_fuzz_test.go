package tx

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParseAddress: ParseAddress and UnmarshalText agree, fail only with ErrInvalidMsg, and what
// they accept prints back as the input in lowercase (String/MarshalText are the inverse).
func FuzzParseAddress(f *testing.F) {
	for i := byte(1); i <= 3; i++ {
		a := testKey(f, Ed25519, i).Address()
		f.Add(a.String())
		f.Add(strings.ToUpper(a.String()))
	}
	f.Add(Address{}.String())
	f.Add("")
	f.Add("0x" + strings.Repeat("ab", 20))
	f.Add(strings.Repeat("ab", 21))
	f.Add(strings.Repeat("g", 40))
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		var u Address
		uerr := u.UnmarshalText([]byte(s))
		if (err == nil) != (uerr == nil) || a != u {
			t.Fatalf("ParseAddress and UnmarshalText disagree on %q: %v / %v", s, err, uerr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidMsg) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if a.String() != strings.ToLower(s) {
			t.Fatalf("ParseAddress(%q).String() = %q", s, a)
		}
		txt, _ := a.MarshalText()
		if b, err := ParseAddress(string(txt)); err != nil || b != a {
			t.Fatalf("round trip of %q: %v", txt, err)
		}
	})
}

// FuzzParseAlgo: ParseAlgo fails only with ErrUnknownKey and is the inverse of Algo.String.
func FuzzParseAlgo(f *testing.F) {
	for _, s := range []string{"ed25519", "secp256k1", "ED25519", "Secp256K1", "", "algo(3)", "ed25519 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAlgo(s)
		if err != nil {
			if !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if !strings.EqualFold(a.String(), s) {
			t.Fatalf("ParseAlgo(%q) = %v", s, a)
		}
		if b, err := ParseAlgo(a.String()); err != nil || b != a {
			t.Fatalf("round trip of %v: %v", a, err)
		}
	})
}

// FuzzPrivKeyFromBytes: key bytes load only with typed errors, and an accepted key's Bytes are the
// input, its public key verifies its own signature.
func FuzzPrivKeyFromBytes(f *testing.F) {
	for i := byte(1); i <= 2; i++ {
		for _, algo := range []Algo{Ed25519, Secp256k1} {
			f.Add(uint8(algo), testKey(f, algo, i).Bytes())
		}
	}
	f.Add(uint8(Secp256k1), make([]byte, 32))
	f.Add(uint8(Secp256k1), bytes.Repeat([]byte{0xff}, 32))
	f.Add(uint8(Ed25519), make([]byte, 64))
	f.Add(uint8(9), []byte{1})
	f.Fuzz(func(t *testing.T, algo uint8, b []byte) {
		k, err := PrivKeyFromBytes(Algo(algo), b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if !bytes.Equal(k.Bytes(), b) || k.Algo() != Algo(algo) {
			t.Fatal("key bytes do not round trip")
		}
		sig, err := k.SignRaw([]byte("fuzz"))
		if err != nil {
			t.Fatal(err)
		}
		if err := k.PubKey().Verify([]byte("fuzz"), sig); err != nil {
			t.Fatalf("own signature does not verify: %v", err)
		}
	})
}

// FuzzPubKeyVerify: verifying with an arbitrary public key and signature never panics and fails
// only with typed errors.
func FuzzPubKeyVerify(f *testing.F) {
	for _, algo := range []Algo{Ed25519, Secp256k1} {
		k := testKey(f, algo, 4)
		sig, err := k.SignRaw([]byte("msg"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(algo), k.PubKey().Key, []byte("msg"), sig)
	}
	f.Add(uint8(7), []byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, algo uint8, key, msg, sig []byte) {
		p := PubKey{Algo: Algo(algo), Key: key}
		err := p.Verify(msg, sig)
		if err != nil && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("untyped error: %v", err)
		}
		_ = p.Address()
	})
}

// FuzzDecodeMsg: DecodeMsg of every registered type never panics, fails only with this package's
// sentinels, and what it accepts re-encodes to the input.
func FuzzDecodeMsg(f *testing.F) {
	types := Types()
	index := map[string]uint8{}
	for i, typ := range types {
		index[typ] = uint8(i)
	}
	for _, b := range seeds(f) {
		d, err := Decode(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(index[d.Parsed.Type], []byte(d.Parsed.Msg))
	}
	f.Add(uint8(255), []byte{0xa0})
	f.Fuzz(func(t *testing.T, ti uint8, raw []byte) {
		typ := "unknown"
		if int(ti) < len(types) {
			typ = types[ti]
		}
		m, err := DecodeMsg(typ, raw)
		if err != nil {
			for _, s := range []error{ErrMalformed, ErrNonCanonical, ErrTooLarge, ErrUnknownKey, ErrUnknownType, ErrInvalidMsg} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("untyped error: %v", err)
		}
		again, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, raw) {
			t.Fatalf("%s: accepted a non-canonical encoding", typ)
		}
	})
}
