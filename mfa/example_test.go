package mfa_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/virtengine/sdk/mfa"
)

// A TOTP code from RFC 6238 Appendix B (SHA-1 seed, T = 59 s, 8 digits).
func ExampleOTPKey_Code() {
	k := &mfa.OTPKey{Type: "totp", Secret: []byte("12345678901234567890"), Algorithm: mfa.SHA1, Digits: 8, Period: 30}
	code, _ := k.Code(time.Unix(59, 0))
	fmt.Println(code)
	// Output: 94287082
}

// The step-up flow: a transaction needs a session, the account passes a factor, the session
// authorizes the transaction, and the node checks it through the Gate interface.
func ExampleEngine() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	engine, _ := mfa.NewEngine(mfa.Config{}) // the default policy table

	totp := mfa.NewTOTP()
	key := &mfa.OTPKey{Type: "totp", AccountName: "alice", Secret: []byte("12345678901234567890"), Algorithm: mfa.SHA1, Digits: 6, Period: 30}
	totp.Enroll("alice", key)

	var gate mfa.Gate = engine // what market and node depend on
	_, err := gate.Authorize(mfa.AuthorizeRequest{Account: "alice", Tx: mfa.TxAPIKeyCreation}, now)
	fmt.Println("before step-up:", errors.Is(err, mfa.ErrStepUpRequired))

	ch, _ := engine.Begin(mfa.StepUpRequest{Account: "alice", Tx: mfa.TxAPIKeyCreation, Score: 60}, now)
	code, _ := key.Code(now)
	p, _ := engine.Submit(ch.ID, totp, []byte(code), now)
	fmt.Println("complete:", p.Complete, "session lasts", p.Session.ExpiresAt.Sub(now))

	a, err := gate.Authorize(mfa.AuthorizeRequest{Account: "alice", Tx: mfa.TxAPIKeyCreation}, now.Add(time.Minute))
	fmt.Println("authorized:", err == nil, a.Factors)
	_, err = gate.Authorize(mfa.AuthorizeRequest{Account: "alice", Tx: mfa.TxWithdrawal, Value: 5_000}, now.Add(time.Minute))
	fmt.Println("withdrawal needs its own step-up:", errors.Is(err, mfa.ErrStepUpRequired))
	// Output:
	// before step-up: true
	// complete: true session lasts 15m0s
	// authorized: true [totp]
	// withdrawal needs its own step-up: true
}

// Enrollment for an authenticator app: the otpauth:// URI (also as a QR code PNG with RevealQRCodePNG).
func ExampleParseURI() {
	k, _ := mfa.ParseURI("otpauth://totp/VirtEngine:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=VirtEngine&digits=8")
	code, _ := k.Code(time.Unix(1111111109, 0))
	fmt.Println(k.Issuer, k.AccountName, k.Algorithm, k.Digits, k.Period, code)
	// Output: VirtEngine alice SHA1 8 30 07081804
}

// Recovery (FEATURES.md §4.5): the TOTP key of a lost phone is replaced only after the recovery
// policy passed, and from then on the old key's codes are refused. The checks here stand in for a
// VEID face re-check, the account's passkey and an SMS code.
func ExampleRegistry_Replace() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	totp := mfa.NewTOTP()
	reg := mfa.NewRegistry(nil, nil)
	reg.SetStores(mfa.Stores{TOTP: totp}) // the registry is now the one way to change TOTP keys
	engine, _ := mfa.NewEngine(mfa.Config{Devices: reg})
	reg.SetGate(engine)
	pass := func(kind mfa.FactorType) mfa.Factor {
		return mfa.FactorFunc{Kind: kind, Check: func(string, []byte, time.Time) error { return nil }}
	}

	alice := mfa.Change{Account: "alice"}
	oldKey, _ := mfa.GenerateTOTP("VirtEngine", "alice", mfa.SHA1, 6, nil)
	lost, _ := reg.Enroll(alice, mfa.NewFactor{Type: mfa.FactorTOTP, Key: oldKey, Label: "old phone"}, now) // the first factor enrolls freely

	newKey, _ := mfa.GenerateTOTP("VirtEngine", "alice", mfa.SHA1, 6, nil)
	_, err := reg.Replace(alice, lost.ID, mfa.NewFactor{Type: mfa.FactorTOTP, Key: newKey, Label: "new phone"}, now)
	fmt.Println("without recovery:", errors.Is(err, mfa.ErrStepUpRequired))

	ch, _ := engine.Begin(mfa.StepUpRequest{Account: "alice", Tx: mfa.TxAccountRecovery, Score: 60}, now)
	for _, f := range []mfa.FactorType{mfa.FactorVEID, mfa.FactorFIDO2, mfa.FactorSMS} {
		engine.Submit(ch.ID, pass(f), nil, now)
	}
	e, err := reg.Replace(alice, lost.ID, mfa.NewFactor{Type: mfa.FactorTOTP, Key: newKey, Label: "new phone"}, now)
	fmt.Println("after recovery:", err == nil, e.Label, len(reg.List("alice")))

	later := now.Add(time.Minute)
	oldCode, _ := oldKey.Code(later)
	newCode, _ := newKey.Code(later)
	fmt.Println("old phone's code:", totp.Verify("alice", []byte(oldCode), later) != nil)
	fmt.Println("new phone's code:", totp.Verify("alice", []byte(newCode), later) == nil)
	// Output:
	// without recovery: true
	// after recovery: true new phone 1
	// old phone's code: true
	// new phone's code: true
}
