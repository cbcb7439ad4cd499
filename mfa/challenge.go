package mfa

import (
	"errors"
	"fmt"
	"time"
)

// Challenge is an open step-up: the rule to satisfy, the factors passed so far and the wrong tries.
// Begin returns it; Submit advances it. The values returned are copies.
type Challenge struct {
	ID            string       `json:"id"`
	Account       string       `json:"account"`
	Tx            TxType       `json:"tx"`
	Value         uint64       `json:"value"`
	Device        string       `json:"device,omitempty"`
	TrustedDevice bool         `json:"trusted_device"`
	Rule          Rule         `json:"rule"`
	Passed        []FactorType `json:"passed"`
	Tries         int          `json:"tries"`
	CreatedAt     time.Time    `json:"created_at"`
	ExpiresAt     time.Time    `json:"expires_at"`
}

func (c *Challenge) copy() Challenge {
	out := *c
	out.Passed = append([]FactorType(nil), c.Passed...)
	out.Rule.AnyOf = cloneSets(c.Rule.AnyOf)
	return out
}

// Progress is the state after a factor was accepted. When Complete, Session is the session it opened.
type Progress struct {
	Challenge Challenge `json:"challenge"`
	Complete  bool      `json:"complete"`
	Session   *Session  `json:"session,omitempty"`
}

// Begin opens a challenge for req at time now. It fails with the errors of Requirement, with a
// *LockedError while the account is locked out, or ErrTooManyChallenges.
func (e *Engine) Begin(req StepUpRequest, now time.Time) (Challenge, error) {
	rule, err := e.Requirement(req)
	if err != nil {
		return Challenge{}, err
	}
	trusted := req.Device != "" && e.cfg.Devices != nil && e.cfg.Devices.IsTrustedDevice(req.Account, req.Device)

	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.lockedErr(req.Account, now); err != nil {
		return Challenge{}, err
	}
	a := e.account(req.Account)
	e.pruneChallenges(a, now)
	if len(a.challenges) >= MaxOpenChallenges {
		return Challenge{}, fmt.Errorf("%w: %d open for this account; answer or let them expire", ErrTooManyChallenges, len(a.challenges))
	}
	id, err := e.newID()
	if err != nil {
		return Challenge{}, err
	}
	c := &Challenge{
		ID: id, Account: req.Account, Tx: req.Tx, Value: req.Value, Device: req.Device,
		TrustedDevice: trusted, Rule: rule, CreatedAt: now, ExpiresAt: now.Add(e.cfg.ChallengeTTL),
	}
	e.challenges[id] = c
	a.challenges = append(a.challenges, id)
	return c.copy(), nil
}

// Challenge returns a copy of an open challenge.
func (e *Engine) Challenge(id string) (Challenge, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.challenges[id]
	if c == nil {
		return Challenge{}, ErrChallengeNotFound
	}
	return c.copy(), nil
}

// Submit checks one factor's response against challenge id. A wrong response uses up a try and
// returns a *FactorError; the last try kills the challenge and locks the account (the error then also
// matches ErrTooManyTries and ErrLocked). A factor that appears in none of the rule's sets is refused
// with ErrFactorNotAllowed without using a try. A ChallengeFactor is checked with VerifyChallenge
// against this challenge, so a proof made for another challenge does not count here. When the passed factors satisfy the rule the
// challenge completes and opens a Session.
func (e *Engine) Submit(id string, f Factor, response []byte, now time.Time) (Progress, error) {
	if f == nil {
		return Progress{}, invalid("nil factor")
	}
	e.mu.Lock()
	c := e.challenges[id]
	if c == nil {
		e.mu.Unlock()
		return Progress{}, ErrChallengeNotFound
	}
	if !now.Before(c.ExpiresAt) {
		e.dropChallenge(c)
		e.mu.Unlock()
		return Progress{}, ErrChallengeExpired
	}
	if err := e.lockedErr(c.Account, now); err != nil {
		e.mu.Unlock()
		return Progress{}, err
	}
	ft := f.Type()
	if !c.Rule.counts(ft) {
		e.mu.Unlock()
		return Progress{}, fmt.Errorf("%w: %s for %s (needs %s)", ErrFactorNotAllowed, ft, c.Tx, describeSets(c.Rule.AnyOf))
	}
	account := c.Account
	cc := c.copy()
	e.mu.Unlock()

	// The factor may do slow work (signature checks, a store lookup): run it outside the lock. A
	// factor bound to challenges (a passkey assertion) is checked against this challenge.
	var verr error
	if bf, ok := f.(ChallengeFactor); ok {
		verr = bf.VerifyChallenge(cc, response, now)
	} else {
		verr = f.Verify(account, response, now)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.challenges[id] != c { // finished or expired meanwhile
		return Progress{}, ErrChallengeNotFound
	}
	if verr != nil {
		c.Tries++
		left := e.cfg.MaxTries - c.Tries
		ferr := &FactorError{Factor: ft, TriesLeft: left, Err: verr}
		if left <= 0 {
			e.dropChallenge(c)
			until := e.lock(account, now)
			return Progress{}, errors.Join(ferr, ErrTooManyTries, &LockedError{Account: account, Until: until})
		}
		return Progress{Challenge: c.copy()}, ferr
	}
	if !containsFactor(c.Passed, ft) {
		c.Passed = append(c.Passed, ft)
	}
	if !c.Rule.SatisfiedBy(c.Passed, c.TrustedDevice) {
		return Progress{Challenge: c.copy()}, nil
	}
	s, err := e.openSession(c, now)
	if err != nil {
		return Progress{Challenge: c.copy()}, err
	}
	e.dropChallenge(c)
	e.account(account).lockouts = 0
	out := s.copy()
	return Progress{Challenge: c.copy(), Complete: true, Session: &out}, nil
}

func (e *Engine) dropChallenge(c *Challenge) {
	delete(e.challenges, c.ID)
	if a := e.accounts[c.Account]; a != nil {
		a.challenges = removeID(a.challenges, c.ID)
	}
}

func (e *Engine) pruneChallenges(a *accountState, now time.Time) {
	kept := a.challenges[:0]
	for _, id := range a.challenges {
		if c := e.challenges[id]; c != nil && now.Before(c.ExpiresAt) {
			kept = append(kept, id)
		} else {
			delete(e.challenges, id)
		}
	}
	a.challenges = kept
}

func removeID(ids []string, id string) []string {
	for i, x := range ids {
		if x == id {
			return append(ids[:i], ids[i+1:]...)
		}
	}
	return ids
}
