package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/virtengine/sdk/mfa"
)

// findChromium fails the test (it never skips) when no Chromium is installed.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found on PATH: the WebAuthn browser test needs it; run `sudo apt-get install chromium` (CI installs it)")
	return ""
}

// serve starts the example app on a loopback port and returns it with its port.
func serve(t *testing.T, attestation string, extraOrigins func(port int) []string) (*app, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	a, err := newApp(config{RPID: "localhost", Origins: extraOrigins(port), Score: 70, Attestation: attestation})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: a.handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return a, port
}

// jsResult is what the page's register and approve functions resolve to.
type jsResult struct {
	Stage     string          `json:"stage"`
	Status    int             `json:"status"`
	Challenge string          `json:"challenge"`
	Body      json.RawMessage `json:"body"`
}

func (r jsResult) code() string {
	var b struct {
		Code string `json:"code"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Code
}

func call[P, R any](ctx context.Context, c cdp.Command[P, R], p P) (R, error) {
	return chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (R, error) { return cdp.Call(ctx, t, c, p) })
}

func eval(t *testing.T, ctx context.Context, js string) jsResult {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[jsResult](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return r
}

func postJSON(t *testing.T, url string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// TestBrowserPasskeyStepUp registers a passkey in headless Chromium with a virtual CTAP2
// authenticator (resident key, user verification) against the example server on loopback, approves
// sensitive transactions with it through the policy engine, and checks that the server refuses a
// wrong RP ID, a wrong origin, a replayed challenge, an assertion made for another step-up
// challenge, a missing UV flag, a bad signature, a changed
// backup eligibility and a cloned authenticator (counter rollback), while accepting a change of
// backup state.
func TestBrowserPasskeyStepUp(t *testing.T) {
	chrome := findChromium(t)
	// Server A accepts both its origins; server B only http://localhost:B, for the wrong-origin case.
	appA, pa := serve(t, "none", func(p int) []string {
		return []string{"http://localhost:" + strconv.Itoa(p), "http://app.localhost:" + strconv.Itoa(p)}
	})
	_, pb := serve(t, "none", func(p int) []string { return []string{"http://localhost:" + strconv.Itoa(p)} })
	// C asks for direct attestation, so Chromium's authenticator sends a packed statement.
	appC, pc := serve(t, "direct", func(p int) []string { return []string{"http://localhost:" + strconv.Itoa(p)} })
	base := "http://localhost:" + strconv.Itoa(pa)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP localhost 127.0.0.1, MAP *.localhost 127.0.0.1"),
	)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The first Run starts the browser; it must not carry the timeout (chromedp.Run docs).
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chrome, err)
	}
	ctx, cancel := context.WithTimeout(browserCtx, 120*time.Second)
	defer cancel()

	if _, err := call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	opts := &webauthn.VirtualAuthenticatorOptions{
		Protocol: "ctap2", Ctap2version: "ctap2_1", Transport: "internal", HasResidentKey: true,
		HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		DefaultBackupEligibility: true, DefaultBackupState: false,
	}
	authA, err := call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: opts})
	if err != nil {
		t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}

	// 1. Register a passkey and approve a sensitive transaction with it.
	reg := eval(t, ctx, `register("alice")`)
	if reg.Status != 200 {
		t.Fatalf("register: %d %s", reg.Status, reg.Body)
	}
	var cred mfa.PasskeyCredential
	json.Unmarshal(reg.Body, &cred)
	if !cred.UserVerified || !cred.BackupEligible || cred.BackupState || cred.AttestationFormat != "none" {
		t.Fatalf("registered credential %+v", cred)
	}
	// The registration went through the registry, which recorded it as the account's one factor.
	if l := appA.registry.List("alice"); len(l) != 1 || l[0].Type != mfa.FactorFIDO2 || !bytes.Equal(l[0].Credential, cred.ID) {
		t.Fatalf("registry after the browser registration: %+v", l)
	}
	// Snapshot the credential (private key and counter) to clone it later.
	snap, err := call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authA.AuthenticatorID})
	if err != nil || len(snap.Credentials) != 1 {
		t.Fatalf("getCredentials: %v %d", err, len(snap.Credentials))
	}
	clone := *snap.Credentials[0]

	ok := eval(t, ctx, `approve("alice", "transfer_new_address", 0)`)
	if ok.Stage != "authorize" || ok.Status != 200 {
		t.Fatalf("approve: %+v %s", ok, ok.Body)
	}
	var auth mfa.Authorization
	json.Unmarshal(ok.Body, &auth)
	if !auth.StepUp || auth.Tx != mfa.TxTransferNewAddress || len(auth.Factors) != 1 || auth.Factors[0] != mfa.FactorFIDO2 {
		t.Fatalf("authorization %+v", auth)
	}
	// The engine itself (what the node would ask) now authorizes the transaction for 15 minutes.
	if _, err := appA.engine.Authorize(mfa.AuthorizeRequest{Account: "alice", Tx: mfa.TxTransferNewAddress}, time.Now()); err != nil {
		t.Fatalf("engine after browser step-up: %v", err)
	}
	// And refuses another account, another transaction type and a later time.
	if _, err := appA.engine.Authorize(mfa.AuthorizeRequest{Account: "bob", Tx: mfa.TxTransferNewAddress}, time.Now()); !errors.Is(err, mfa.ErrStepUpRequired) {
		t.Fatalf("another account: %v", err)
	}
	if _, err := appA.engine.Authorize(mfa.AuthorizeRequest{Account: "alice", Tx: mfa.TxAPIKeyCreation}, time.Now()); !errors.Is(err, mfa.ErrStepUpRequired) {
		t.Fatalf("another transaction type: %v", err)
	}
	if _, err := appA.engine.Authorize(mfa.AuthorizeRequest{Account: "alice", Tx: mfa.TxTransferNewAddress}, time.Now().Add(16*time.Minute)); !errors.Is(err, mfa.ErrSessionExpired) {
		t.Fatalf("after 16 minutes: %v", err)
	}
	// A passkey alone cannot approve key rotation (VEID + FIDO2).
	if more := eval(t, ctx, `approve("alice", "key_rotation", 0)`); more.code() != "more_factors" {
		t.Fatalf("key rotation with a passkey only: %+v %s", more, more.Body)
	}
	// Nor add a second passkey: changing factors needs a key-rotation step-up (FEATURES.md §4.5).
	if again := eval(t, ctx, `register("alice")`); again.code() != "step_up_required" {
		t.Fatalf("second passkey without step-up: %+v %s", again, again.Body)
	}

	// 2. Replayed challenge: the captured assertion sent again, to a new step-up and to its own.
	var lastAssertion json.RawMessage
	lastAssertion, err = chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`JSON.stringify(window.lastAssertion)`))
	if err != nil {
		t.Fatal(err)
	}
	var assertionJSON string
	json.Unmarshal(lastAssertion, &assertionJSON)
	st, body := postJSON(t, base+"/api/stepup/begin", []byte(`{"account":"alice","tx":"api_key_creation"}`))
	if st != 200 {
		t.Fatalf("stepup begin: %d %s", st, body)
	}
	var begin struct{ Challenge mfa.Challenge }
	json.Unmarshal(body, &begin)
	st, body = postJSON(t, base+"/api/stepup/passkey?challenge="+begin.Challenge.ID, []byte(assertionJSON))
	if st != 400 || !bytes.Contains(body, []byte(`"webauthn_challenge_unknown"`)) {
		t.Fatalf("replayed assertion: %d %s", st, body)
	}

	// 3. Backup state may change between logins (a passkey provider syncing); it is recorded.
	credID := clone.CredentialID
	if _, err := call(ctx, webauthn.SetCredentialProperties, webauthn.SetCredentialPropertiesParams{
		AuthenticatorID: authA.AuthenticatorID, CredentialID: credID, BackupState: ptr(true)}); err != nil {
		t.Fatalf("setCredentialProperties: %v", err)
	}
	if r := eval(t, ctx, `approve("alice", "withdrawal", 5000)`); r.Status != 200 {
		t.Fatalf("login after backup state change: %+v %s", r, r.Body)
	}
	if c := appA.passkeys.Credentials("alice"); len(c) != 1 || !c[0].BackupState {
		t.Fatalf("backup state not recorded: %+v", c)
	}
	// Backup eligibility may not change (§6.3.3).
	call(ctx, webauthn.SetCredentialProperties, webauthn.SetCredentialPropertiesParams{
		AuthenticatorID: authA.AuthenticatorID, CredentialID: credID, BackupEligibility: ptr(false), BackupState: ptr(false)})
	if r := eval(t, ctx, `approve("alice", "withdrawal", 5000)`); r.code() != "webauthn_backup_flags" {
		t.Fatalf("changed backup eligibility: %+v %s", r, r.Body)
	}
	call(ctx, webauthn.SetCredentialProperties, webauthn.SetCredentialPropertiesParams{
		AuthenticatorID: authA.AuthenticatorID, CredentialID: credID, BackupEligibility: ptr(true), BackupState: ptr(true)})

	// 4. User verification required: an authenticator response without the UV flag is refused; so is
	// a bogus signature.
	for _, c := range []struct {
		bits webauthn.SetResponseOverrideBitsParams
		code string
	}{
		{webauthn.SetResponseOverrideBitsParams{IsBadUV: ptr(true)}, "webauthn_user_verification"},
		{webauthn.SetResponseOverrideBitsParams{IsBogusSignature: ptr(true)}, "webauthn_signature"},
	} {
		c.bits.AuthenticatorID = authA.AuthenticatorID
		if _, err := call(ctx, webauthn.SetResponseOverrideBits, c.bits); err != nil {
			t.Fatal(err)
		}
		if r := eval(t, ctx, `approve("alice", "api_key_creation", 0)`); r.code() != c.code {
			t.Fatalf("want %s, got %+v %s", c.code, r, r.Body)
		}
		call(ctx, webauthn.SetResponseOverrideBits, webauthn.SetResponseOverrideBitsParams{AuthenticatorID: authA.AuthenticatorID,
			IsBadUV: ptr(false), IsBogusSignature: ptr(false), IsBadUP: ptr(false)})
	}
	if r := eval(t, ctx, `approve("alice", "api_key_creation", 0)`); r.Status != 200 {
		t.Fatalf("accept twin after override reset: %+v %s", r, r.Body)
	}

	// 5. Direct attestation: Chromium's authenticator signs a packed statement with its attestation
	// certificate; the server verifies it (W3C WebAuthn §8.2).
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("http://localhost:%d/", pc))); err != nil {
		t.Fatal(err)
	}
	if r := eval(t, ctx, `register("dave")`); r.Status != 200 {
		t.Fatalf("direct attestation: %+v %s", r, r.Body)
	}
	if c := appC.passkeys.Credentials("dave"); len(c) != 1 || c[0].AttestationFormat != "packed" {
		t.Fatalf("direct attestation credential: %+v", c)
	}
	// Below the step-up threshold a withdrawal needs no factor.
	if r := eval(t, ctx, `approve("dave", "withdrawal", 10)`); r.Status != 200 {
		t.Fatalf("small withdrawal: %+v %s", r, r.Body)
	}

	baseC := fmt.Sprintf("http://localhost:%d", pc)
	// 5b. An assertion is bound to the step-up challenge it was made for: Chromium signs the options
	// of an api_key_creation challenge, and the server refuses that assertion on a key_rotation
	// challenge (another transaction type) and on another api_key_creation challenge.
	signFor := func(tx string) (string, string) {
		t.Helper()
		st, body := postJSON(t, baseC+"/api/stepup/begin", []byte(`{"account":"dave","tx":"`+tx+`"}`))
		var b struct {
			Challenge mfa.Challenge
			Options   struct {
				PublicKey json.RawMessage `json:"publicKey"`
			}
		}
		if json.Unmarshal(body, &b); st != 200 || len(b.Options.PublicKey) == 0 {
			t.Fatalf("stepup begin %s: %d %s", tx, st, body)
		}
		js := `(async () => JSON.stringify((await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(` +
			string(b.Options.PublicKey) + `)})).toJSON()))()`
		signed, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("sign step-up options: %v", err)
		}
		return b.Challenge.ID, signed
	}
	for _, other := range []string{"key_rotation", "api_key_creation"} {
		_, assertion := signFor("api_key_creation")
		otherID, _ := signFor(other)
		st, body = postJSON(t, baseC+"/api/stepup/passkey?challenge="+otherID, []byte(assertion))
		if st != 400 || !bytes.Contains(body, []byte(`"webauthn_challenge_unknown"`)) {
			t.Fatalf("api_key_creation assertion on a %s challenge: %d %s", other, st, body)
		}
	}
	// The accept twin: an assertion on the challenge it was signed for.
	ownID, own := signFor("api_key_creation")
	if st, body = postJSON(t, baseC+"/api/stepup/passkey?challenge="+ownID, []byte(own)); st != 200 || !bytes.Contains(body, []byte(`"complete":true`)) {
		t.Fatalf("assertion on its own challenge: %d %s", st, body)
	}

	// Chromium's virtual authenticator holds only a few resident credentials: drop all but alice's.
	dropOthers := func() {
		t.Helper()
		all, err := call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authA.AuthenticatorID})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range all.Credentials {
			if !bytes.Equal(c.CredentialID, credID) {
				if _, err := call(ctx, webauthn.RemoveCredential, webauthn.RemoveCredentialParams{AuthenticatorID: authA.AuthenticatorID, CredentialID: c.CredentialID}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	dropOthers()

	// 6. Wrong RP ID: a page on app.localhost (an allowed origin) creates the credential for RP ID
	// "app.localhost" while the server is "localhost".
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("http://app.localhost:%d/", pa))); err != nil {
		t.Fatal(err)
	}
	if r := eval(t, ctx, `register("bob", {rpId: "app.localhost"})`); r.code() != "webauthn_rp_id" {
		t.Fatalf("wrong RP ID: %+v %s", r, r.Body)
	}
	dropOthers()
	// 7. Wrong origin: the same page against server B, which allows only http://localhost:B.
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("http://app.localhost:%d/", pb))); err != nil {
		t.Fatal(err)
	}
	if r := eval(t, ctx, `register("carol", {rpId: "app.localhost"})`); r.code() != "webauthn_origin" {
		t.Fatalf("wrong origin: %+v %s", r, r.Body)
	}

	// 8. Cloned authenticator: the credential snapshot taken at registration (older counter) moved
	// to a second authenticator; its next assertion carries a counter at or below the stored one.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := call(ctx, webauthn.RemoveVirtualAuthenticator, webauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: authA.AuthenticatorID}); err != nil {
		t.Fatal(err)
	}
	authB, err := call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	// cdproto's Credential always sends generateCmtgKeyOnNextOperation, which Chromium refuses for an
	// authenticator without the CMTG extension; send the fields of WebAuthn.addCredential ourselves.
	addCred := cdp.Command[cloneParams, cdp.Empty]{Method: webauthn.CommandAddCredential}
	if _, err := call(ctx, addCred, cloneParams{AuthenticatorID: authB.AuthenticatorID, Credential: cloneCredential{
		CredentialID: clone.CredentialID, IsResidentCredential: clone.IsResidentCredential, RpID: clone.RpID,
		PrivateKey: clone.PrivateKey, UserHandle: clone.UserHandle, SignCount: clone.SignCount,
		BackupEligibility: true, BackupState: true,
	}}); err != nil {
		t.Fatalf("addCredential: %v", err)
	}
	stored := appA.passkeys.Credentials("alice")[0].SignCount
	if uint32(clone.SignCount)+1 > stored {
		t.Fatalf("test set-up: clone counter %v not behind stored %d", clone.SignCount, stored)
	}
	if r := eval(t, ctx, `approve("alice", "api_key_creation", 0)`); r.code() != "webauthn_counter_rollback" {
		t.Fatalf("cloned authenticator: %+v %s", r, r.Body)
	}
	if after := appA.passkeys.Credentials("alice")[0].SignCount; after != stored {
		t.Fatalf("rollback changed the stored counter: %d -> %d", stored, after)
	}
}

func ptr[T any](v T) *T { return &v }

// cloneParams and cloneCredential are the parameters of WebAuthn.addCredential, without the CMTG
// fields.
type cloneParams struct {
	AuthenticatorID webauthn.AuthenticatorID `json:"authenticatorId"`
	Credential      cloneCredential          `json:"credential"`
}

type cloneCredential struct {
	CredentialID         []byte  `json:"credentialId"`
	IsResidentCredential bool    `json:"isResidentCredential"`
	RpID                 string  `json:"rpId"`
	PrivateKey           []byte  `json:"privateKey"`
	UserHandle           []byte  `json:"userHandle,omitempty"`
	SignCount            float64 `json:"signCount"`
	BackupEligibility    bool    `json:"backupEligibility"`
	BackupState          bool    `json:"backupState"`
}
