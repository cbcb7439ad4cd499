package mfahttp

import (
	"bytes"
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

	"github.com/virtengine/sdk/mfa"
)

func newTestServer(t *testing.T, score uint8) *httptest.Server {
	t.Helper()
	e, err := mfa.NewEngine(mfa.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := mfa.NewPasskeys(mfa.PasskeyConfig{RPID: "localhost", Origins: []string{"http://localhost:8080"}})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Engine: e, Passkeys: p, Score: func(string) uint8 { return score },
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
		"ErrFactorNotAllowed": mfa.ErrFactorNotAllowed, "ErrFactorNotFound": mfa.ErrFactorNotFound, "ErrFactorLimit": mfa.ErrFactorLimit,
		"ErrNotRequired": mfa.ErrNotRequired, "ErrUnknownTx": mfa.ErrUnknownTx, "ErrWrongCode": mfa.ErrWrongCode,
		"ErrCodeReplayed": mfa.ErrCodeReplayed, "ErrInvalidInput": mfa.ErrInvalidInput,
	} {
		if e == err {
			return name
		}
	}
	return "?"
}
