package mfa

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// rekey moves the open ceremony of challenge old to the challenge of a recorded vector, so a
// response recorded elsewhere can answer it. Only tests reach into the ceremony table.
func rekey(t *testing.T, p *Passkeys, old, recorded string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.ceremonies[old]
	if c == nil {
		t.Fatal("no ceremony to rekey")
	}
	delete(p.ceremonies, old)
	c.session.Challenge = recorded
	p.ceremonies[recorded] = c
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWebAuthnSpecVectors runs the W3C WebAuthn Level 3 §16 test vectors through the ceremonies:
// none, packed (self) and fido-u2f register and then sign in; tpm, apple and android-key are
// parsed and verified up to their trust anchors, which in the vectors are synthetic, so they are
// refused with ErrAttestation (go-webauthn pins the real TPM vendors, Apple's and Google's roots).
func TestWebAuthnSpecVectors(t *testing.T) {
	var doc struct {
		RPID    string `json:"rp_id"`
		Origin  string
		Vectors []struct {
			Name, Format, Expect, Reason string
			ErrorContains                string `json:"error_contains"`
			CredentialID                 string `json:"credential_id"`
			Challenge                    string
			ClientDataJSON               string `json:"client_data_json"`
			AttestationObject            string `json:"attestation_object"`
			Login                        *struct {
				Challenge         string
				ClientDataJSON    string `json:"client_data_json"`
				AuthenticatorData string `json:"authenticator_data"`
				Signature         string
				CredentialID      string `json:"credential_id"`
			}
		}
	}
	loadJSON(t, "webauthn_l3_vectors.json", &doc)
	formats := map[string]bool{}
	for _, v := range doc.Vectors {
		formats[v.Format] = true
		// The vectors were made without user verification (flags UP, BE, BS).
		p := newPasskeys(t, func(c *PasskeyConfig) {
			c.RPID, c.Origins, c.UserVerification = doc.RPID, []string{doc.Origin}, "preferred"
		})
		opts, err := p.BeginRegistration("spec", t0)
		if err != nil {
			t.Fatal(err)
		}
		rekey(t, p, opts.Response.Challenge.String(), b64u.EncodeToString(unhex(t, v.Challenge)))
		id := b64u.EncodeToString(unhex(t, v.CredentialID))
		body, _ := json.Marshal(map[string]any{"id": id, "rawId": id, "type": "public-key", "response": map[string]any{
			"clientDataJSON": b64u.EncodeToString(unhex(t, v.ClientDataJSON)), "attestationObject": b64u.EncodeToString(unhex(t, v.AttestationObject))}})
		cred, err := p.FinishRegistration("spec", body, t0)
		if v.Expect == "reject" {
			if !errors.Is(err, ErrAttestation) || !strings.Contains(err.Error(), v.ErrorContains) {
				t.Errorf("%s: want ErrAttestation with %q (%s), got %v", v.Name, v.ErrorContains, v.Reason, err)
			}
			continue
		}
		if err != nil || cred.AttestationFormat != v.Format {
			t.Fatalf("%s: register: %+v %v", v.Name, cred, err)
		}
		if v.Login == nil {
			t.Fatalf("%s: accepted vector without a login", v.Name)
		}
		lo, err := p.BeginLogin("spec", t0)
		if err != nil {
			t.Fatal(err)
		}
		rekey(t, p, lo.Response.Challenge.String(), b64u.EncodeToString(unhex(t, v.Login.Challenge)))
		lid := b64u.EncodeToString(unhex(t, v.Login.CredentialID))
		assertion := func(sig []byte) []byte {
			b, _ := json.Marshal(map[string]any{"id": lid, "rawId": lid, "type": "public-key", "response": map[string]any{
				"clientDataJSON":    b64u.EncodeToString(unhex(t, v.Login.ClientDataJSON)),
				"authenticatorData": b64u.EncodeToString(unhex(t, v.Login.AuthenticatorData)),
				"signature":         b64u.EncodeToString(sig)}})
			return b
		}
		// Reject twin first: one flipped signature bit.
		bad := unhex(t, v.Login.Signature)
		bad[len(bad)-1] ^= 1
		if _, err := p.FinishLogin("spec", assertion(bad), t0); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: tampered signature: %v", v.Name, err)
		}
		lo, _ = p.BeginLogin("spec", t0)
		rekey(t, p, lo.Response.Challenge.String(), b64u.EncodeToString(unhex(t, v.Login.Challenge)))
		if _, err := p.FinishLogin("spec", assertion(unhex(t, v.Login.Signature)), t0); err != nil {
			t.Errorf("%s: login: %v", v.Name, err)
		}
	}
	for _, f := range DefaultAttestationFormats {
		if !formats[f] {
			t.Errorf("no spec vector for accepted format %s", f)
		}
	}
}
