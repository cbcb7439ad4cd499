package settlement

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

func TestUsageEncodingRoundTrip(t *testing.T) {
	r := record(7, t0, t0+3600, 1500, 1000)
	r.Quantities[GPU], r.UnitPrices[GPU] = 250, 90_000
	r.Corrects = 3
	enc := r.Encode()
	got, err := DecodeUsage(enc)
	must(t, err)
	if *got != r {
		t.Fatalf("round trip: %+v != %+v", got, r)
	}
	if !bytes.HasPrefix(enc, []byte(usageMagic)) {
		t.Fatal("missing domain separator")
	}
}

func TestDecodeUsageRejects(t *testing.T) {
	enc := record(1, t0, t0+1, 1, 1).Encode()
	nonMinimal := append([]byte(usageMagic), 0x84, 0x00) // length 4 as a two-byte uvarint
	nonMinimal = append(nonMinimal, "test"...)
	nonMinimal = append(nonMinimal, enc[len(usageMagic)+5:]...)
	for name, b := range map[string][]byte{
		"empty":         nil,
		"wrong magic":   append([]byte("virtengine/usage/v2\x00"), enc[len(usageMagic):]...),
		"truncated":     enc[:len(enc)-1],
		"trailing byte": append(append([]byte(nil), enc...), 0),
		"non-minimal":   nonMinimal,
		"too long":      make([]byte, MaxUsageRecordLen+1),
		"huge string":   append([]byte(usageMagic), 0xff, 0xff, 0x03),
	} {
		if _, err := DecodeUsage(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

func FuzzDecodeUsage(f *testing.F) {
	seeds := [][]byte{
		record(1, t0, t0+3600, 1500, 1000).Encode(),
		func() []byte { r := record(2, 0, 1, 0, 0); r.Kind = KindFinal; r.Corrects = 1; return r.Encode() }(),
		[]byte(usageMagic),
		{},
	}
	// The published vectors (testdata/usage_vectors.json, FORMAT.md): success, tampered, malformed.
	raw, err := os.ReadFile("testdata/usage_vectors.json")
	if err != nil {
		f.Fatal(err)
	}
	var vs []usageVector
	if err := json.Unmarshal(raw, &vs); err != nil {
		f.Fatal(err)
	}
	for _, v := range vs {
		b, err := hex.DecodeString(v.Encoding)
		if err != nil {
			f.Fatalf("vector %q: %v", v.Name, err)
		}
		seeds = append(seeds, b)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) < 8 {
		f.Fatal("seed corpus lost the vectors")
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeUsage(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// Exactly one encoding per record.
		if !bytes.Equal(r.Encode(), b) {
			t.Fatalf("decoded record re-encodes differently")
		}
		// A decoded record prices without panicking: Validate accepts it only if its lines add up,
		// and the amount is the sum of the lines.
		verr := r.Validate()
		lines, lerr := r.Lines()
		amount, aerr := r.Amount()
		if lerr != nil {
			if !errors.Is(lerr, ErrOverflow) || verr == nil || aerr == nil {
				t.Fatalf("lines: %v, validate: %v, amount: %v", lerr, verr, aerr)
			}
			return
		}
		var sum uint64
		overflow := false
		for _, l := range lines {
			if l.Quantity == 0 || l.Quantity != r.Quantities[l.Resource] || l.UnitPrice != r.UnitPrices[l.Resource] {
				t.Fatalf("line %+v does not match the record", l)
			}
			if sum+l.Amount < sum {
				overflow = true
			}
			sum += l.Amount
		}
		if overflow != (aerr != nil) || (aerr == nil && amount != sum) {
			t.Fatalf("amount %d (%v), lines sum to %d (overflow %v)", amount, aerr, sum, overflow)
		}
	})
}

func TestUsageValidate(t *testing.T) {
	ok := record(1, t0, t0+1, 1, 1)
	must(t, ok.Validate())
	for name, mut := range map[string]func(r *UsageRecord){
		"kind 0":          func(r *UsageRecord) { r.Kind = 0 },
		"kind 4":          func(r *UsageRecord) { r.Kind = 4 },
		"reversed period": func(r *UsageRecord) { r.PeriodStart, r.PeriodEnd = r.PeriodEnd, r.PeriodStart },
		"no escrow":       func(r *UsageRecord) { r.EscrowID = "" },
		"overflowing":     func(r *UsageRecord) { r.Quantities[CPU], r.UnitPrices[CPU] = 1<<63, 1<<20 },
	} {
		r := ok
		mut(&r)
		if err := r.Validate(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// badKeys are private keys ed25519.Sign would panic on: every signing helper must refuse them with
// ErrBadKey instead.
func badKeys() map[string]ed25519.PrivateKey {
	good := key("prov")
	return map[string]ed25519.PrivateKey{
		"nil":               nil,
		"empty":             {},
		"seed only (short)": good.Seed(),
		"one byte short":    good[:ed25519.PrivateKeySize-1],
		"one byte long":     append(append(ed25519.PrivateKey(nil), good...), 0),
		"double (long)":     append(append(ed25519.PrivateKey(nil), good...), good...),
	}
}

func TestSignUsageAndCountersign(t *testing.T) {
	r := record(1, t0, t0+3600, 1000, 1000)
	su, err := SignUsage(r, key("prov"))
	must(t, err)
	must(t, su.Countersign(key("alice")))
	must(t, su.Verify(pub("prov"), pub("alice")))

	for name, k := range badKeys() {
		t.Run(name, func(t *testing.T) {
			got, err := SignUsage(r, k)
			if !errors.Is(err, ErrBadKey) || got.ProviderSig != nil {
				t.Fatalf("SignUsage: %v (sig %x), want ErrBadKey and no signature", err, got.ProviderSig)
			}
			if Code(err) != Code(ErrBadKey) || Code(ErrBadKey) <= 1 {
				t.Fatalf("code %d, want ErrBadKey's own code", Code(err))
			}
			before := providerSigned(r, "prov")
			after := before
			if err := after.Countersign(k); !errors.Is(err, ErrBadKey) {
				t.Fatalf("Countersign: %v, want ErrBadKey", err)
			}
			if after.CustomerSig != nil || !bytes.Equal(after.ProviderSig, before.ProviderSig) {
				t.Fatal("a refused countersignature changed the signed usage")
			}
		})
	}
}
