package zk

import (
	"encoding/json"
	"testing"
)

// FuzzDecodePresentation: no input panics; whatever decodes re-encodes and decodes to the same value,
// and Verify on it returns a result (never panics).
func FuzzDecodePresentation(f *testing.F) {
	req, p := validPresentation(f)
	good, _ := MarshalPresentation(p)
	seeds := [][]byte{good, []byte(`{}`), []byte(`{"version":"credential-v1"}`), good[:len(good)/2]}
	for _, s := range seeds {
		f.Add(s)
	}
	v := devVerifier(f)
	v.Nonces = nil
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePresentation(b)
		if err != nil {
			return
		}
		enc, err := MarshalPresentation(p)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := DecodePresentation(enc)
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		enc2, _ := MarshalPresentation(p2)
		if string(enc) != string(enc2) {
			t.Fatal("not a fixed point")
		}
		_ = v.Verify(req, p, testNow)
	})
}

// FuzzDecodeRequest: no input panics; valid requests round-trip.
func FuzzDecodeRequest(f *testing.F) {
	req, _ := validPresentation(f)
	good, _ := MarshalRequest(req)
	f.Add(good)
	f.Add([]byte(`{"version":"credential-v1","nonce":"0x00` + "0000000000000000000000000000000000000000000000000000000000000001" + `","audience":"a","today":1}`))
	f.Add([]byte(`{"ranges":[{"attribute":"score","min":5,"max":4}]}`))
	sreq := *req
	sreq.CountrySet = euCountries
	sgood, _ := MarshalRequest(&sreq)
	f.Add(sgood)
	f.Add([]byte(`{"version":"credential-v2","nonce":"0x00` + "0000000000000000000000000000000000000000000000000000000000000001" + `","audience":"a","today":1,"country_set":[0,1000,4,4]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRequest(b)
		if err != nil {
			return
		}
		enc, _ := MarshalRequest(r)
		if _, err := DecodeRequest(enc); err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		_ = publicInputs(r, &revealed{})
		if _, ok := r.CountrySetRoot(); ok != (len(r.CountrySet) > 0) {
			t.Fatal("a valid request with a country set has no root")
		}
	})
}

// FuzzParseCredential: no input panics; a parsed credential verifies and round-trips.
func FuzzParseCredential(f *testing.F) {
	fx := testFixture(f)
	good, _ := MarshalCredential(fx.cred)
	f.Add(good)
	f.Add([]byte(`{"version":"credential-v1","signature":"AAAA"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCredential(b)
		if err != nil {
			return
		}
		if err := c.Verify(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzRevocationPath: JSON paths never panic when recomputing roots.
func FuzzRevocationPath(f *testing.F) {
	fx := testFixture(f)
	good, _ := json.Marshal(fx.path())
	f.Add(good)
	f.Add([]byte(`{"index":4294967295}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p RevocationPath
		if strictUnmarshal(b, &p) != nil {
			return
		}
		_, _ = p.Root()
	})
}

// FuzzCountryPath: JSON country paths never panic when recomputing roots, and only the member's
// own path leads to the set's root.
func FuzzCountryPath(f *testing.F) {
	tr, err := NewCountryTree(euCountries)
	if err != nil {
		f.Fatal(err)
	}
	p, _ := tr.Path(276)
	good, _ := json.Marshal(p)
	f.Add(good, uint16(276))
	f.Add([]byte(`{"position":255}`), uint16(0))
	f.Fuzz(func(t *testing.T, b []byte, country uint16) {
		var p CountryPath
		if strictUnmarshal(b, &p) != nil {
			return
		}
		r, err := p.Root(country)
		if err == nil && r == tr.Root() && !tr.Contains(country) {
			t.Fatalf("path proves %d, which is not in the set", country)
		}
	})
}

// FuzzParseIssuerKeys: key decoders never panic on any input (gnark-crypto's own decoder does on
// oversized private keys; ParseIssuerPrivateKey guards it).
func FuzzParseIssuerKeys(f *testing.F) {
	fx := testFixture(f)
	f.Add(fx.issuer.Bytes())
	f.Add(fx.issuer.Public().Bytes())
	f.Add(append(fx.issuer.Bytes(), 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := ParseIssuerPrivateKey(b); err == nil && len(k.Bytes()) != IssuerPrivateKeySize {
			t.Fatal("accepted key re-encodes to another size")
		}
		_, _ = ParseIssuerPublicKey(b)
		var p IssuerPublicKey
		_ = p.UnmarshalText(b)
		var vk VerifyingKey
		_ = vk.UnmarshalBinary(b)
	})
}
