package zk

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var testNow = time.Unix(1_795_000_000, 0)

var (
	presOnce sync.Once
	presReq  *Request
	presVal  *Presentation
	presErr  error
)

// validPresentation is one Groth16 presentation of the full request, shared by the tests.
func validPresentation(t testing.TB) (*Request, *Presentation) {
	t.Helper()
	f := testFixture(t)
	pk, _ := groth16Keys(t)
	presOnce.Do(func() {
		presReq = f.fullRequest(t)
		presVal, presErr = Prove(pk, presReq, f.cred, f.holder, f.path())
	})
	if presErr != nil {
		t.Fatal(presErr)
	}
	// callers may mutate: hand out deep copies
	b, _ := MarshalPresentation(presVal)
	p, err := DecodePresentation(b)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := MarshalRequest(presReq)
	r, err := DecodeRequest(rb)
	if err != nil {
		t.Fatal(err)
	}
	return r, p
}

func devVerifier(t testing.TB) *Verifier {
	_, vk := groth16Keys(t)
	return &Verifier{Key: vk, AllowUnsafeSetup: true, Nonces: NewMemoryNonceStore()}
}

func wantReason(t *testing.T, res Result, want Reason) {
	t.Helper()
	if res.Valid || res.Reason != want {
		t.Fatalf("got valid=%v reason=%q (%s), want %q", res.Valid, res.Reason, res.Detail, want)
	}
	err := res.Err()
	var ve *VerifyError
	if !errors.Is(err, ErrVerificationFailed) || !errors.As(err, &ve) || ve.Reason != want {
		t.Fatalf("error %v does not carry reason %q", err, want)
	}
}

func TestVerifyAccepts(t *testing.T) {
	req, p := validPresentation(t)
	res := devVerifier(t).Verify(req, p, testNow)
	if !res.Valid {
		t.Fatal(res.Err())
	}
	f := testFixture(t)
	if *res.Nullifier != f.holder.Nullifier(req.Audience) || !res.Issuer.Equal(f.issuer.Public()) {
		t.Fatal("result does not carry the nullifier and issuer")
	}
	if v, ok := p.DisclosedValue("tier"); !ok || v != uint64(f.cred.Attributes.Tier) {
		t.Fatalf("disclosed tier = %d, %v", v, ok)
	}
}

func TestVerifyRejects(t *testing.T) {
	f := testFixture(t)
	other, _ := GenerateIssuerKey(testRand(7))
	cases := []struct {
		name   string
		mutate func(req *Request, p *Presentation, v *Verifier)
		want   Reason
	}{
		{"replayed nonce", func(req *Request, p *Presentation, v *Verifier) {
			if r := v.Verify(req, p, testNow); !r.Valid {
				t.Fatal(r.Err())
			}
		}, ReasonReplay},
		{"nonce store fails", func(req *Request, p *Presentation, v *Verifier) {
			v.Nonces = &FileNonceStore{Path: filepath.Join(t.TempDir(), "missing-dir", "nonces.json")}
		}, ReasonNonceStore},
		{"other nonce", func(req *Request, p *Presentation, v *Verifier) {
			req.Nonce[31] ^= 1
		}, ReasonNonce},
		{"other nonce, inputs rewritten", func(req *Request, p *Presentation, v *Verifier) {
			req.Nonce[31] ^= 1
			p.PublicInputs[publicIndex("nonce")] = req.Nonce
		}, ReasonProof},
		{"other audience", func(req *Request, p *Presentation, v *Verifier) {
			req.Audience = "https://evil.example"
		}, ReasonAudience},
		{"other audience, inputs rewritten", func(req *Request, p *Presentation, v *Verifier) {
			req.Audience = "https://evil.example"
			p.PublicInputs[publicIndex("audience")] = scalarOf(audienceElement(req.Audience))
			n := f.holder.Nullifier(req.Audience)
			p.Nullifier = &n
			p.PublicInputs[publicIndex("nullifier")] = n
		}, ReasonProof},
		{"issuer not accepted", func(req *Request, p *Presentation, v *Verifier) {
			req.AcceptedIssuers = []IssuerPublicKey{other.Public()}
		}, ReasonIssuerNotAccepted},
		{"issuer swapped", func(req *Request, p *Presentation, v *Verifier) {
			req.AcceptedIssuers = append(req.AcceptedIssuers, other.Public())
			o := other.Public()
			p.Issuer = &o
		}, ReasonStatement},
		// The verifier cannot tell a revoked credential from one proven against an older root (the
		// slot is hidden), so this stays revocation_root_mismatch; Prove reports ErrCredentialRevoked.
		{"newer revocation root", func(req *Request, p *Presentation, v *Verifier) {
			t2 := NewRevocationTree()
			if _, err := t2.Revoke(f.cred.Attributes.RevocationIndex); err != nil {
				t.Fatal(err)
			}
			root := t2.Root()
			req.RevocationRoot = &root
		}, ReasonRevocationRoot},
		{"credential expired by the verifier's today", func(req *Request, p *Presentation, v *Verifier) {
			req.Today = f.cred.Attributes.ExpiresAt
			req.MinAge = 0
		}, ReasonExpired},
		{"proof for a later day than the request's", func(req *Request, p *Presentation, v *Verifier) {
			req.Today-- // the proof's expiry bound is stronger than asked, but not the statement asked
			req.MinAge = 0
		}, ReasonStatement},
		{"expiry bound lowered, request without NotExpired", func(req *Request, p *Presentation, v *Verifier) {
			req.NotExpired = false
		}, ReasonStatement},
		{"tampered disclosed value", func(req *Request, p *Presentation, v *Verifier) {
			p.Disclosed[0].Value = scalarOf(u64(3))
			p.PublicInputs[publicIndex("disclosed[tier]")] = p.Disclosed[0].Value
		}, ReasonProof},
		{"tampered public input", func(req *Request, p *Presentation, v *Verifier) {
			p.PublicInputs[publicIndex("hi[birth_date]")][31] ^= 1
		}, ReasonStatement},
		{"disclosure dropped", func(req *Request, p *Presentation, v *Verifier) {
			p.Disclosed = nil
		}, ReasonDisclosure},
		{"nullifier dropped", func(req *Request, p *Presentation, v *Verifier) {
			p.Nullifier = nil
		}, ReasonNullifier},
		{"tampered proof byte", func(req *Request, p *Presentation, v *Verifier) {
			p.Proof[100] ^= 0x01
		}, ReasonProof},
		{"proof A replaced by C", func(req *Request, p *Presentation, v *Verifier) {
			copy(p.Proof[:32], p.Proof[96:])
		}, ReasonProof},
		{"wrong key", func(req *Request, p *Presentation, v *Verifier) {
			_, vk2, err := SetupUnsafe(Groth16)
			if err != nil {
				t.Fatal(err)
			}
			v.Key = vk2
		}, ReasonProof},
		{"unsafe key refused", func(req *Request, p *Presentation, v *Verifier) {
			v.AllowUnsafeSetup = false
		}, ReasonUnsafeKey},
		{"request expired", func(req *Request, p *Presentation, v *Verifier) {
			req.ValidUntil = testNow.Unix() - 1
		}, ReasonRequestExpired},
		{"backend mismatch", func(req *Request, p *Presentation, v *Verifier) {
			p.Backend = PLONK
		}, ReasonBackend},
		{"version", func(req *Request, p *Presentation, v *Verifier) {
			p.Version = "credential-v0"
		}, ReasonVersion},
		{"statements switched off", func(req *Request, p *Presentation, v *Verifier) {
			p.PublicInputs[publicIndex("statements")] = scalarOf(u64(0))
		}, ReasonStatement},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, p := validPresentation(t)
			v := devVerifier(t)
			tc.mutate(req, p, v)
			wantReason(t, v.Verify(req, p, testNow), tc.want)
		})
	}
}

func TestProveRefuses(t *testing.T) {
	f := testFixture(t)
	pk, _ := groth16Keys(t)
	other, _ := GenerateIssuerKey(testRand(7))
	req := f.fullRequest(t)
	req.AcceptedIssuers = []IssuerPublicKey{other.Public()}
	var ue *UnsatisfiedError
	if _, err := Prove(pk, req, f.cred, f.holder, f.path()); !errors.As(err, &ue) || ue.Statement != "issuer" {
		t.Fatalf("unaccepted issuer: %v", err)
	}
	req = f.fullRequest(t)
	if _, err := Prove(pk, req, f.cred, f.holder, nil); !errors.As(err, &ue) || ue.Statement != "not_revoked" {
		t.Fatalf("missing revocation path: %v", err)
	}
	if _, err := Prove(pk, req, f.cred, nil, f.path()); !errors.As(err, &ue) || ue.Statement != "holder" {
		t.Fatalf("missing holder secret: %v", err)
	}
}

// TestProveRefusesExpiredRevoked: the prover's pre-check names an expired or revoked credential with
// its own cause; a credential that is not yet valid, or a path for another slot, fails the same
// statement without that cause.
func TestProveRefusesExpiredRevoked(t *testing.T) {
	f := testFixture(t)
	var ue *UnsatisfiedError
	check := func(name string, err error, stmt string, cause error, isCause bool) {
		t.Helper()
		if !errors.As(err, &ue) || ue.Statement != stmt || !errors.Is(err, ErrUnsatisfied) {
			t.Fatalf("%s: %v", name, err)
		}
		if errors.Is(err, cause) != isCause {
			t.Fatalf("%s: errors.Is(%v) = %v, want %v", name, cause, !isCause, isCause)
		}
	}
	req := f.fullRequest(t)
	if err := CheckCredential(req, f.cred, f.holder, f.path()); err != nil {
		t.Fatalf("valid credential refused: %v", err)
	}

	req.Today, req.MinAge = f.cred.Attributes.ExpiresAt, 0
	check("expired", CheckCredential(req, f.cred, f.holder, f.path()), "not_expired", ErrCredentialExpired, true)
	req.Today = f.cred.Attributes.ExpiresAt - 1
	if err := CheckCredential(req, f.cred, f.holder, f.path()); err != nil {
		t.Fatalf("last valid day refused: %v", err)
	}
	req.Today = f.cred.Attributes.IssuedAt - 1
	check("not yet valid", CheckCredential(req, f.cred, f.holder, f.path()), "not_expired", ErrCredentialExpired, false)

	req = f.fullRequest(t)
	t2 := NewRevocationTree()
	for range f.cred.Attributes.RevocationIndex + 1 {
		if _, err := t2.Allocate(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := t2.Revoke(f.cred.Attributes.RevocationIndex); err != nil {
		t.Fatal(err)
	}
	root := t2.Root()
	req.RevocationRoot = &root
	revPath := t2.Path(f.cred.Attributes.RevocationIndex)
	check("revoked", CheckCredential(req, f.cred, f.holder, &revPath),
		"not_revoked", ErrCredentialRevoked, true)
	req = f.fullRequest(t)
	otherPath := f.tree.Path(0) // slot 0 is valid, but not the credential's
	check("path for another slot", CheckCredential(req, f.cred, f.holder, &otherPath), "not_revoked", ErrCredentialRevoked, false)
}
