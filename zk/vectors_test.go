package zk

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// vectorFile is testdata/vectors.json: a verifying key and presentations, each with the expected
// verification result, for implementations on other platforms (CIRCUITS.md §4). Regenerate with
// go test ./zk -run 'TestVectors|TestConstraintCountsPinned' -update (the development key changes;
// the expectations must not).
type vectorFile struct {
	Circuit      string       `json:"circuit"`
	Note         string       `json:"note"`
	VerifyingKey []byte       `json:"verifying_key"` // MarshalBinary, UNSAFE development key
	Now          int64        `json:"now"`           // Unix time passed to Verify
	Cases        []vectorCase `json:"cases"`
}

type vectorCase struct {
	Name         string          `json:"name"`
	Request      json.RawMessage `json:"request"`
	Presentation json.RawMessage `json:"presentation"`
	Expect       string          `json:"expect"` // "valid" or a Reason
}

func buildVectors(t *testing.T) *vectorFile {
	_, vk := groth16Keys(t)
	vb, err := vk.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	vf := &vectorFile{Circuit: CircuitVersion, VerifyingKey: vb, Now: testNow.Unix(),
		Note: "UNSAFE development verifying key, for tests only"}
	add := func(name string, expect Reason, mutate func(*Request, *Presentation)) {
		req, p := validPresentation(t)
		if mutate != nil {
			mutate(req, p)
		}
		rb, _ := MarshalRequest(req)
		pb, _ := MarshalPresentation(p)
		e := string(expect)
		if expect == ReasonNone {
			e = "valid"
		}
		vf.Cases = append(vf.Cases, vectorCase{Name: name, Request: rb, Presentation: pb, Expect: e})
	}
	add("all statements", ReasonNone, nil)
	add("other nonce", ReasonNonce, func(r *Request, p *Presentation) { r.Nonce[31] ^= 1 })
	add("other nonce, public inputs rewritten", ReasonProof, func(r *Request, p *Presentation) {
		r.Nonce[31] ^= 1
		p.PublicInputs[publicIndex("nonce")] = r.Nonce
	})
	add("other audience", ReasonAudience, func(r *Request, p *Presentation) { r.Audience = "https://evil.example" })
	add("newer day: credential expired", ReasonExpired, func(r *Request, p *Presentation) {
		r.Today = fix.cred.Attributes.ExpiresAt
		r.MinAge = 0
	})
	add("tampered disclosed tier", ReasonProof, func(r *Request, p *Presentation) {
		p.Disclosed[0].Value = scalarOf(u64(3))
		p.PublicInputs[publicIndex("disclosed[tier]")] = p.Disclosed[0].Value
	})
	add("tampered proof byte", ReasonProof, func(r *Request, p *Presentation) { p.Proof[5] ^= 0x10 })
	add("issuer not accepted", ReasonIssuerNotAccepted, func(r *Request, p *Presentation) {
		other, _ := GenerateIssuerKey(testRand(7))
		r.AcceptedIssuers = []IssuerPublicKey{other.Public()}
	})
	// the Merkle-root country set (every statement on)
	f := testFixture(t)
	pk, _ := groth16Keys(t)
	sreq := f.setRequest(t)
	sp, err := Prove(pk, sreq, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	addSet := func(name string, expect Reason, mutate func(*Request, *Presentation)) {
		r, p := *sreq, *sp
		p.PublicInputs = slices.Clone(sp.PublicInputs)
		if mutate != nil {
			mutate(&r, &p)
		}
		rb, _ := MarshalRequest(&r)
		pb, _ := MarshalPresentation(&p)
		e := string(expect)
		if expect == ReasonNone {
			e = "valid"
		}
		vf.Cases = append(vf.Cases, vectorCase{Name: name, Request: rb, Presentation: pb, Expect: e})
	}
	addSet("country set of 30 (Merkle root), all statements", ReasonNone, nil)
	addSet("another country set", ReasonStatement, func(r *Request, p *Presentation) { r.CountrySet = []uint16{276, 250} })
	addSet("another country set, country_root rewritten", ReasonProof, func(r *Request, p *Presentation) {
		r.CountrySet = []uint16{276, 250}
		p.PublicInputs[publicIndex("country_root")], _ = r.CountrySetRoot()
	})
	return vf
}

// TestVectors checks every case of testdata/vectors.json against Verify.
func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	if *update {
		b, _ := json.MarshalIndent(buildVectors(t), "", " ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatal(err)
	}
	if vf.Circuit != CircuitVersion || len(vf.Cases) == 0 {
		t.Fatalf("vector file for %q with %d cases", vf.Circuit, len(vf.Cases))
	}
	var vk VerifyingKey
	if err := vk.UnmarshalBinary(vf.VerifyingKey); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range vf.Cases {
		t.Run(c.Name, func(t *testing.T) {
			req, err := DecodeRequest(c.Request)
			if err != nil {
				t.Fatal(err)
			}
			p, err := DecodePresentation(c.Presentation)
			if err != nil {
				t.Fatal(err)
			}
			res := (&Verifier{Key: &vk, AllowUnsafeSetup: true}).Verify(req, p, timeUnix(vf.Now))
			got := string(res.Reason)
			if res.Valid {
				got = "valid"
			}
			if got != c.Expect {
				t.Fatalf("got %s (%s), want %s", got, res.Detail, c.Expect)
			}
			seen[c.Expect] = true
		})
	}
	if !seen["valid"] || len(seen) < 4 {
		t.Fatalf("vectors must cover success and several failure kinds, got %v", seen)
	}
}
