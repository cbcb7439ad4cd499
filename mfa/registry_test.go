package mfa

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
)

// regFixture is a Registry driving every factor store, checked by an Engine that trusts the
// registry's devices.
type regFixture struct {
	e                 *Engine
	reg               *Registry
	p                 *Passkeys
	totp              *TOTP
	sms, voice, email *DeliveredCode
	backup            *BackupCodes
	box               *outbox
}

func newRegFixture(t *testing.T, policy *Policy) *regFixture {
	t.Helper()
	f := &regFixture{reg: NewRegistry(nil, nil), p: newPasskeys(t, nil), totp: NewTOTP(), backup: NewBackupCodes(nil), box: &outbox{}}
	f.e = newEngine(t, Config{Devices: f.reg, Policy: policy})
	f.reg.SetGate(f.e)
	f.sms, _ = NewDeliveredCode(FactorSMS, f.box, nil)
	f.voice, _ = NewDeliveredCode(FactorVoice, f.box, nil)
	f.email, _ = NewDeliveredCode(FactorEmail, f.box, nil)
	if err := f.reg.SetStores(Stores{Passkeys: f.p, TOTP: f.totp, Backup: f.backup, SMS: f.sms, Voice: f.voice, Email: f.email}); err != nil {
		t.Fatal(err)
	}
	return f
}

// passkey registers a's credential through the registry (replacing lostID if set) and returns the
// enrollment and the user handle.
func (f *regFixture) passkey(t *testing.T, c Change, lostID string, a *softAuthenticator) (Enrollment, []byte, error) {
	t.Helper()
	opts, err := f.reg.BeginPasskey(c, lostID, "key", t0)
	if err != nil {
		return Enrollment{}, nil, err
	}
	e, cred, err := f.reg.FinishPasskey(c.Account, a.create(opts), t0)
	if err == nil && string(cred.ID) != string(e.Credential) {
		t.Fatalf("enrollment credential %x, registered %x", e.Credential, cred.ID)
	}
	return e, []byte(opts.Response.User.ID.(protocol.URLEncodedBase64)), err
}

// passkeyLogin signs in with a plain WebAuthn login.
func (f *regFixture) passkeyLogin(account string, a *softAuthenticator, handle []byte) error {
	opts, err := f.p.BeginLogin(account, t0)
	if err != nil {
		return err
	}
	_, err = f.p.FinishLogin(account, a.get(opts, handle), t0)
	return err
}

func (f *regFixture) rotate(t *testing.T, account, device string, factors ...Factor) {
	t.Helper()
	stepUp(t, f.e, StepUpRequest{Account: account, Tx: TxKeyRotation, Device: device, Score: 60}, t0, factors...)
}

func newTOTPKey(t *testing.T, name string) *OTPKey {
	t.Helper()
	k, err := GenerateTOTP("VirtEngine", name, SHA1, 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRegistryChangesNeedStepUp: the first factor enrolls freely; every further change of every kind
// needs its step-up (§4.5), and a refused change leaves the stores as they were.
func TestRegistryChangesNeedStepUp(t *testing.T) {
	f := newRegFixture(t, nil)
	ch := Change{Account: "alice"}
	keyA := newSoftAuthenticator(t, testOrigin)
	fidoEnr, hA, err := f.passkey(t, ch, "", keyA) // first factor: free
	if err != nil {
		t.Fatal(err)
	}
	// Reject: a second factor of any kind without a key-rotation step-up; nothing reaches a store.
	key := newTOTPKey(t, "alice")
	for _, nf := range []NewFactor{
		{Type: FactorTOTP, Key: key}, {Type: FactorSMS, Destination: "+15555550100"}, {Type: FactorVoice, Destination: "+15555550100"},
		{Type: FactorEmail, Destination: "alice@example.com"}, {Type: FactorBackupCode}, {Type: FactorVEID}, {Type: FactorHardwareKey},
	} {
		if _, err := f.reg.Enroll(ch, nf, t0); !errors.Is(err, ErrStepUpRequired) {
			t.Fatalf("%s without step-up: %v", nf.Type, err)
		}
	}
	if _, _, err := f.passkey(t, ch, "", newSoftAuthenticator(t, testOrigin)); !errors.Is(err, ErrStepUpRequired) {
		t.Fatalf("second passkey without step-up: %v", err)
	}
	if _, err := f.reg.Enroll(Change{Account: "alice", Device: "laptop"}, NewFactor{Type: FactorTrustedDevice}, t0); !errors.Is(err, ErrStepUpRequired) {
		t.Fatalf("trusted device without step-up: %v", err)
	}
	if len(f.reg.List("alice")) != 1 || len(f.p.Credentials("alice")) != 1 || f.backup.Remaining("alice") != 0 {
		t.Fatal("a refused enrollment changed a store")
	}
	code, _ := key.Code(t0)
	if err := f.totp.Verify("alice", []byte(code), t0); !errors.Is(err, ErrFactorNotFound) {
		t.Fatalf("refused TOTP enrollment verifies: %v", err)
	}
	// Accept: with a key-rotation step-up, once.
	f.rotate(t, "alice", "", veidF, fido2)
	totpEnr, err := f.reg.Enroll(ch, NewFactor{Type: FactorTOTP, Key: key, Label: "phone"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.totp.Verify("alice", []byte(code), t0); err != nil {
		t.Fatalf("enrolled TOTP: %v", err)
	}
	if _, err := f.reg.Enroll(ch, NewFactor{Type: FactorEmail, Destination: "alice@example.com"}, t0); !errors.Is(err, ErrStepUpRequired) {
		t.Fatalf("reused key-rotation session: %v", err)
	}
	// Removing needs disable-factor (VEID + FIDO2 + TOTP); refused, the TOTP key still verifies.
	if err := f.reg.Remove(ch, totpEnr.ID, t0); !errors.Is(err, ErrStepUpRequired) {
		t.Fatalf("remove without step-up: %v", err)
	}
	code2, _ := key.Code(t0.Add(TOTPPeriod * 1e9))
	if err := f.totp.Verify("alice", []byte(code2), t0.Add(TOTPPeriod*1e9)); err != nil {
		t.Fatalf("TOTP after a refused removal: %v", err)
	}
	stepUp(t, f.e, StepUpRequest{Account: "alice", Tx: TxDisableFactor, Score: 60}, t0, veidF, fido2, totpF)
	if err := f.reg.Remove(ch, totpEnr.ID, t0); err != nil {
		t.Fatal(err)
	}
	// The removed TOTP key no longer verifies, not even with a fresh code.
	code3, _ := key.Code(t0.Add(2 * TOTPPeriod * 1e9))
	if err := f.totp.Verify("alice", []byte(code3), t0.Add(2*TOTPPeriod*1e9)); !errors.Is(err, ErrFactorNotFound) {
		t.Fatalf("removed TOTP key verifies: %v", err)
	}
	if err := f.reg.Remove(ch, fidoEnr.ID, t0); !errors.Is(err, ErrLastFactor) {
		t.Fatalf("last factor removed: %v", err)
	}
	// Recovery: the lost passkey is replaced only after the recovery policy passed...
	keyB := newSoftAuthenticator(t, testOrigin)
	if _, _, err := f.passkey(t, ch, fidoEnr.ID, keyB); !errors.Is(err, ErrStepUpRequired) {
		t.Fatalf("replace without recovery: %v", err)
	}
	stepUp(t, f.e, StepUpRequest{Account: "alice", Tx: TxAccountRecovery, Score: 60}, t0, veidF, fido2, smsF)
	ne, hB, err := f.passkey(t, ch, fidoEnr.ID, keyB)
	if err != nil {
		t.Fatal(err)
	}
	if l := f.reg.List("alice"); len(l) != 1 || l[0].ID != ne.ID {
		t.Fatalf("after replace: %+v", l)
	}
	// ...and then the lost key no longer signs in (reject twin), the new one does.
	if err := f.passkeyLogin("alice", keyA, hA); !errors.Is(err, ErrUnknownCredential) {
		t.Fatalf("replaced passkey still verifies: %v", err)
	}
	if err := f.passkeyLogin("alice", keyB, hB); err != nil {
		t.Fatalf("new passkey: %v", err)
	}
}

// TestRegistryReplaceAndRemoveRevoke: a replaced TOTP key, a removed passkey, a removed destination
// and replaced backup codes stop verifying in their stores; their successors verify.
func TestRegistryReplaceAndRemoveRevoke(t *testing.T) {
	f := newRegFixture(t, nil)
	ch := Change{Account: "carol"}
	oldKey := newTOTPKey(t, "carol")
	lost, err := f.reg.Enroll(ch, NewFactor{Type: FactorTOTP, Key: oldKey}, t0)
	if err != nil {
		t.Fatal(err)
	}
	f.rotate(t, "carol", "", veidF, fido2)
	keyA := newSoftAuthenticator(t, testOrigin)
	pkEnr, hA, err := f.passkey(t, ch, "", keyA)
	if err != nil {
		t.Fatal(err)
	}
	f.rotate(t, "carol", "", veidF, fido2)
	bk, err := f.reg.Enroll(ch, NewFactor{Type: FactorBackupCode}, t0)
	if err != nil || len(bk.BackupCodes) != BackupCodeCount {
		t.Fatalf("backup codes: %v", err)
	}
	f.rotate(t, "carol", "", veidF, fido2)
	mail, err := f.reg.Enroll(ch, NewFactor{Type: FactorEmail, Destination: "carol@example.com"}, t0)
	if err != nil {
		t.Fatal(err)
	}

	// Replace the TOTP key (a lost phone) after recovery.
	stepUp(t, f.e, StepUpRequest{Account: "carol", Tx: TxAccountRecovery, Score: 60}, t0, veidF, fido2, smsF)
	newKey := newTOTPKey(t, "carol")
	if _, err := f.reg.Replace(ch, lost.ID, NewFactor{Type: FactorTOTP, Key: newKey}, t0); err != nil {
		t.Fatal(err)
	}
	oldCode, _ := oldKey.Code(t0)
	newCode, _ := newKey.Code(t0)
	if oldCode != newCode {
		if err := f.totp.Verify("carol", []byte(oldCode), t0); !errors.Is(err, ErrWrongCode) {
			t.Fatalf("replaced TOTP key verifies: %v", err)
		}
	}
	if err := f.totp.Verify("carol", []byte(newCode), t0); err != nil {
		t.Fatalf("new TOTP key: %v", err)
	}

	// Regenerate the backup codes (replace): the old codes die, the new ones work.
	stepUp(t, f.e, StepUpRequest{Account: "carol", Tx: TxAccountRecovery, Score: 60}, t0, veidF, fido2, smsF)
	bk2, err := f.reg.Replace(ch, bk.ID, NewFactor{Type: FactorBackupCode}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.backup.Verify("carol", []byte(bk.BackupCodes[0]), t0); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("replaced backup code verifies: %v", err)
	}
	if err := f.backup.Verify("carol", []byte(bk2.BackupCodes[0]), t0); err != nil {
		t.Fatalf("new backup code: %v", err)
	}

	// Remove the passkey and the email destination: the passkey no longer signs in, no code is sent.
	if err := f.passkeyLogin("carol", keyA, hA); err != nil {
		t.Fatalf("passkey before removal: %v", err)
	}
	for _, id := range []string{pkEnr.ID, mail.ID} {
		stepUp(t, f.e, StepUpRequest{Account: "carol", Tx: TxDisableFactor, Score: 60}, t0, veidF, fido2, totpF)
		if err := f.reg.Remove(ch, id, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.passkeyLogin("carol", keyA, hA); !errors.Is(err, ErrFactorNotFound) {
		t.Fatalf("removed passkey still signs in: %v", err)
	}
	if err := f.email.Send(t.Context(), "carol", t0); !errors.Is(err, ErrFactorNotFound) {
		t.Fatalf("removed email destination still receives codes: %v", err)
	}
	if n := len(f.reg.List("carol")); n != 2 {
		t.Fatalf("%d enrollments left, want TOTP + backup codes", n)
	}
}

// TestRegistryLimitAcrossKinds: ten factors per account, all kinds together; the 11th is refused
// whatever its kind, including a passkey whose ceremony began while there was room.
func TestRegistryLimitAcrossKinds(t *testing.T) {
	f := newRegFixture(t, nil)
	ch := Change{Account: "bob", Device: "laptop"}
	if _, err := f.reg.Enroll(ch, NewFactor{Type: FactorTrustedDevice, Label: "my laptop"}, t0); err != nil {
		t.Fatal(err)
	}
	if !f.reg.IsTrustedDevice("bob", "laptop") || f.reg.IsTrustedDevice("bob", "phone") || f.reg.IsTrustedDevice("eve", "laptop") {
		t.Fatal("trusted device lookup")
	}
	// With the trusted device, key rotation needs one of VEID / FIDO2.
	rotate := func() { f.rotate(t, "bob", "laptop", veidF) }
	for _, nf := range []NewFactor{
		{Type: FactorVEID}, {Type: FactorHardwareKey}, {Type: FactorTOTP, Key: newTOTPKey(t, "bob")},
		{Type: FactorSMS, Destination: "+15555550100"}, {Type: FactorVoice, Destination: "+15555550100"},
		{Type: FactorEmail, Destination: "bob@example.com"}, {Type: FactorBackupCode},
	} {
		rotate()
		if _, err := f.reg.Enroll(ch, nf, t0); err != nil {
			t.Fatalf("%s: %v", nf.Type, err)
		}
	}
	rotate()
	if _, _, err := f.passkey(t, ch, "", newSoftAuthenticator(t, testOrigin)); err != nil {
		t.Fatal(err)
	}
	// The 10th factor: a passkey ceremony opens with room left...
	rotate()
	late := newSoftAuthenticator(t, testOrigin)
	opts, err := f.reg.BeginPasskey(ch, "", "late", t0)
	if err != nil {
		t.Fatal(err)
	}
	// ...but a hardware key takes the last place first: the passkey is refused at finish, unstored.
	rotate()
	if _, err := f.reg.Enroll(ch, NewFactor{Type: FactorHardwareKey, Label: "second token"}, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.reg.FinishPasskey("bob", late.create(opts), t0); !errors.Is(err, ErrFactorLimit) {
		t.Fatalf("passkey finished past the limit: %v", err)
	}
	if n, pk := len(f.reg.List("bob")), len(f.p.Credentials("bob")); n != MaxFactorsPerAccount || pk != 1 {
		t.Fatalf("%d factors, %d passkeys", n, pk)
	}
	// The 11th, of any kind, is refused before a session is used up.
	rotate()
	for _, nf := range []NewFactor{{Type: FactorHardwareKey}, {Type: FactorVEID}} {
		if _, err := f.reg.Enroll(ch, nf, t0); !errors.Is(err, ErrFactorLimit) {
			t.Fatalf("11th factor (%s): %v", nf.Type, err)
		}
	}
	if _, err := f.reg.BeginPasskey(ch, "", "", t0); !errors.Is(err, ErrFactorLimit) {
		t.Fatalf("11th factor (passkey): %v", err)
	}
	if _, err := f.e.Authorize(AuthorizeRequest{Account: "bob", Tx: TxKeyRotation, Device: "laptop"}, t0); err != nil {
		t.Fatalf("a refused enrollment used up the session: %v", err)
	}
	// One TOTP key, backup-code set and destination per channel: the second is refused (replace it).
	g := newRegFixture(t, nil)
	if _, err := g.reg.Enroll(Change{Account: "c"}, NewFactor{Type: FactorTOTP, Key: newTOTPKey(t, "c")}, t0); err != nil {
		t.Fatal(err)
	}
	stepUp(t, g.e, StepUpRequest{Account: "c", Tx: TxKeyRotation, Score: 60}, t0, veidF, fido2)
	if _, err := g.reg.Enroll(Change{Account: "c"}, NewFactor{Type: FactorTOTP, Key: newTOTPKey(t, "c")}, t0); !errors.Is(err, ErrFactorLimit) {
		t.Fatalf("second TOTP key: %v", err)
	}
	// Bad requests.
	for _, c := range []struct {
		ch   Change
		nf   NewFactor
		want error
	}{
		{Change{Account: "d"}, NewFactor{Type: "pigeon"}, ErrUnknownFactor},
		{Change{Account: "d"}, NewFactor{Type: FactorTrustedDevice}, ErrInvalidInput},
		{Change{Account: "d"}, NewFactor{Type: FactorTOTP}, ErrInvalidInput},
		{Change{Account: "d"}, NewFactor{Type: FactorSMS}, ErrInvalidInput},
		{Change{Account: "d"}, NewFactor{Type: FactorFIDO2}, ErrInvalidInput},
		{Change{Account: "d"}, NewFactor{Type: FactorVEID, Label: strings.Repeat("x", MaxFactorLabelLen+1)}, ErrInvalidInput},
		{Change{}, NewFactor{Type: FactorVEID}, ErrInvalidInput},
	} {
		if _, err := g.reg.Enroll(c.ch, c.nf, t0); !errors.Is(err, c.want) {
			t.Errorf("%+v %s: %v", c.ch, c.nf.Type, err)
		}
	}
	if _, err := NewRegistry(nil, nil).Enroll(Change{Account: "d"}, NewFactor{Type: FactorTOTP, Key: newTOTPKey(t, "d")}, t0); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("TOTP without a store: %v", err)
	}
}

// TestRegistryOwnsItsStores: a store the registry drives refuses every change of its own (the
// registry is the one way to enroll, replace or remove); what it held before is recorded.
func TestRegistryOwnsItsStores(t *testing.T) {
	// Accept twin: before SetStores the stores enroll on their own.
	p := newPasskeys(t, nil)
	a := newSoftAuthenticator(t, testOrigin)
	register(t, p, "alice", a)
	totp := NewTOTP()
	if err := totp.Enroll("alice", newTOTPKey(t, "alice")); err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry(nil, nil)
	e := newEngine(t, Config{Devices: reg})
	reg.SetGate(e)
	if err := reg.SetStores(Stores{Passkeys: p, TOTP: totp}); err != nil {
		t.Fatal(err)
	}
	if l := reg.List("alice"); len(l) != 2 || l[0].Type != FactorFIDO2 || string(l[0].Credential) != string(a.credID) || l[1].Type != FactorTOTP {
		t.Fatalf("adopted: %+v", l)
	}
	// Adopted factors count: a further one needs a step-up.
	if _, err := reg.Enroll(Change{Account: "alice"}, NewFactor{Type: FactorVEID}, t0); !errors.Is(err, ErrStepUpRequired) {
		t.Fatalf("enrollment after adoption without step-up: %v", err)
	}
	// Reject: every direct path.
	b := NewBackupCodes(nil)
	sms, _ := NewDeliveredCode(FactorSMS, &outbox{}, nil)
	if err := reg.SetStores(Stores{Backup: b, SMS: sms}); err != nil {
		t.Fatal(err)
	}
	key := stateKey(t, 1)
	pst, _ := p.Export(key)
	tst, _ := totp.Export(key)
	bst, _ := b.Export(key)
	sst, _ := sms.Export(key)
	_, genErr := b.Generate("alice")
	_, beginErr := p.BeginRegistration("bob", t0)
	_, finErr := p.FinishRegistration("bob", []byte(`{}`), t0)
	for name, err := range map[string]error{
		"Passkeys.BeginRegistration": beginErr, "Passkeys.FinishRegistration": finErr,
		"Passkeys.RemoveCredential": p.RemoveCredential("alice", a.credID), "Passkeys.Import": p.Import(key, pst),
		"TOTP.Enroll": totp.Enroll("bob", newTOTPKey(t, "bob")), "TOTP.Remove": totp.Remove("alice"), "TOTP.Import": totp.Import(key, tst),
		"BackupCodes.Generate": genErr, "BackupCodes.Import": b.Import(key, bst),
		"DeliveredCode.SetDestination": sms.SetDestination("alice", "+15555550100"), "DeliveredCode.Import": sms.Import(key, sst),
	} {
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s on a store the registry drives: %v", name, err)
		}
	}
	if len(p.Credentials("alice")) != 1 {
		t.Fatal("a refused removal removed the passkey")
	}
	// A store driven by one registry is refused by another; a channel in the wrong slot is refused.
	if err := NewRegistry(nil, nil).SetStores(Stores{TOTP: totp}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("store shared by two registries: %v", err)
	}
	email, _ := NewDeliveredCode(FactorEmail, &outbox{}, nil)
	if err := NewRegistry(nil, nil).SetStores(Stores{SMS: email}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("email store as SMS: %v", err)
	}
	if err := reg.SetStores(Stores{TOTP: NewTOTP()}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("swapped TOTP store: %v", err)
	}
	// A registration the store began on its own before the hand-over cannot finish through the
	// registry: it was never authorized there.
	p2 := newPasskeys(t, nil)
	opts, _ := p2.BeginRegistration("erin", t0)
	reg2 := NewRegistry(nil, nil)
	reg2.SetStores(Stores{Passkeys: p2})
	if _, _, err := reg2.FinishPasskey("erin", newSoftAuthenticator(t, testOrigin).create(opts), t0); !errors.Is(err, ErrCeremonyNotFound) {
		t.Fatalf("store's own ceremony finished through the registry: %v", err)
	}
	if len(p2.Credentials("erin")) != 0 || len(reg2.List("erin")) != 0 {
		t.Fatal("refused registration stored")
	}
}

// Backup codes from an enrollment never print and never encode.
func TestEnrolledHidesBackupCodes(t *testing.T) {
	f := newRegFixture(t, nil)
	e, err := f.reg.Enroll(Change{Account: "alice"}, NewFactor{Type: FactorBackupCode}, t0)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(e)
	out := fmt.Sprintf("%v %+v %#v %s %q", e, e, e, e, e) + string(j)
	for _, c := range e.BackupCodes {
		if strings.Contains(out, c) || strings.Contains(out, strings.ReplaceAll(c, "-", "")) {
			t.Fatalf("backup code printed: %s", out)
		}
	}
	if !strings.Contains(out, e.ID) {
		t.Fatalf("enrollment ID missing: %s", out)
	}
}
