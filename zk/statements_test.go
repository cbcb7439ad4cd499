package zk

import (
	"errors"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/test"
)

// statementCase is one statement: a request and credential that satisfy it, and a mutation that makes
// it false. The mutation must be caught by the native check (with Statement), by gnark's test engine
// and by the Groth16 prover.
type statementCase struct {
	name      string
	statement string                                                      // UnsatisfiedError.Statement of the false case
	breakIt   func(f *fixture, req *Request, c *Credential) *HolderSecret // returns the holder secret to use
}

func cloneCred(c *Credential) *Credential {
	d := *c
	return &d
}

func statementCases() []statementCase {
	keep := func(f *fixture) *HolderSecret { return f.holder }
	return []statementCase{
		{"age", "age", func(f *fixture, r *Request, c *Credential) *HolderSecret { r.MinAge = 40; return keep(f) }},
		{"not_expired", "not_expired", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			r.Today = c.Attributes.ExpiresAt
			r.MinAge = 0
			return keep(f)
		}},
		{"not_yet_valid", "not_expired", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			r.Today = c.Attributes.IssuedAt - 1
			r.MinAge = 0
			return keep(f)
		}},
		{"score_min", "range:score", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			v := uint32(90)
			r.Ranges = []Range{{Attribute: "score", Min: &v}}
			return keep(f)
		}},
		{"tier_max", "range:tier", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			v := uint32(1)
			r.Ranges = []Range{{Attribute: "tier", Max: &v}}
			return keep(f)
		}},
		{"country", "country", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			r.Countries = []uint16{840, 826}
			return keep(f)
		}},
		{"country_set", "country_set", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			r.CountrySet = []uint16{840, 826, 124, 36, 554, 392, 410, 756, 76, 32, 484, 152, 170, 604, 858, 600, 218}
			return keep(f)
		}},
		{"flags", "flags", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			r.RequiredFlags |= FlagSMS
			return keep(f)
		}},
		{"revoked", "not_revoked", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			c.Attributes.RevocationIndex = 1 // the revoked slot (re-signed below so only revocation fails)
			return keep(f)
		}},
		{"holder", "holder", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			h, _ := GenerateHolderSecret(testRand(9))
			return h
		}},
		{"issuer", "issuer", func(f *fixture, r *Request, c *Credential) *HolderSecret {
			c.Attributes.Score = 99 // not what the issuer signed
			return keep(f)
		}},
	}
}

func TestStatementsTrueAndFalse(t *testing.T) {
	f := testFixture(t)
	pk, _ := groth16Keys(t)
	field := ecc.BN254.ScalarField()

	for _, req := range []*Request{f.fullRequest(t), f.setRequest(t)} {
		good, _, err := buildAssignment(req, f.cred, f.holder, f.path())
		if err != nil {
			t.Fatal(err)
		}
		if err := test.IsSolved(&Circuit{}, good, field); err != nil {
			t.Fatalf("true witness not solved: %v", err)
		}
	}

	for _, tc := range statementCases() {
		t.Run(tc.name, func(t *testing.T) {
			req := f.fullRequest(t)
			cred := cloneCred(f.cred)
			holder := tc.breakIt(f, req, cred)
			if tc.name == "revoked" { // a validly signed credential whose slot is revoked
				var err error
				if cred, err = Issue(f.issuer, cred.Attributes, testRand(4)); err != nil {
					t.Fatal(err)
				}
			}
			rev := f.tree.Path(cred.Attributes.RevocationIndex)
			err := CheckCredential(req, cred, holder, &rev)
			var ue *UnsatisfiedError
			if !errors.As(err, &ue) || !errors.Is(err, ErrUnsatisfied) || ue.Statement != tc.statement {
				t.Fatalf("native check: got %v, want statement %q", err, tc.statement)
			}
			if _, err := Prove(pk, req, cred, holder, &rev); !errors.As(err, &ue) {
				t.Fatalf("Prove accepted a false statement: %v", err)
			}
			bad, _, err := buildAssignment(req, cred, holder, &rev)
			if err != nil {
				t.Fatal(err)
			}
			if err := test.IsSolved(&Circuit{}, bad, field); err == nil {
				t.Fatal("test engine solved a false statement")
			}
			if _, err := proveAssignment(pk, bad); !errors.Is(err, ErrUnsatisfied) {
				t.Fatalf("Groth16 prover accepted a false statement: %v", err)
			}
		})
	}
}

// TestStatementsSwitchedOff: a statement that is off does not constrain the witness.
func TestStatementsSwitchedOff(t *testing.T) {
	f := testFixture(t)
	field := ecc.BN254.ScalarField()
	req, err := NewRequest("https://off.example", testToday) // no issuer: signature off
	if err != nil {
		t.Fatal(err)
	}
	cred := cloneCred(f.cred)
	cred.Attributes.Score = 7 // breaks the signature, which is off
	cred.Attributes.Country = 840
	cred.Attributes.RevocationIndex = 1 // revoked, but revocation is off
	stranger, _ := GenerateHolderSecret(testRand(8))
	if err := CheckCredential(req, cred, stranger, nil); err != nil {
		t.Fatalf("nothing requested, yet: %v", err)
	}
	a, _, err := buildAssignment(req, cred, stranger, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := test.IsSolved(&Circuit{}, a, field); err != nil {
		t.Fatalf("all statements off: %v", err)
	}
}

// TestCircuitTamperedPublicInputs: changing any single public input of a valid witness makes it
// unsatisfiable (every statement is on in the request).
func TestCircuitTamperedPublicInputs(t *testing.T) {
	f := testFixture(t)
	field := ecc.BN254.ScalarField()
	req := f.setRequest(t)
	_, pub, err := buildAssignment(req, f.cred, f.holder, f.path())
	if err != nil {
		t.Fatal(err)
	}
	// Inputs that a valid witness may change freely: the nonce and audience (bound by the proof, not
	// by a relation), bounds that stay satisfied, padding of the country list.
	free := map[string]bool{"nonce": true, "audience": true}
	for i, name := range publicNames {
		if free[name] {
			continue
		}
		t.Run(name, func(t *testing.T) {
			a, _, _ := buildAssignment(req, f.cred, f.holder, f.path())
			v := make([]fr.Element, len(pub))
			copy(v, pub)
			switch {
			case strings.HasPrefix(name, "lo[") || strings.HasPrefix(name, "hi["):
				// move the bound just past the attribute
				slot := (i - publicIndex("lo[birth_date]")) % NumRanges
				x := f.cred.Attributes.elements()[rangeAttributes[slot]]
				if strings.HasPrefix(name, "lo[") {
					v[i].Add(&x, ptr(u64(1)))
				} else {
					v[i].Sub(&x, ptr(u64(1)))
				}
			case strings.HasPrefix(name, "countries"):
				for j := range MaxCountrySet {
					v[publicIndex("countries[0]")+j] = u64(4) // Afghanistan only
				}
			case name == "disclose_mask":
				v[i] = u64(1 << AttrBirthDate) // claims the birth date is disclosed (as 0)
			case strings.HasPrefix(name, "disclosed"):
				if name != "disclosed[tier]" {
					return // not disclosed in this request: Verify requires 0 there
				}
				v[i] = u64(3)
			case name == "statements":
				return // switching statements off keeps a true witness true; Verify compares it
			default:
				v[i].Add(&v[i], ptr(u64(1)))
			}
			assignPublic(a, v)
			if err := test.IsSolved(&Circuit{}, a, field); err == nil {
				t.Fatalf("tampered %s still solves", name)
			}
		})
	}
}

func publicIndex(name string) int {
	for i, n := range publicNames {
		if n == name {
			return i
		}
	}
	panic(name)
}
