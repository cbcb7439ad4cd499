package settlement

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// usageVector is one case of testdata/usage_vectors.json: an encoded usage record, the seeds of the
// keys that signed it, the signatures, and the expected outcome of DecodeUsage + Verify.
type usageVector struct {
	Name         string `json:"name"`
	Encoding     string `json:"encoding_hex"`
	ProviderSeed string `json:"provider_seed_hex"`
	CustomerSeed string `json:"customer_seed_hex"`
	ProviderSig  string `json:"provider_sig_hex"`
	CustomerSig  string `json:"customer_sig_hex"`
	Amount       uint64 `json:"amount,omitempty"`
	Expect       string `json:"expect"` // success | malformed | bad_signature
}

func unhex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The vectors pin the canonical encoding (FORMAT.md) and the signature construction, so an
// implementation on another platform can check itself, and any change to the format shows here.
func TestUsageVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/usage_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []usageVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 4 {
		t.Fatalf("only %d vectors: the file lost cases", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			r, err := DecodeUsage(unhex(t, v.Encoding))
			if v.Expect == "malformed" {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("got %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pk := ed25519.NewKeyFromSeed(unhex(t, v.ProviderSeed)).Public().(ed25519.PublicKey)
			ck := ed25519.NewKeyFromSeed(unhex(t, v.CustomerSeed)).Public().(ed25519.PublicKey)
			su := SignedUsage{Record: *r, ProviderSig: unhex(t, v.ProviderSig), CustomerSig: unhex(t, v.CustomerSig)}
			err = su.Verify(pk, ck)
			switch v.Expect {
			case "success":
				if err != nil {
					t.Fatal(err)
				}
				if amt, _ := r.Amount(); amt != v.Amount {
					t.Fatalf("amount %d, want %d", amt, v.Amount)
				}
				// Deterministic Ed25519 (RFC 8032 §5.1.6): signing again gives the same bytes.
				again, err := SignUsage(*r, ed25519.NewKeyFromSeed(unhex(t, v.ProviderSeed)))
				if err == nil {
					err = again.Countersign(ed25519.NewKeyFromSeed(unhex(t, v.CustomerSeed)))
				}
				if err != nil {
					t.Fatal(err)
				}
				if hex.EncodeToString(again.ProviderSig) != v.ProviderSig || hex.EncodeToString(again.CustomerSig) != v.CustomerSig {
					t.Fatal("signatures differ from the vector")
				}
			case "bad_signature":
				if !errors.Is(err, ErrBadSignature) {
					t.Fatalf("got %v, want ErrBadSignature", err)
				}
			default:
				t.Fatalf("unknown expectation %q", v.Expect)
			}
		})
	}
}

// writeUsageVectors regenerates the file; run with VIRTENGINE_WRITE_VECTORS=1 after a deliberate
// format change (and bump the format version).
func TestWriteUsageVectors(t *testing.T) {
	if os.Getenv("VIRTENGINE_WRITE_VECTORS") != "1" {
		return
	}
	ps, cs := make([]byte, 32), make([]byte, 32)
	for i := range ps {
		ps[i], cs[i] = byte(i), byte(0xff-i)
	}
	pk, ck := ed25519.NewKeyFromSeed(ps), ed25519.NewKeyFromSeed(cs)
	r := UsageRecord{ChainID: "virtengine-devnet-1", EscrowID: "order-42", Seq: 3, Provider: "prov", Customer: "alice",
		PeriodStart: 1_700_000_000, PeriodEnd: 1_700_003_600, Kind: KindPeriodic}
	r.Quantities[CPU], r.UnitPrices[CPU] = 2500, 1000    // 2.5 core-hours × 1000 = 2500
	r.Quantities[Memory], r.UnitPrices[Memory] = 1500, 3 // 1.5 GB-hours × 3 = 4.5 → 4 (half to even)
	r.Quantities[GPU], r.UnitPrices[GPU] = 500, 90_001   // 0.5 × 90,001 = 45,000.5 → 45,000
	final := r
	final.Seq, final.Kind, final.Corrects = 4, KindFinal, 3
	mk := func(name string, r UsageRecord, expect string, mut func(*SignedUsage)) usageVector {
		su, err := SignUsage(r, pk)
		if err == nil {
			err = su.Countersign(ck)
		}
		if err != nil {
			t.Fatal(err)
		}
		if mut != nil {
			mut(&su)
		}
		amt, _ := r.Amount()
		v := usageVector{Name: name, Encoding: hex.EncodeToString(su.Record.Encode()), ProviderSeed: hex.EncodeToString(ps),
			CustomerSeed: hex.EncodeToString(cs), ProviderSig: hex.EncodeToString(su.ProviderSig), CustomerSig: hex.EncodeToString(su.CustomerSig), Expect: expect}
		if expect == "success" {
			v.Amount = amt
		}
		return v
	}
	vs := []usageVector{
		mk("periodic", r, "success", nil),
		mk("final correction", final, "success", nil),
		mk("quantity changed after signing", r, "bad_signature", func(s *SignedUsage) { s.Record.Quantities[CPU]++ }),
		mk("countersignature over another provider signature", r, "bad_signature", func(s *SignedUsage) { s.ProviderSig = ed25519.Sign(pk, []byte("x")) }),
		mk("customer signed the record only, not the provider signature", r, "bad_signature", func(s *SignedUsage) { s.CustomerSig = ed25519.Sign(ck, s.Record.Encode()) }),
	}
	trunc := mk("truncated", r, "malformed", nil)
	trunc.Encoding = trunc.Encoding[:len(trunc.Encoding)-2]
	vs = append(vs, trunc)
	b, _ := json.MarshalIndent(vs, "", "  ")
	if err := os.WriteFile("testdata/usage_vectors.json", append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
