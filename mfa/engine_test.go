package mfa

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// codeFactor is a real Factor whose secret is a fixed string; it keeps engine tests independent of
// the TOTP and WebAuthn code, which have their own tests.
func codeFactor(kind FactorType, secret string) Factor {
	return FactorFunc{Kind: kind, Check: func(_ string, response []byte, _ time.Time) error {
		if string(response) != secret {
			return ErrWrongCode
		}
		return nil
	}}
}

var (
	fido2 = codeFactor(FactorFIDO2, "fido-ok")
	totpF = codeFactor(FactorTOTP, "totp-ok")
	veidF = codeFactor(FactorVEID, "face-ok")
	smsF  = codeFactor(FactorSMS, "sms-ok")
)

type trustList map[string]bool

func (l trustList) IsTrustedDevice(account, device string) bool { return l[account+"/"+device] }

func newEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// stepUp begins a challenge and passes the given factors, failing the test on any error.
func stepUp(t *testing.T, e *Engine, req StepUpRequest, now time.Time, factors ...Factor) Session {
	t.Helper()
	c, err := e.Begin(req, now)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	var p Progress
	for _, f := range factors {
		resp := map[FactorType]string{FactorFIDO2: "fido-ok", FactorTOTP: "totp-ok", FactorVEID: "face-ok", FactorSMS: "sms-ok"}[f.Type()]
		if p, err = e.Submit(c.ID, f, []byte(resp), now); err != nil {
			t.Fatalf("Submit %s: %v", f.Type(), err)
		}
	}
	if !p.Complete || p.Session == nil {
		t.Fatalf("challenge not complete after %d factors: %+v", len(factors), p.Challenge)
	}
	return *p.Session
}

func TestTrustedDeviceOneFactorLess(t *testing.T) {
	e := newEngine(t, Config{Devices: trustList{"hana/laptop": true}})
	// VEID + FIDO2 on a trusted device: one factor suffices.
	s := stepUp(t, e, StepUpRequest{Account: "hana", Tx: TxKeyRotation, Device: "laptop", Score: 60}, t0, fido2)
	if len(s.Factors) != 1 || s.Device != "laptop" {
		t.Fatalf("session %+v", s)
	}
	// The reject twin: the same on an untrusted device needs both.
	c, _ := e.Begin(StepUpRequest{Account: "hana", Tx: TxKeyRotation, Device: "kiosk", Score: 60}, t0)
	if p, err := e.Submit(c.ID, fido2, []byte("fido-ok"), t0); err != nil || p.Complete {
		t.Fatalf("untrusted device completed with one factor: %+v %v", p, err)
	}
	// Never below one: FIDO2-or-TOTP still needs a factor on a trusted device.
	c, _ = e.Begin(StepUpRequest{Account: "hana", Tx: TxAPIKeyCreation, Device: "laptop", Score: 60}, t0)
	if !c.TrustedDevice {
		t.Fatal("device not marked trusted")
	}
	if c.Rule.SatisfiedBy(nil, true) {
		t.Fatal("trusted device satisfied a rule with zero factors")
	}
	if _, err := e.Authorize(AuthorizeRequest{Account: "hana", Tx: TxAPIKeyCreation, Device: "laptop"}, t0); !errors.Is(err, ErrStepUpRequired) {
		t.Fatalf("no factor passed but authorized: %v", err)
	}
}

func TestScoreAndFactorChecks(t *testing.T) {
	e := newEngine(t, Config{})
	_, err := e.Begin(StepUpRequest{Account: "ivan", Tx: TxValidatorRegistration, Score: 84}, t0)
	var se *ScoreError
	if !errors.As(err, &se) || !errors.Is(err, ErrScoreTooLow) || se.MinScore != 85 {
		t.Fatalf("score 84 for validator registration: %v", err)
	}
	if _, err := e.Begin(StepUpRequest{Account: "ivan", Tx: TxValidatorRegistration, Score: 85}, t0); err != nil {
		t.Fatalf("score 85: %v", err)
	}
	if _, err := e.Begin(StepUpRequest{Account: "ivan", Tx: TxWithdrawal, Value: 10, Score: 85}, t0); !errors.Is(err, ErrNotRequired) {
		t.Fatalf("small withdrawal: %v", err)
	}
	if _, err := e.Begin(StepUpRequest{Account: "", Tx: TxKeyRotation, Score: 85}, t0); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("empty account: %v", err)
	}
	if _, err := e.Begin(StepUpRequest{Account: "ivan", Tx: TxKeyRotation, Score: 101}, t0); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("score 101: %v", err)
	}
	// SMS does not count towards key rotation, and costs no try.
	c, _ := e.Begin(StepUpRequest{Account: "ivan", Tx: TxKeyRotation, Score: 85}, t0)
	if _, err := e.Submit(c.ID, smsF, []byte("sms-ok"), t0); !errors.Is(err, ErrFactorNotAllowed) {
		t.Fatalf("sms for key rotation: %v", err)
	}
	if got, _ := e.Challenge(c.ID); got.Tries != 0 {
		t.Fatalf("refused factor used a try: %+v", got)
	}
	if _, err := e.Submit(c.ID, nil, nil, t0); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("nil factor: %v", err)
	}
}

func TestRecoveryAndCooldown(t *testing.T) {
	e := newEngine(t, Config{})
	req := StepUpRequest{Account: "judy", Tx: TxAccountDeletion, Score: 50}
	// VEID + FIDO2 is not enough for deletion; SMS completes it.
	c, _ := e.Begin(req, t0)
	e.Submit(c.ID, veidF, []byte("face-ok"), t0)
	p, err := e.Submit(c.ID, fido2, []byte("fido-ok"), t0)
	if err != nil || p.Complete {
		t.Fatalf("deletion complete without SMS or email: %+v %v", p, err)
	}
	p, err = e.Submit(c.ID, smsF, []byte("sms-ok"), t0)
	if err != nil || !p.Complete {
		t.Fatalf("deletion with SMS: %+v %v", p, err)
	}
	a, err := e.Authorize(AuthorizeRequest{Account: "judy", Tx: TxAccountDeletion}, t0.Add(time.Minute))
	if err != nil || a.EffectiveAt != t0.Add(time.Minute+48*time.Hour) {
		t.Fatalf("deletion cooldown: %+v %v", a, err)
	}
}

// TestDeterministicIDs: with the same Rand the engine produces the same identifiers, as every
// validator must.
func TestDeterministicIDs(t *testing.T) {
	ids := func() []string {
		e := newEngine(t, Config{Rand: bytes.NewReader(bytes.Repeat([]byte{7, 1, 9}, 100))})
		s := stepUp(t, e, StepUpRequest{Account: "k", Tx: TxAPIKeyCreation, Score: 50}, t0, totpF)
		return []string{s.ID}
	}
	a, b := ids(), ids()
	if a[0] != b[0] {
		t.Fatalf("ids differ: %v %v", a, b)
	}
	e := newEngine(t, Config{Rand: bytes.NewReader(nil)})
	if _, err := e.Begin(StepUpRequest{Account: "k", Tx: TxAPIKeyCreation, Score: 50}, t0); err == nil {
		t.Fatal("empty Rand gave an identifier")
	}
}
