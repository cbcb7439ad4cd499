package mfa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/go-webauthn/webauthn/protocol"
)

// softAuthenticator is a software CTAP2 authenticator for tests in this package: a P-256 key, a
// signature counter and the W3C WebAuthn §6.1 authenticator data and §8.2 packed, §8.3 tpm and
// §8.7 none attestation encodings. The browser test in examples/passkey drives Chromium's authenticator;
// this one lets unit tests reach every branch quickly.
type softAuthenticator struct {
	key     *ecdsa.PrivateKey
	credID  []byte
	counter uint32
	flags   byte // extra flags ORed into UP|UV, e.g. BE/BS
	format  string
	origin  string
	rpID    string            // RP ID whose hash goes into authenticator data; "" = the one asked for
	noUV    bool              // leave the UV flag clear
	attKey  *ecdsa.PrivateKey // signs the packed statement instead of key (a foreign signature)
	tpm     tpmAttestor       // the "tpm" format's attestation (softauth_tpm_test.go)
}

const (
	flagUP = 0x01
	flagUV = 0x04
	flagBE = 0x08
	flagBS = 0x10
	flagAT = 0x40
)

var b64u = base64.RawURLEncoding

func newSoftAuthenticator(t testing.TB, origin string) *softAuthenticator {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &softAuthenticator{key: k, credID: id, format: "none", origin: origin}
}

func (a *softAuthenticator) coseKey() []byte {
	x, y := make([]byte, 32), make([]byte, 32)
	a.key.PublicKey.X.FillBytes(x)
	a.key.PublicKey.Y.FillBytes(y)
	b, _ := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y}) // RFC 9053 §7.1.1 EC2 key, ES256
	return b
}

func (a *softAuthenticator) authData(rpID string, withCred bool) []byte {
	if a.rpID != "" {
		rpID = a.rpID
	}
	h := sha256.Sum256([]byte(rpID))
	out := append([]byte{}, h[:]...)
	fl := byte(flagUP|flagUV) | a.flags
	if a.noUV {
		fl &^= flagUV
	}
	if withCred {
		fl |= flagAT
	}
	out = append(out, fl)
	out = binary.BigEndian.AppendUint32(out, a.counter)
	if withCred {
		out = append(out, make([]byte, 16)...) // AAGUID
		out = binary.BigEndian.AppendUint16(out, uint16(len(a.credID)))
		out = append(out, a.credID...)
		out = append(out, a.coseKey()...)
	}
	return out
}

func (a *softAuthenticator) clientData(typ string, challenge protocol.URLEncodedBase64) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": b64u.EncodeToString(challenge), "origin": a.origin, "crossOrigin": false})
	return b
}

func (a *softAuthenticator) sign(msg ...[]byte) []byte {
	h := sha256.New()
	for _, m := range msg {
		h.Write(m)
	}
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, h.Sum(nil))
	if err != nil {
		panic(err)
	}
	return sig
}

// create answers navigator.credentials.create options as PublicKeyCredential.toJSON() would.
func (a *softAuthenticator) create(opts *protocol.CredentialCreation) []byte {
	cd := a.clientData("webauthn.create", opts.Response.Challenge)
	ad := a.authData(opts.Response.RelyingParty.ID, true)
	stmt := map[string]any{}
	cdh := sha256.Sum256(cd)
	switch a.format {
	case "packed": // §8.2 self attestation: alg and a signature by the credential key
		signer := a
		if a.attKey != nil {
			signer = &softAuthenticator{key: a.attKey}
		}
		stmt = map[string]any{"alg": -7, "sig": signer.sign(ad, cdh[:])}
	case "tpm": // §8.3: an AIK certified by a test CA certifies the credential key
		stmt = a.tpm.statement(a.key, ad, cdh[:])
	}
	att, _ := cbor.Marshal(map[string]any{"fmt": a.format, "attStmt": stmt, "authData": ad})
	b, _ := json.Marshal(map[string]any{
		"id": b64u.EncodeToString(a.credID), "rawId": b64u.EncodeToString(a.credID), "type": "public-key",
		"response":               map[string]any{"clientDataJSON": b64u.EncodeToString(cd), "attestationObject": b64u.EncodeToString(att), "transports": []string{"internal"}},
		"clientExtensionResults": map[string]any{},
	})
	return b
}

// get answers navigator.credentials.get options; each call increments the counter first.
func (a *softAuthenticator) get(opts *protocol.CredentialAssertion, userHandle []byte) []byte {
	a.counter++
	cd := a.clientData("webauthn.get", opts.Response.Challenge)
	ad := a.authData(opts.Response.RelyingPartyID, false)
	cdh := sha256.Sum256(cd)
	b, _ := json.Marshal(map[string]any{
		"id": b64u.EncodeToString(a.credID), "rawId": b64u.EncodeToString(a.credID), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64u.EncodeToString(cd), "authenticatorData": b64u.EncodeToString(ad),
			"signature": b64u.EncodeToString(a.sign(ad, cdh[:])), "userHandle": b64u.EncodeToString(userHandle)},
		"clientExtensionResults": map[string]any{},
	})
	return b
}
