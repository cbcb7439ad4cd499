package mfa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
)

// Register a passkey and use it to approve a transaction. The browser's part is played here by
// a software authenticator; examples/passkey does the same with a real page and Chromium.
func ExamplePasskeys() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	passkeys, _ := NewPasskeys(PasskeyConfig{RPID: "virtengine.example", Origins: []string{"https://login.virtengine.example"}})
	engine, _ := NewEngine(Config{})

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	browser := &softAuthenticator{key: key, credID: []byte("credential-0001"), format: "none", origin: "https://login.virtengine.example"}

	// Registration (W3C WebAuthn §7.1): options to the browser, its answer back.
	creation, _ := passkeys.BeginRegistration("alice", now)
	cred, err := passkeys.FinishRegistration("alice", browser.create(creation), now)
	fmt.Println("registered:", err == nil, cred.AttestationFormat, "user verified:", cred.UserVerified)

	// Step-up with the passkey (§7.2), then the transaction.
	ch, _ := engine.Begin(StepUpRequest{Account: "alice", Tx: TxTransferNewAddress, Score: 55}, now)
	assertion, _ := passkeys.BeginStepUp(ch, now) // the assertion answers this challenge only
	handle := []byte(creation.Response.User.ID.(protocol.URLEncodedBase64))
	p, err := engine.Submit(ch.ID, passkeys, browser.get(assertion, handle), now)
	fmt.Println("step-up complete:", err == nil && p.Complete)
	a, err := engine.Authorize(AuthorizeRequest{Account: "alice", Tx: TxTransferNewAddress}, now)
	fmt.Println("transfer authorized:", err == nil, a.Factors)
	// Output:
	// registered: true none user verified: true
	// step-up complete: true
	// transfer authorized: true [fido2]
}
