package mfa

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
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
// Their accept paths: TestPasskeyTPMAttestation (a software TPM) and
// TestWebAuthnRecordedAttestations (real Apple and Android recordings).
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

// TestWebAuthnRecordedAttestations registers attestations recorded from real authenticators (an
// iPhone's apple anonymous attestation, an Android phone's TEE android-key attestation), verified by
// go-webauthn up to Apple's and Google's pinned roots: the accept paths of the apple and android-key
// formats, whose W3C vectors end at a test CA and are refused. Each accept has its reject twins:
// the same statement over other client data (a statement replayed into another ceremony), and an
// android-key chain that ends at the FIDO conformance tools' FAKE root.
func TestWebAuthnRecordedAttestations(t *testing.T) {
	var doc struct {
		Vectors []struct {
			Name, Format, Expect, Reason string
			ErrorContains                string `json:"error_contains"`
			RPID                         string `json:"rp_id"`
			Origin                       string
			UserVerification             string `json:"user_verification"`
			ClientDataJSON               string `json:"client_data_json"`
			AttestationObject            string `json:"attestation_object"`
		}
	}
	loadJSON(t, "webauthn_recorded_attestations.json", &doc)
	formats := map[string]bool{}
	for _, v := range doc.Vectors {
		cd, err := b64u.DecodeString(v.ClientDataJSON)
		if err != nil {
			t.Fatal(err)
		}
		var client struct{ Challenge string }
		json.Unmarshal(cd, &client)
		register := func(clientData []byte) (PasskeyCredential, error) {
			p := newPasskeys(t, func(c *PasskeyConfig) {
				c.RPID, c.Origins, c.UserVerification = v.RPID, []string{v.Origin}, v.UserVerification
			})
			opts, err := p.BeginRegistration("device", t0)
			if err != nil {
				t.Fatal(err)
			}
			rekey(t, p, opts.Response.Challenge.String(), client.Challenge)
			att := map[string]any{"clientDataJSON": b64u.EncodeToString(clientData), "attestationObject": v.AttestationObject}
			probe, _ := json.Marshal(map[string]any{"id": "AA", "rawId": "AA", "type": "public-key", "response": att})
			parsed, err := protocol.ParseCredentialCreationResponseBytes(probe)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			id := b64u.EncodeToString(parsed.Response.AttestationObject.AuthData.AttData.CredentialID)
			body, _ := json.Marshal(map[string]any{"id": id, "rawId": id, "type": "public-key", "response": att})
			return p.FinishRegistration("device", body, t0)
		}
		cred, err := register(cd)
		if v.Expect == "reject" {
			if !errors.Is(err, ErrAttestation) || !strings.Contains(err.Error(), v.ErrorContains) {
				t.Errorf("%s: want ErrAttestation with %q (%s), got %v", v.Name, v.ErrorContains, v.Reason, err)
			}
			continue
		}
		if err != nil || cred.AttestationFormat != v.Format {
			t.Fatalf("%s: register: %+v %v", v.Name, cred, err)
		}
		formats[v.Format] = true
		// Reject twin: the same attestation statement over client data it was not made for.
		other := append(bytes.TrimSuffix(bytes.Clone(cd), []byte("}")), []byte(`,"virtengine":"replayed"}`)...)
		if _, err := register(other); !errors.Is(err, ErrAttestation) {
			t.Errorf("%s over other client data: want ErrAttestation, got %v", v.Name, err)
		}
	}
	for _, f := range []string{"apple", "android-key"} {
		if !formats[f] {
			t.Errorf("no accepted recording for %s", f)
		}
	}
}

// TestPasskeyTPMAttestation: the tpm format's accept path (W3C WebAuthn §8.3) with a software TPM
// whose AIK certificate a test CA issued, then logins with the credential; and one reject twin per
// requirement: an unregistered TPM manufacturer, certInfo signed by a key other than the AIK, a
// TPMT_PUBLIC of another key, an expired AIK certificate.
func TestPasskeyTPMAttestation(t *testing.T) {
	p := newPasskeys(t, nil)
	a := newSoftAuthenticator(t, testOrigin)
	a.format = "tpm"
	h := register(t, p, "alice", a)
	if c := p.Credentials("alice"); len(c) != 1 || c[0].AttestationFormat != "tpm" || c[0].Record.AttestationType != "attca" {
		t.Fatalf("tpm credential %+v", c)
	}
	for i := 0; i < 2; i++ {
		if _, err := login(t, p, "alice", a, h, t0); err != nil {
			t.Fatalf("login %d with the tpm credential: %v", i, err)
		}
	}
	other := newSoftAuthenticator(t, testOrigin).key
	for _, c := range []struct {
		name string
		tpm  tpmAttestor
		want string
	}{
		{"unregistered manufacturer", tpmAttestor{manufacturer: "id:00000000"}, "Invalid TPM manufacturer"},
		{"certInfo not signed by the AIK", tpmAttestor{aikSigner: other}, "Signature validation error"},
		{"pubArea of another key", tpmAttestor{pubAreaKey: other}, "Mismatch between ECCParameters"},
		{"expired AIK certificate", tpmAttestor{expired: true}, "no longer valid"},
	} {
		b := newSoftAuthenticator(t, testOrigin)
		b.format, b.tpm = "tpm", c.tpm
		opts, _ := p.BeginRegistration("bob", t0)
		_, err := p.FinishRegistration("bob", b.create(opts), t0)
		var we *WebAuthnError
		if !errors.Is(err, ErrAttestation) || !errors.As(err, &we) || !strings.Contains(fmt.Sprintf("%+v", we.Err), c.want) {
			t.Errorf("%s: want ErrAttestation (%s), got %v", c.name, c.want, err)
		}
	}
	if p.Credentials("bob") != nil {
		t.Fatal("a refused tpm attestation registered a credential")
	}
}
