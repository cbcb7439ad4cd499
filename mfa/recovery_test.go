package mfa

import (
	"context"
	"errors"
	"testing"
	"time"
)

// recoveryFixture is an account whose only FIDO2 key is lost: the registry holds the lost key and
// a trusted laptop (enrolled with a key-rotation step-up while the key still worked), and the
// account can still receive SMS codes and hold backup codes.
type recoveryFixture struct {
	e      *Engine
	reg    *Registry
	lost   Enrollment
	sms    *DeliveredCode
	box    *outbox
	backup *BackupCodes
	codes  []string
}

func newRecoveryFixture(t *testing.T, policy *Policy) *recoveryFixture {
	t.Helper()
	f := &recoveryFixture{reg: NewRegistry(nil, nil), box: &outbox{}, backup: NewBackupCodes(nil)}
	f.e = newEngine(t, Config{Devices: f.reg, Policy: policy})
	f.reg.SetGate(f.e)
	var err error
	if f.lost, err = f.reg.Enroll(Change{Account: "alice"}, FactorFIDO2, "only key", t0); err != nil {
		t.Fatal(err)
	}
	stepUp(t, f.e, StepUpRequest{Account: "alice", Tx: TxKeyRotation, Device: "laptop", Score: 60}, t0, veidF, fido2)
	if _, err := f.reg.Enroll(Change{Account: "alice", Device: "laptop"}, FactorTrustedDevice, "laptop", t0); err != nil {
		t.Fatal(err)
	}
	f.sms, _ = NewDeliveredCode(FactorSMS, f.box, nil)
	f.sms.SetDestination("alice", "+15555550111")
	if f.codes, err = f.backup.Generate("alice"); err != nil {
		t.Fatal(err)
	}
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
	if _, err := f.reg.Replace(Change{Account: "alice", Device: "kiosk"}, f.lost.ID, FactorFIDO2, "new key", now); !errors.Is(err, ErrStepUpRequired) {
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
	_, err = f.reg.Replace(Change{Account: "alice", Device: "kiosk"}, f.lost.ID, FactorFIDO2, "new key", now)
	if !errors.Is(err, ErrStepUpRequired) || !errors.Is(err, ErrSessionWrongDevice) {
		t.Fatalf("replace from another device: %v", err)
	}
	// ...the laptop replaces the lost key, once.
	ne, err := f.reg.Replace(Change{Account: "alice", Device: "laptop"}, f.lost.ID, FactorFIDO2, "new key", now)
	if err != nil {
		t.Fatal(err)
	}
	if l := f.reg.List("alice"); len(l) != 2 || l[1].ID != ne.ID || l[0].Type != FactorTrustedDevice {
		t.Fatalf("after replace: %+v", l)
	}
	if _, err := f.reg.Replace(Change{Account: "alice", Device: "laptop"}, ne.ID, FactorFIDO2, "again", now); !errors.Is(err, ErrSessionUsed) {
		t.Fatalf("single-use recovery session used twice: %v", err)
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
	if _, err := f.reg.Replace(Change{Account: "alice", Device: "kiosk"}, f.lost.ID, FactorFIDO2, "new key", now); err != nil {
		t.Fatalf("replace after backup-code recovery: %v", err)
	}
	if f.backup.Remaining("alice") != BackupCodeCount-2 {
		t.Fatalf("%d backup codes left", f.backup.Remaining("alice"))
	}
}
