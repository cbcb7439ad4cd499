package mfa

import (
	"errors"
	"testing"
	"time"
)

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
