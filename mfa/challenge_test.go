package mfa

import (
	"errors"
	"testing"
	"time"
)

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
