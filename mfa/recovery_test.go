package mfa

import (
	"context"
	"errors"
	"testing"
	"time"
)

// recoveryFixture is an account whose only FIDO2 key is lost: the registry (driving every store)
// holds the lost passkey and a trusted laptop, SMS and backup codes, each enrolled with a
// key-rotation step-up while the key still worked.
type recoveryFixture struct {
	*regFixture
	lost       Enrollment
	lostKey    *softAuthenticator
	lostHandle []byte
	codes      []string
}

func newRecoveryFixture(t *testing.T, policy *Policy) *recoveryFixture {
	t.Helper()
	f := &recoveryFixture{regFixture: newRegFixture(t, policy), lostKey: newSoftAuthenticator(t, testOrigin)}
	var err error
	if f.lost, f.lostHandle, err = f.passkey(t, Change{Account: "alice"}, "", f.lostKey); err != nil {
		t.Fatal(err)
	}
	f.rotate(t, "alice", "laptop", veidF, fido2)
	laptop := Change{Account: "alice", Device: "laptop"}
	if _, err := f.reg.Enroll(laptop, NewFactor{Type: FactorTrustedDevice, Label: "laptop"}, t0); err != nil {
		t.Fatal(err)
	}
	f.rotate(t, "alice", "laptop", veidF) // trusted now: one factor fewer
	if _, err := f.reg.Enroll(laptop, NewFactor{Type: FactorSMS, Destination: "+15555550111"}, t0); err != nil {
		t.Fatal(err)
	}
	f.rotate(t, "alice", "laptop", veidF)
	bk, err := f.reg.Enroll(laptop, NewFactor{Type: FactorBackupCode}, t0)
	if err != nil {
		t.Fatal(err)
	}
	f.codes = bk.BackupCodes
	return f
}

// smsCode sends a fresh SMS code and returns it, as the phone would show it.
func (f *recoveryFixture) smsCode(t *testing.T, n int) []byte {
	t.Helper()
	if err := f.sms.Send(context.Background(), "alice", t0.Add(DeliveredCodeInterval*time.Duration(n))); err != nil {
		t.Fatal(err)
	}
	return []byte(f.box.last().Code)
}

// TestRecoveryOfTheOnlyFIDO2Key follows FEATURES.md §4.3 and §4.5 as written: recovery needs
// VEID + FIDO2 + (SMS or email); a trusted device lowers that by one factor (§4.4), which is how an
// account that lost its only FIDO2 key recovers (VEID + SMS on its trusted laptop). Backup codes are
// in no default rule: they do not count towards recovery unless the operator's policy says so.
func TestRecoveryOfTheOnlyFIDO2Key(t *testing.T) {
	f := newRecoveryFixture(t, nil)
	now := t0

	// Reject: an untrusted device, VEID + SMS, without the lost key.
	c, err := f.e.Begin(StepUpRequest{Account: "alice", Tx: TxAccountRecovery, Device: "kiosk", Score: 60}, now)
	if err != nil || c.TrustedDevice {
		t.Fatalf("begin on kiosk: %+v %v", c, err)
	}
	if _, err := f.e.Submit(c.ID, veidF, []byte("face-ok"), now); err != nil {
		t.Fatal(err)
	}
	p, err := f.e.Submit(c.ID, f.sms, f.smsCode(t, 0), now)
	if err != nil || p.Complete {
		t.Fatalf("recovery without FIDO2 on an untrusted device completed: %+v %v", p, err)
	}
	// A backup code does not count under the default policy, and costs no try.
	if _, err := f.e.Submit(c.ID, f.backup, []byte(f.codes[0]), now); !errors.Is(err, ErrFactorNotAllowed) {
		t.Fatalf("backup code towards default recovery: %v", err)
	}
	if f.backup.Remaining("alice") != BackupCodeCount {
		t.Fatal("a refused factor spent a backup code")
	}
	newKey := newSoftAuthenticator(t, testOrigin)
	if _, _, err := f.passkey(t, Change{Account: "alice", Device: "kiosk"}, f.lost.ID, newKey); !errors.Is(err, ErrStepUpRequired) {
		t.Fatalf("replace without a passed recovery: %v", err)
	}

	// Accept: on the trusted laptop, VEID + SMS pass recovery.
	c, err = f.e.Begin(StepUpRequest{Account: "alice", Tx: TxAccountRecovery, Device: "laptop", Score: 60}, now)
	if err != nil || !c.TrustedDevice {
		t.Fatalf("begin on laptop: %+v %v", c, err)
	}
	f.e.Submit(c.ID, veidF, []byte("face-ok"), now)
	if p, err = f.e.Submit(c.ID, f.sms, f.smsCode(t, 1), now); err != nil || !p.Complete || p.Session.Device != "laptop" {
		t.Fatalf("recovery on the trusted laptop: %+v %v", p, err)
	}
	// The recovery session is bound to the laptop: the kiosk cannot use it (reject twin)...
	_, _, err = f.passkey(t, Change{Account: "alice", Device: "kiosk"}, f.lost.ID, newKey)
	if !errors.Is(err, ErrStepUpRequired) || !errors.Is(err, ErrSessionWrongDevice) {
		t.Fatalf("replace from another device: %v", err)
	}
	// The lost key still works until it is replaced...
	if err := f.passkeyLogin("alice", f.lostKey, f.lostHandle); err != nil {
		t.Fatalf("lost key before the replacement: %v", err)
	}
	// ...the laptop replaces it, once...
	ne, newHandle, err := f.passkey(t, Change{Account: "alice", Device: "laptop"}, f.lost.ID, newKey)
	if err != nil {
		t.Fatal(err)
	}
	if l := f.reg.List("alice"); len(l) != 4 || l[3].ID != ne.ID || l[0].Type != FactorTrustedDevice {
		t.Fatalf("after replace: %+v", l)
	}
	if _, _, err := f.passkey(t, Change{Account: "alice", Device: "laptop"}, ne.ID, newSoftAuthenticator(t, testOrigin)); !errors.Is(err, ErrSessionUsed) {
		t.Fatalf("single-use recovery session used twice: %v", err)
	}
	// ...and from then on the lost key is refused by the passkey store, the new one accepted.
	if err := f.passkeyLogin("alice", f.lostKey, f.lostHandle); !errors.Is(err, ErrUnknownCredential) {
		t.Fatalf("lost key after the replacement: %v", err)
	}
	if err := f.passkeyLogin("alice", newKey, newHandle); err != nil {
		t.Fatalf("new key: %v", err)
	}
}

// An operator may add backup codes to recovery through its own policy (Config.Policy); the engine
// then takes them like any factor: a wrong or spent code is refused and uses a try, an unused one
// counts once.
func TestRecoveryWithBackupCodesByOperatorPolicy(t *testing.T) {
	p := DefaultPolicy()
	p.Version = "operator-recovery-with-backup-codes"
	for i := range p.Rules {
		if p.Rules[i].Tx == TxAccountRecovery {
			p.Rules[i].AnyOf = append(p.Rules[i].AnyOf, FactorSet{FactorVEID, FactorBackupCode, FactorSMS})
		}
	}
	f := newRecoveryFixture(t, p)
	now := t0
	if err := f.backup.Verify("alice", []byte(f.codes[1]), now); err != nil { // spent earlier
		t.Fatal(err)
	}
	c, err := f.e.Begin(StepUpRequest{Account: "alice", Tx: TxAccountRecovery, Device: "kiosk", Score: 60}, now)
	if err != nil {
		t.Fatal(err)
	}
	f.e.Submit(c.ID, veidF, []byte("face-ok"), now)
	f.e.Submit(c.ID, f.sms, f.smsCode(t, 0), now)
	var fe *FactorError
	if _, err := f.e.Submit(c.ID, f.backup, []byte(f.codes[1]), now); !errors.As(err, &fe) || !errors.Is(err, ErrCodeReplayed) || fe.TriesLeft != MaxTries-1 {
		t.Fatalf("spent backup code: %v", err)
	}
	prog, err := f.e.Submit(c.ID, f.backup, []byte(f.codes[2]), now)
	if err != nil || !prog.Complete {
		t.Fatalf("VEID + backup code + SMS: %+v %v", prog, err)
	}
	if _, _, err := f.passkey(t, Change{Account: "alice", Device: "kiosk"}, f.lost.ID, newSoftAuthenticator(t, testOrigin)); err != nil {
		t.Fatalf("replace after backup-code recovery: %v", err)
	}
	if f.backup.Remaining("alice") != BackupCodeCount-2 {
		t.Fatalf("%d backup codes left", f.backup.Remaining("alice"))
	}
}
