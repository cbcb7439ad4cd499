package mfahttp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/go-webauthn/webauthn/protocol"

	"github.com/virtengine/sdk/mfa"
)

// newMFA wires an engine and a registry that drives a passkey store, as a server would.
func newMFA(t *testing.T) (*mfa.Engine, *mfa.Registry, *mfa.Passkeys) {
	t.Helper()
	p, err := mfa.NewPasskeys(mfa.PasskeyConfig{RPID: "localhost", Origins: []string{"http://localhost:8080"}})
	if err != nil {
		t.Fatal(err)
	}
	reg := mfa.NewRegistry(nil, nil)
	if err := reg.SetStores(mfa.Stores{Passkeys: p}); err != nil {
		t.Fatal(err)
	}
	e, err := mfa.NewEngine(mfa.Config{Devices: reg})
	if err != nil {
		t.Fatal(err)
	}
	reg.SetGate(e)
	return e, reg, p
}

func newTestServer(t *testing.T, score uint8) *httptest.Server {
	t.Helper()
	e, reg, _ := newMFA(t)
	s := &Server{Engine: e, Registry: reg, Score: func(string) uint8 { return score },
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func post(t *testing.T, url, body string) (int, ErrorBody, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	var eb ErrorBody
	json.Unmarshal(buf.Bytes(), &eb)
	return resp.StatusCode, eb, buf.Bytes()
}

func TestRoutes(t *testing.T) {
	ts := newTestServer(t, 60)
	resp, err := http.Get(ts.URL + "/policy")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("policy: %v %v", resp, err)
	}
	var pol struct {
		Version string
		Hash    string
	}
	json.NewDecoder(resp.Body).Decode(&pol)
	resp.Body.Close()
	if pol.Version != mfa.DefaultPolicyVersion || pol.Hash != mfa.DefaultPolicy().Hash() {
		t.Fatalf("policy %+v", pol)
	}
	cases := []struct {
		path, body string
		status     int
		code       string
	}{
		{"/stepup/begin", `{"account":"a","tx":"teleport"}`, 400, "unknown_tx"},
		{"/stepup/begin", `{"account":"a","tx":"validator_registration"}`, 403, "score_too_low"},
		{"/stepup/begin", `{"account":"a","tx":"withdrawal","value":10}`, 200, "not_required"},
		{"/stepup/begin", `not json`, 400, "invalid_input"},
		{"/stepup/begin", `{"tx":"api_key_creation"}`, 400, "invalid_input"},
		{"/stepup/passkey?challenge=nope", `{}`, 404, "challenge_not_found"},
		{"/authorize", `{"account":"a","tx":"api_key_creation"}`, 403, "step_up_required"},
		{"/authorize", `{"account":"a","tx":"api_key_creation","session_id":"x"}`, 403, "session_not_found"},
		{"/passkeys/register/finish?account=a", `{"id":"x"}`, 400, "webauthn_malformed"},
		{"/passkeys/register/finish?account=a", string(bytes.Repeat([]byte("a"), maxBody+1)), 400, "invalid_input"},
	}
	for _, c := range cases {
		st, eb, raw := post(t, ts.URL+c.path, c.body)
		if st != c.status || eb.Code != c.code {
			t.Errorf("%s %s: %d %s", c.path, c.body[:min(len(c.body), 40)], st, raw)
		}
	}
	// An account with no passkey gets a challenge without WebAuthn options.
	st, _, raw := post(t, ts.URL+"/stepup/begin", `{"account":"a","tx":"api_key_creation"}`)
	var b StepUpBeginResponse
	json.Unmarshal(raw, &b)
	if st != 200 || b.Challenge.ID == "" || b.Options != nil {
		t.Fatalf("begin: %d %s", st, raw)
	}
	// Registration options carry the RP ID and require a resident key with user verification.
	st, _, raw = post(t, ts.URL+"/passkeys/register/begin", `{"account":"a"}`)
	var opts struct {
		PublicKey struct {
			RP                     struct{ ID string }
			AuthenticatorSelection struct {
				ResidentKey      string
				UserVerification string
			}
		}
	}
	json.Unmarshal(raw, &opts)
	if st != 200 || opts.PublicKey.RP.ID != "localhost" || opts.PublicKey.AuthenticatorSelection.ResidentKey != "required" ||
		opts.PublicKey.AuthenticatorSelection.UserVerification != "required" {
		t.Fatalf("register begin: %d %s", st, raw)
	}
}

func TestCodeCoversEverySentinel(t *testing.T) {
	for _, c := range errorCodes {
		wrapped := fmt.Errorf("context: %w", c.err)
		if code, status := Code(wrapped); code != c.code || status != c.status {
			t.Errorf("%v: got %s %d", c.err, code, status)
		}
	}
	if code, status := Code(errors.New("boom")); code != "internal" || status != 500 {
		t.Errorf("unknown error: %s %d", code, status)
	}
	// A WebAuthn kind wins over the generic ErrWebAuthn it also matches.
	if code, _ := Code(&mfa.WebAuthnError{Kind: mfa.ErrCounterRollback}); code != "webauthn_counter_rollback" {
		t.Errorf("counter rollback: %s", code)
	}
}

// TestProtocolDocListsEveryCode keeps the error table of ../PROTOCOL.md in step with errorCodes.
func TestProtocolDocListsEveryCode(t *testing.T) {
	doc, err := os.ReadFile("../PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z_0-9]+)` \\| ([0-9]+) \\| `mfa\\.(\\w+)` \\|$").FindAllStringSubmatch(string(doc), -1)
	if len(rows) != len(errorCodes) {
		t.Fatalf("PROTOCOL.md lists %d codes, the adapter has %d", len(rows), len(errorCodes))
	}
	for i, r := range rows {
		c := errorCodes[i]
		if r[1] != c.code || r[2] != strconv.Itoa(c.status) || "mfa."+r[3] != fmt.Sprintf("mfa.%s", sentinelName(c.err)) {
			t.Errorf("row %d: doc %v, code %s %d", i, r[1:], c.code, c.status)
		}
	}
}

// sentinelName finds the exported name of a sentinel by identity.
func sentinelName(err error) string {
	for name, e := range map[string]error{
		"ErrLocked": mfa.ErrLocked, "ErrTooManyTries": mfa.ErrTooManyTries, "ErrTooManyChallenges": mfa.ErrTooManyChallenges,
		"ErrRateLimited": mfa.ErrRateLimited, "ErrScoreTooLow": mfa.ErrScoreTooLow, "ErrSessionUsed": mfa.ErrSessionUsed,
		"ErrSessionExpired": mfa.ErrSessionExpired, "ErrSessionWrongTx": mfa.ErrSessionWrongTx, "ErrSessionWrongDevice": mfa.ErrSessionWrongDevice,
		"ErrSessionWrongAcct": mfa.ErrSessionWrongAcct, "ErrSessionValue": mfa.ErrSessionValue, "ErrSessionNotFound": mfa.ErrSessionNotFound,
		"ErrStepUpRequired": mfa.ErrStepUpRequired, "ErrCeremonyNotFound": mfa.ErrCeremonyNotFound, "ErrOriginMismatch": mfa.ErrOriginMismatch,
		"ErrRPIDMismatch": mfa.ErrRPIDMismatch, "ErrUserPresence": mfa.ErrUserPresence, "ErrUserVerification": mfa.ErrUserVerification,
		"ErrCounterRollback": mfa.ErrCounterRollback, "ErrUnknownCredential": mfa.ErrUnknownCredential, "ErrBadSignature": mfa.ErrBadSignature,
		"ErrAttestation": mfa.ErrAttestation, "ErrBackupFlags": mfa.ErrBackupFlags, "ErrMalformedResponse": mfa.ErrMalformedResponse,
		"ErrWebAuthn": mfa.ErrWebAuthn, "ErrChallengeExpired": mfa.ErrChallengeExpired, "ErrChallengeNotFound": mfa.ErrChallengeNotFound,
		"ErrFactorNotAllowed": mfa.ErrFactorNotAllowed, "ErrFactorNotFound": mfa.ErrFactorNotFound, "ErrFactorLimit": mfa.ErrFactorLimit, "ErrLastFactor": mfa.ErrLastFactor,
		"ErrNotRequired": mfa.ErrNotRequired, "ErrUnknownTx": mfa.ErrUnknownTx, "ErrWrongCode": mfa.ErrWrongCode,
		"ErrCodeReplayed": mfa.ErrCodeReplayed, "ErrInvalidInput": mfa.ErrInvalidInput,
	} {
		if e == err {
			return name
		}
	}
	return "?"
}

// noneAuthenticator answers navigator.credentials.create options with a fresh P-256 credential and
// "none" attestation, as PublicKeyCredential.toJSON() would (W3C WebAuthn §6.1, §8.7).
func noneAuthenticator(t *testing.T, optsJSON []byte, origin string) []byte {
	return newTestAuthenticator(origin).create(t, optsJSON)
}

// testAuthenticator is a P-256 credential that answers creation and request options as a browser's
// PublicKeyCredential.toJSON() would (W3C WebAuthn §6.1, §6.3.3, §8.7).
type testAuthenticator struct {
	key     *ecdsa.PrivateKey
	id      []byte
	handle  []byte
	origin  string
	counter uint32
}

func newTestAuthenticator(origin string) *testAuthenticator {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	id := make([]byte, 16)
	rand.Read(id)
	return &testAuthenticator{key: k, id: id, origin: origin}
}

var b64 = base64.RawURLEncoding

func (a *testAuthenticator) create(t *testing.T, optsJSON []byte) []byte {
	t.Helper()
	var opts protocol.CredentialCreation
	if err := json.Unmarshal(optsJSON, &opts); err != nil {
		t.Fatal(err)
	}
	if id, ok := opts.Response.User.ID.(string); ok { // decoded from JSON: base64url text
		a.handle, _ = b64.DecodeString(id)
	}
	x, y := make([]byte, 32), make([]byte, 32)
	a.key.PublicKey.X.FillBytes(x)
	a.key.PublicKey.Y.FillBytes(y)
	cose, _ := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	rp := sha256.Sum256([]byte(opts.Response.RelyingParty.ID))
	ad := append(append([]byte{}, rp[:]...), 0x01|0x04|0x40, 0, 0, 0, 0) // UP, UV, AT; counter 0
	ad = append(ad, make([]byte, 16)...)                                 // AAGUID
	ad = append(ad, 0, byte(len(a.id)))
	ad = append(append(ad, a.id...), cose...)
	att, _ := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	cd, _ := json.Marshal(map[string]any{"type": "webauthn.create", "challenge": b64.EncodeToString(opts.Response.Challenge), "origin": a.origin})
	body, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att)}})
	return body
}

// get signs the request options of a step-up begin answer ({"options": {"publicKey": …}}).
func (a *testAuthenticator) get(t *testing.T, beginJSON []byte) []byte {
	t.Helper()
	var begin struct {
		Options protocol.CredentialAssertion `json:"options"`
	}
	if err := json.Unmarshal(beginJSON, &begin); err != nil {
		t.Fatal(err)
	}
	a.counter++
	rp := sha256.Sum256([]byte(begin.Options.Response.RelyingPartyID))
	ad := append(append([]byte{}, rp[:]...), 0x01|0x04, byte(a.counter>>24), byte(a.counter>>16), byte(a.counter>>8), byte(a.counter))
	cd, _ := json.Marshal(map[string]any{"type": "webauthn.get", "challenge": b64.EncodeToString(begin.Options.Response.Challenge), "origin": a.origin})
	h := sha256.New()
	h.Write(ad)
	cdHash := sha256.Sum256(cd)
	h.Write(cdHash[:])
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, h.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.handle)}})
	return body
}

// TestSecondPasskeyNeedsStepUp: the first passkey of an account registers freely; another one
// changes the account's factors (FEATURES.md §4.5) and needs a key_rotation or account_recovery
// session, which it uses up.
func TestSecondPasskeyNeedsStepUp(t *testing.T) {
	e, reg, p := newMFA(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := httptest.NewServer((&Server{Engine: e, Registry: reg, Score: func(string) uint8 { return 60 }, Now: func() time.Time { return now }}).Handler())
	defer ts.Close()
	registerOnce := func(body string) (int, ErrorBody, []byte) {
		st, eb, raw := post(t, ts.URL+"/passkeys/register/begin", body)
		if st != 200 {
			return st, eb, raw
		}
		return post(t, ts.URL+"/passkeys/register/finish?account=alice", string(noneAuthenticator(t, raw, "http://localhost:8080")))
	}
	if st, _, raw := registerOnce(`{"account":"alice"}`); st != 200 {
		t.Fatalf("first passkey: %d %s", st, raw)
	}
	// Reject: a second passkey without a step-up, and with a session of another type or device.
	if st, eb, _ := registerOnce(`{"account":"alice"}`); st != 403 || eb.Code != "step_up_required" {
		t.Fatalf("second passkey without step-up: %d %+v", st, eb)
	}
	pass := func(kind mfa.FactorType) mfa.Factor {
		return mfa.FactorFunc{Kind: kind, Check: func(string, []byte, time.Time) error { return nil }}
	}
	stepUp := func(tx mfa.TxType, device string, factors ...mfa.FactorType) string {
		c, err := e.Begin(mfa.StepUpRequest{Account: "alice", Tx: tx, Device: device, Score: 60}, now)
		if err != nil {
			t.Fatal(err)
		}
		var pr mfa.Progress
		for _, f := range factors {
			pr, _ = e.Submit(c.ID, pass(f), nil, now)
		}
		if !pr.Complete {
			t.Fatalf("%s step-up incomplete", tx)
		}
		return pr.Session.ID
	}
	api := stepUp(mfa.TxAPIKeyCreation, "", mfa.FactorFIDO2)
	if st, eb, _ := registerOnce(`{"account":"alice","session_id":"` + api + `"}`); st != 403 || eb.Code != "session_wrong_tx" {
		t.Fatalf("api-key session for a new passkey: %d %+v", st, eb)
	}
	stepUp(mfa.TxKeyRotation, "phone", mfa.FactorVEID, mfa.FactorFIDO2)
	if st, eb, _ := registerOnce(`{"account":"alice","device":"laptop"}`); st != 403 || eb.Code != "session_wrong_device" {
		t.Fatalf("key rotation from another device: %d %+v", st, eb)
	}
	// Accept: the key-rotation session from its device, once.
	if st, _, raw := registerOnce(`{"account":"alice","device":"phone"}`); st != 200 {
		t.Fatalf("second passkey after key rotation: %d %s", st, raw)
	}
	if st, eb, _ := registerOnce(`{"account":"alice","device":"phone"}`); st != 403 || eb.Code != "session_used" {
		t.Fatalf("third passkey on the used session: %d %+v", st, eb)
	}
	// Recovery also allows it (a lost key replaced).
	rec := stepUp(mfa.TxAccountRecovery, "", mfa.FactorVEID, mfa.FactorFIDO2, mfa.FactorEmail)
	if st, _, raw := registerOnce(`{"account":"alice","session_id":"` + rec + `"}`); st != 200 {
		t.Fatalf("passkey after recovery: %d %s", st, raw)
	}
	if n := len(p.Credentials("alice")); n != 3 {
		t.Fatalf("%d passkeys, want 3", n)
	}
}

// TestStepUpAssertionBoundToChallenge: the WebAuthn options of /stepup/begin answer that challenge
// only. An assertion made for an api_key_creation challenge is refused on another api_key_creation
// challenge and on a key_rotation one, and accepted on its own.
func TestStepUpAssertionBoundToChallenge(t *testing.T) {
	ts := newTestServer(t, 60)
	a := newTestAuthenticator("http://localhost:8080")
	st, _, raw := post(t, ts.URL+"/passkeys/register/begin", `{"account":"alice"}`)
	if st != 200 {
		t.Fatalf("register begin: %d %s", st, raw)
	}
	if st, _, raw = post(t, ts.URL+"/passkeys/register/finish?account=alice", string(a.create(t, raw))); st != 200 {
		t.Fatalf("register finish: %d %s", st, raw)
	}
	begin := func(tx string) (string, []byte) {
		t.Helper()
		st, _, raw := post(t, ts.URL+"/stepup/begin", `{"account":"alice","tx":"`+tx+`"}`)
		var b StepUpBeginResponse
		json.Unmarshal(raw, &b)
		if st != 200 || b.Challenge.ID == "" || b.Options == nil {
			t.Fatalf("stepup begin %s: %d %s", tx, st, raw)
		}
		return b.Challenge.ID, raw
	}
	submit := func(id string, assertion []byte) (int, ErrorBody, []byte) {
		return post(t, ts.URL+"/stepup/passkey?challenge="+id, string(assertion))
	}
	apiA, optsA := begin("api_key_creation")
	apiB, optsB := begin("api_key_creation")
	rot, optsRot := begin("key_rotation")
	// Reject: A's assertion on B (same type), B's on the key rotation (another type). Each refusal
	// uses up the WebAuthn challenge it answered and a try of the challenge it was sent to.
	if st, eb, _ := submit(apiB, a.get(t, optsA)); st != 400 || eb.Code != "webauthn_challenge_unknown" {
		t.Fatalf("assertion of challenge A on challenge B: %d %+v", st, eb)
	}
	if st, eb, _ := submit(rot, a.get(t, optsB)); st != 400 || eb.Code != "webauthn_challenge_unknown" {
		t.Fatalf("api_key_creation assertion on key_rotation: %d %+v", st, eb)
	}
	// Accept: a challenge with the assertion made for it; the key rotation's own assertion counts
	// as its FIDO2 factor (VEID is still to pass).
	apiC, optsC := begin("api_key_creation")
	st, _, raw = submit(apiC, a.get(t, optsC))
	var pr mfa.Progress
	json.Unmarshal(raw, &pr)
	if st != 200 || !pr.Complete || pr.Session == nil || pr.Session.Tx != mfa.TxAPIKeyCreation {
		t.Fatalf("own assertion: %d %s", st, raw)
	}
	st, _, raw = submit(rot, a.get(t, optsRot))
	pr = mfa.Progress{}
	json.Unmarshal(raw, &pr)
	if st != 200 || pr.Complete || len(pr.Challenge.Passed) != 1 || pr.Challenge.Passed[0] != mfa.FactorFIDO2 {
		t.Fatalf("own assertion on key rotation: %d %s", st, raw)
	}
	// A's WebAuthn challenge was used up by the refused attempt: its replay on A is refused too.
	if st, eb, _ := submit(apiA, a.get(t, optsA)); st != 400 || eb.Code != "webauthn_challenge_unknown" {
		t.Fatalf("used-up assertion options on their own challenge: %d %+v", st, eb)
	}
}

// passStepUp completes a step-up for tx with factors that always pass and returns the session ID.
func passStepUp(t *testing.T, e *mfa.Engine, account string, tx mfa.TxType, now time.Time, factors ...mfa.FactorType) string {
	t.Helper()
	c, err := e.Begin(mfa.StepUpRequest{Account: account, Tx: tx, Score: 60}, now)
	if err != nil {
		t.Fatal(err)
	}
	var pr mfa.Progress
	for _, f := range factors {
		if pr, err = e.Submit(c.ID, mfa.FactorFunc{Kind: f, Check: func(string, []byte, time.Time) error { return nil }}, nil, now); err != nil {
			t.Fatal(err)
		}
	}
	if !pr.Complete {
		t.Fatalf("%s step-up incomplete", tx)
	}
	return pr.Session.ID
}

// TestFactorsThroughRegistry: registration and removal go through mfa.Registry: one limit of ten
// factors across kinds, a step-up for every change, and a removed passkey no longer verifies.
func TestFactorsThroughRegistry(t *testing.T) {
	e, reg, _ := newMFA(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := httptest.NewServer((&Server{Engine: e, Registry: reg, Score: func(string) uint8 { return 60 }, Now: func() time.Time { return now }}).Handler())
	defer ts.Close()
	register := func(a *testAuthenticator, body string) (int, ErrorBody, []byte) {
		st, eb, raw := post(t, ts.URL+"/passkeys/register/begin", body)
		if st != 200 {
			return st, eb, raw
		}
		return post(t, ts.URL+"/passkeys/register/finish?account=alice", string(a.create(t, raw)))
	}
	keyA, keyB := newTestAuthenticator("http://localhost:8080"), newTestAuthenticator("http://localhost:8080")
	st, _, raw := register(keyA, `{"account":"alice","label":"A"}`)
	var fin RegisterFinishResponse
	json.Unmarshal(raw, &fin)
	if st != 200 || fin.Enrollment.Type != mfa.FactorFIDO2 || fin.Enrollment.Label != "A" || !bytes.Equal(fin.Enrollment.Credential, fin.ID) {
		t.Fatalf("first passkey: %d %s", st, raw)
	}
	enrA := fin.Enrollment
	if st, eb, _ := post(t, ts.URL+"/factors/remove", `{"account":"alice","id":"`+enrA.ID+`"}`); st != 409 || eb.Code != "last_factor" {
		t.Fatalf("remove the last factor: %d %+v", st, eb)
	}
	// Eight hardware keys through the registry directly: other kinds count towards the same limit.
	for i := 0; i < 8; i++ {
		sid := passStepUp(t, e, "alice", mfa.TxKeyRotation, now, mfa.FactorVEID, mfa.FactorFIDO2)
		if _, err := reg.Enroll(mfa.Change{Account: "alice", SessionID: sid}, mfa.NewFactor{Type: mfa.FactorHardwareKey}, now); err != nil {
			t.Fatal(err)
		}
	}
	sid := passStepUp(t, e, "alice", mfa.TxKeyRotation, now, mfa.FactorVEID, mfa.FactorFIDO2)
	if st, _, raw := register(keyB, `{"account":"alice","session_id":"`+sid+`"}`); st != 200 {
		t.Fatalf("10th factor: %d %s", st, raw)
	}
	// The 11th is refused, passkey or not.
	sid = passStepUp(t, e, "alice", mfa.TxKeyRotation, now, mfa.FactorVEID, mfa.FactorFIDO2)
	if st, eb, _ := register(newTestAuthenticator("http://localhost:8080"), `{"account":"alice","session_id":"`+sid+`"}`); st != 409 || eb.Code != "factor_limit" {
		t.Fatalf("11th factor: %d %+v", st, eb)
	}
	resp, err := http.Get(ts.URL + "/factors?account=alice")
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Factors []mfa.Enrollment }
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Factors) != mfa.MaxFactorsPerAccount {
		t.Fatalf("%d factors listed", len(list.Factors))
	}
	// Removing passkey A needs a disable_factor step-up; a key_rotation session is refused.
	if st, eb, _ := post(t, ts.URL+"/factors/remove", `{"account":"alice","id":"`+enrA.ID+`","session_id":"`+sid+`"}`); st != 403 || eb.Code != "session_wrong_tx" {
		t.Fatalf("remove with a key_rotation session: %d %+v", st, eb)
	}
	stepUpWith := func(a *testAuthenticator) (int, ErrorBody) {
		st, _, raw := post(t, ts.URL+"/stepup/begin", `{"account":"alice","tx":"api_key_creation"}`)
		var b StepUpBeginResponse
		json.Unmarshal(raw, &b)
		if st != 200 {
			t.Fatalf("stepup begin: %d %s", st, raw)
		}
		st, eb, _ := post(t, ts.URL+"/stepup/passkey?challenge="+b.Challenge.ID, string(a.get(t, raw)))
		return st, eb
	}
	if st, eb := stepUpWith(keyA); st != 200 {
		t.Fatalf("passkey A before removal: %d %+v", st, eb)
	}
	dis := passStepUp(t, e, "alice", mfa.TxDisableFactor, now, mfa.FactorVEID, mfa.FactorFIDO2, mfa.FactorTOTP)
	if st, _, raw := post(t, ts.URL+"/factors/remove", `{"account":"alice","id":"`+enrA.ID+`","session_id":"`+dis+`"}`); st != 200 {
		t.Fatalf("remove with disable_factor: %d %s", st, raw)
	}
	// The removed passkey no longer verifies; the other one does.
	if st, eb := stepUpWith(keyA); st != 400 || eb.Code != "webauthn_unknown_credential" {
		t.Fatalf("removed passkey: %d %+v", st, eb)
	}
	if st, eb := stepUpWith(keyB); st != 200 {
		t.Fatalf("remaining passkey: %d %+v", st, eb)
	}
}
