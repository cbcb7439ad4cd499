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

func TestStepUpSingleUse(t *testing.T) {
	e := newEngine(t, Config{})
	req := StepUpRequest{Account: "alice", Tx: TxKeyRotation, Score: 60}
	// Before any step-up the transaction is refused, naming what to pass.
	_, err := e.Authorize(AuthorizeRequest{Account: "alice", Tx: TxKeyRotation}, t0)
	var sre *StepUpRequiredError
	if !errors.As(err, &sre) || !errors.Is(err, ErrStepUpRequired) || sre.Rule.AnyOf[0].String() != "veid + fido2" {
		t.Fatalf("want StepUpRequiredError naming veid + fido2, got %v", err)
	}

	s := stepUp(t, e, req, t0, veidF, fido2)
	if !s.SingleUse || s.ExpiresAt != t0.Add(SingleUseSessionTTL) {
		t.Fatalf("session %+v", s)
	}
	auth, err := e.Authorize(AuthorizeRequest{Account: "alice", Tx: TxKeyRotation}, t0.Add(time.Second))
	if err != nil || !auth.StepUp || auth.SessionID != s.ID || auth.PolicyVersion != DefaultPolicyVersion {
		t.Fatalf("first use: %+v %v", auth, err)
	}
	// Single use: the second use is refused, by ID and by search.
	if _, err := e.Authorize(AuthorizeRequest{Account: "alice", Tx: TxKeyRotation, SessionID: s.ID}, t0.Add(2*time.Second)); !errors.Is(err, ErrSessionUsed) {
		t.Fatalf("second use by ID: %v", err)
	}
	_, err = e.Authorize(AuthorizeRequest{Account: "alice", Tx: TxKeyRotation}, t0.Add(2*time.Second))
	if !errors.Is(err, ErrStepUpRequired) || !errors.Is(err, ErrSessionUsed) {
		t.Fatalf("second use by search: %v", err)
	}
}

func TestStepUpTimedSessionAndExpiry(t *testing.T) {
	e := newEngine(t, Config{})
	s := stepUp(t, e, StepUpRequest{Account: "bob", Tx: TxTransferNewAddress, Score: 50}, t0, totpF)
	if s.SingleUse || s.ExpiresAt != t0.Add(15*time.Minute) {
		t.Fatalf("session %+v", s)
	}
	for i := 0; i < 3; i++ { // a timed session authorizes many transactions
		if _, err := e.Authorize(AuthorizeRequest{Account: "bob", Tx: TxTransferNewAddress}, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
	}
	_, err := e.Authorize(AuthorizeRequest{Account: "bob", Tx: TxTransferNewAddress, SessionID: s.ID}, t0.Add(15*time.Minute))
	if !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("at expiry: %v", err)
	}
	_, err = e.Authorize(AuthorizeRequest{Account: "bob", Tx: TxTransferNewAddress}, t0.Add(15*time.Minute))
	if !errors.Is(err, ErrStepUpRequired) || !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("at expiry by search: %v", err)
	}
}

func TestSessionBindings(t *testing.T) {
	e := newEngine(t, Config{})
	s := stepUp(t, e, StepUpRequest{Account: "carol", Tx: TxWithdrawal, Value: 5_000, Device: "phone-1", Score: 55}, t0, fido2)
	now := t0.Add(time.Minute)
	cases := []struct {
		name string
		req  AuthorizeRequest
		want error
	}{
		{"wrong transaction type", AuthorizeRequest{Account: "carol", Tx: TxAPIKeyCreation, Device: "phone-1", SessionID: s.ID}, ErrSessionWrongTx},
		{"wrong device", AuthorizeRequest{Account: "carol", Tx: TxWithdrawal, Value: 5_000, Device: "laptop", SessionID: s.ID}, ErrSessionWrongDevice},
		{"no device", AuthorizeRequest{Account: "carol", Tx: TxWithdrawal, Value: 5_000, SessionID: s.ID}, ErrSessionWrongDevice},
		{"wrong account", AuthorizeRequest{Account: "mallory", Tx: TxWithdrawal, Value: 5_000, Device: "phone-1", SessionID: s.ID}, ErrSessionWrongAcct},
		{"value above the rule", AuthorizeRequest{Account: "carol", Tx: TxWithdrawal, Value: 50_000, Device: "phone-1", SessionID: s.ID}, ErrSessionValue},
		{"unknown session", AuthorizeRequest{Account: "carol", Tx: TxWithdrawal, Value: 5_000, Device: "phone-1", SessionID: "nope"}, ErrSessionNotFound},
	}
	for _, c := range cases {
		if _, err := e.Authorize(c.req, now); !errors.Is(err, c.want) {
			t.Errorf("%s: want %v, got %v", c.name, c.want, err)
		}
	}
	// The large withdrawal without a session names the stronger rule.
	_, err := e.Authorize(AuthorizeRequest{Account: "carol", Tx: TxWithdrawal, Value: 50_000, Device: "phone-1"}, now)
	var sre *StepUpRequiredError
	if !errors.As(err, &sre) || sre.Rule.MinScore != 70 || !errors.Is(err, ErrSessionValue) {
		t.Fatalf("large withdrawal: %v", err)
	}
	// The accepted twin: right account, type, device and a covered value.
	if _, err := e.Authorize(AuthorizeRequest{Account: "carol", Tx: TxWithdrawal, Value: 1_000, Device: "phone-1"}, now); err != nil {
		t.Fatalf("accept twin: %v", err)
	}
	// Small withdrawals need no step-up at all.
	a, err := e.Authorize(AuthorizeRequest{Account: "dave", Tx: TxWithdrawal, Value: 999}, now)
	if err != nil || a.StepUp {
		t.Fatalf("small withdrawal: %+v %v", a, err)
	}
	if _, err := e.Authorize(AuthorizeRequest{Account: "dave", Tx: "teleport"}, now); !errors.Is(err, ErrUnknownTx) {
		t.Fatalf("unknown tx: %v", err)
	}
}

func TestChallengeExpiry(t *testing.T) {
	e := newEngine(t, Config{})
	c, err := e.Begin(StepUpRequest{Account: "erin", Tx: TxAPIKeyCreation, Score: 50}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExpiresAt != t0.Add(300*time.Second) {
		t.Fatalf("challenge TTL: %v", c.ExpiresAt.Sub(t0))
	}
	if _, err := e.Submit(c.ID, totpF, []byte("totp-ok"), t0.Add(300*time.Second)); !errors.Is(err, ErrChallengeExpired) {
		t.Fatalf("expired challenge: %v", err)
	}
	if _, err := e.Submit(c.ID, totpF, []byte("totp-ok"), t0); !errors.Is(err, ErrChallengeNotFound) {
		t.Fatalf("dropped challenge: %v", err)
	}
	// Twin: the same answer one second before expiry passes.
	c, _ = e.Begin(StepUpRequest{Account: "erin", Tx: TxAPIKeyCreation, Score: 50}, t0)
	if p, err := e.Submit(c.ID, totpF, []byte("totp-ok"), t0.Add(299*time.Second)); err != nil || !p.Complete {
		t.Fatalf("in time: %+v %v", p, err)
	}
}

func TestTriesAndLockoutBackoff(t *testing.T) {
	e := newEngine(t, Config{})
	req := StepUpRequest{Account: "frank", Tx: TxAPIKeyCreation, Score: 50}
	now := t0
	var lastLock time.Duration
	for round := 0; round < 3; round++ {
		c, err := e.Begin(req, now)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for try := 1; try <= MaxTries; try++ {
			_, err = e.Submit(c.ID, totpF, []byte("000000"), now)
			var fe *FactorError
			if !errors.As(err, &fe) || !errors.Is(err, ErrWrongCode) || fe.TriesLeft != MaxTries-try {
				t.Fatalf("round %d try %d: %v", round, try, err)
			}
		}
		if !errors.Is(err, ErrTooManyTries) || !errors.Is(err, ErrLocked) {
			t.Fatalf("third wrong try should lock: %v", err)
		}
		var le *LockedError
		if _, err := e.Begin(req, now); !errors.As(err, &le) {
			t.Fatalf("locked account began a challenge: %v", err)
		}
		lock := le.Until.Sub(now)
		if want := LockoutBase << round; lock != want {
			t.Fatalf("round %d lockout %v, want %v (doubling backoff)", round, lock, want)
		}
		if lock <= lastLock {
			t.Fatal("backoff did not grow")
		}
		lastLock = lock
		if _, err := e.Submit(c.ID, totpF, []byte("totp-ok"), now); !errors.Is(err, ErrChallengeNotFound) {
			t.Fatalf("dead challenge answered: %v", err)
		}
		now = le.Until // the lockout ends exactly here
	}
	// A success resets the backoff.
	stepUp(t, e, req, now, totpF)
	c, _ := e.Begin(req, now)
	for i := 0; i < MaxTries; i++ {
		e.Submit(c.ID, totpF, []byte("bad"), now)
	}
	var le *LockedError
	if _, err := e.Begin(req, now); !errors.As(err, &le) || le.Until.Sub(now) != LockoutBase {
		t.Fatalf("backoff not reset after success: %v", err)
	}
}

func TestLockoutCapped(t *testing.T) {
	e := newEngine(t, Config{LockoutBase: time.Hour, LockoutMax: 3 * time.Hour})
	req := StepUpRequest{Account: "gina", Tx: TxAPIKeyCreation, Score: 50}
	now := t0
	var got []time.Duration
	for round := 0; round < 4; round++ {
		c, _ := e.Begin(req, now)
		var err error
		for i := 0; i < MaxTries; i++ {
			_, err = e.Submit(c.ID, totpF, nil, now)
		}
		var le *LockedError
		if !errors.As(err, &le) {
			t.Fatal(err)
		}
		got = append(got, le.Until.Sub(now))
		now = le.Until
	}
	want := []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 3 * time.Hour}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("lockouts %v, want %v", got, want)
		}
	}
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

func TestTooManyChallenges(t *testing.T) {
	e := newEngine(t, Config{})
	req := StepUpRequest{Account: "leo", Tx: TxAPIKeyCreation, Score: 50}
	for i := 0; i < MaxOpenChallenges; i++ {
		if _, err := e.Begin(req, t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Begin(req, t0); !errors.Is(err, ErrTooManyChallenges) {
		t.Fatalf("want ErrTooManyChallenges, got %v", err)
	}
	if _, err := e.Begin(req, t0.Add(ChallengeTTL)); err != nil { // the old ones expired
		t.Fatalf("after expiry: %v", err)
	}
}

func TestSessionsBounded(t *testing.T) {
	e := newEngine(t, Config{})
	req := StepUpRequest{Account: "mia", Tx: TxAPIKeyCreation, Score: 50}
	var first Session
	for i := 0; i < MaxSessionsPerAccount+5; i++ {
		s := stepUp(t, e, req, t0, totpF)
		if i == 0 {
			first = s
		}
	}
	if _, err := e.Session(first.ID); !errors.Is(err, ErrSessionNotFound) {
		t.Fatalf("oldest session kept beyond the bound: %v", err)
	}
	if n := len(e.accounts["mia"].sessions); n > MaxSessionsPerAccount {
		t.Fatalf("%d sessions held", n)
	}
}
