package mfa

import (
	"errors"
	"time"
)

// Session is a step-up session (FEATURES.md §4.4): proof that Account passed the factors of a rule
// for transaction type Tx, optionally on Device. A single-use session dies on its first use; a timed
// one authorizes any number of transactions of its type until ExpiresAt.
type Session struct {
	ID            string        `json:"id"`
	Account       string        `json:"account"`
	Tx            TxType        `json:"tx"`
	Device        string        `json:"device,omitempty"`
	MaxValue      uint64        `json:"max_value"` // highest value covered; 0 = no limit
	Factors       []FactorType  `json:"factors"`
	SingleUse     bool          `json:"single_use"`
	Used          bool          `json:"used"`
	OpenedAt      time.Time     `json:"opened_at"`
	ExpiresAt     time.Time     `json:"expires_at"`
	Cooldown      time.Duration `json:"cooldown"`
	PolicyVersion string        `json:"policy_version"`
}

func (s *Session) copy() Session {
	out := *s
	out.Factors = append([]FactorType(nil), s.Factors...)
	return out
}

// AuthorizeRequest asks whether a transaction may run now.
type AuthorizeRequest struct {
	Account string
	Tx      TxType
	Value   uint64
	Device  string // the device the transaction comes from; must match a device-bound session
	// SessionID names the session to use. Empty: the engine uses the first valid session of the
	// account for this transaction, in the order they were opened.
	SessionID string
}

// Authorization is a granted transaction. StepUp is false when the policy needs no step-up for this
// value. EffectiveAt is when the transaction may take effect (now plus the rule's cooldown).
type Authorization struct {
	Account       string       `json:"account"`
	Tx            TxType       `json:"tx"`
	Value         uint64       `json:"value"`
	StepUp        bool         `json:"step_up"`
	SessionID     string       `json:"session_id,omitempty"`
	Factors       []FactorType `json:"factors,omitempty"`
	PolicyVersion string       `json:"policy_version"`
	EffectiveAt   time.Time    `json:"effective_at"`
}

// Gate is what other modules (market, settlement, node) depend on: "may this account run a
// transaction of this type now?". Authorize returns an Authorization, consuming a single-use session,
// or an error: ErrUnknownTx, a *StepUpRequiredError (errors.Is ErrStepUpRequired; it names the
// factor sets to pass and why the closest session was refused), or with an explicit SessionID one of
// ErrSessionNotFound, ErrSessionWrongAcct, ErrSessionWrongTx, ErrSessionUsed, ErrSessionExpired,
// ErrSessionWrongDevice, ErrSessionValue. *Engine implements it.
type Gate interface {
	Authorize(req AuthorizeRequest, now time.Time) (Authorization, error)
}

var _ Gate = (*Engine)(nil)

// Authorize implements Gate.
func (e *Engine) Authorize(req AuthorizeRequest, now time.Time) (Authorization, error) {
	if err := checkIDs(req.Account, req.Device); err != nil {
		return Authorization{}, err
	}
	rule, err := e.policy.Lookup(req.Tx, req.Value)
	if errors.Is(err, ErrNotRequired) {
		return Authorization{Account: req.Account, Tx: req.Tx, Value: req.Value, PolicyVersion: e.policy.Version, EffectiveAt: now}, nil
	}
	if err != nil {
		return Authorization{}, err
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	var s *Session
	if req.SessionID != "" {
		s = e.sessions[req.SessionID]
		if s == nil {
			return Authorization{}, ErrSessionNotFound
		}
		if err := s.check(req, now); err != nil {
			return Authorization{}, err
		}
	} else {
		var reason error
		if a := e.accounts[req.Account]; a != nil {
			for _, id := range a.sessions {
				cand := e.sessions[id]
				err := cand.check(req, now)
				if err == nil {
					s = cand
					break
				}
				if cand.Tx == req.Tx {
					reason = err
				}
			}
		}
		if s == nil {
			r := rule
			r.AnyOf = cloneSets(rule.AnyOf)
			return Authorization{}, &StepUpRequiredError{Tx: req.Tx, Rule: r, Reason: reason}
		}
	}
	if s.SingleUse {
		s.Used = true
	}
	return Authorization{
		Account: req.Account, Tx: req.Tx, Value: req.Value, StepUp: true, SessionID: s.ID,
		Factors: append([]FactorType(nil), s.Factors...), PolicyVersion: s.PolicyVersion,
		EffectiveAt: now.Add(s.Cooldown),
	}, nil
}

// check applies the session rules in a fixed order so each refusal has its own error.
func (s *Session) check(req AuthorizeRequest, now time.Time) error {
	switch {
	case s.Account != req.Account:
		return ErrSessionWrongAcct
	case s.Tx != req.Tx:
		return ErrSessionWrongTx
	case s.Used:
		return ErrSessionUsed
	case !now.Before(s.ExpiresAt):
		return ErrSessionExpired
	case s.Device != "" && s.Device != req.Device:
		return ErrSessionWrongDevice
	case s.MaxValue != 0 && req.Value > s.MaxValue:
		return ErrSessionValue
	}
	return nil
}

// Session returns a copy of a session, used or not, while the engine still holds it.
func (e *Engine) Session(id string) (Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sessions[id]
	if s == nil {
		return Session{}, ErrSessionNotFound
	}
	return s.copy(), nil
}

// openSession turns a satisfied challenge into a session. Called with e.mu held.
func (e *Engine) openSession(c *Challenge, now time.Time) (*Session, error) {
	id, err := e.newID()
	if err != nil {
		return nil, err
	}
	s := &Session{
		ID: id, Account: c.Account, Tx: c.Tx, Device: c.Device, MaxValue: c.Rule.MaxValue,
		Factors: append([]FactorType(nil), c.Passed...), SingleUse: c.Rule.SingleUse(),
		OpenedAt: now, ExpiresAt: now.Add(c.Rule.SessionTTL()), Cooldown: c.Rule.Cooldown(),
		PolicyVersion: e.policy.Version,
	}
	a := e.account(c.Account)
	e.pruneSessions(a, now)
	e.sessions[id] = s
	a.sessions = append(a.sessions, id)
	return s, nil
}

// pruneSessions keeps an account under MaxSessionsPerAccount: dead sessions (used or expired) go
// first, then the oldest live ones.
func (e *Engine) pruneSessions(a *accountState, now time.Time) {
	if len(a.sessions) < MaxSessionsPerAccount {
		return
	}
	kept := a.sessions[:0]
	for _, id := range a.sessions {
		s := e.sessions[id]
		if s.Used || !now.Before(s.ExpiresAt) {
			delete(e.sessions, id)
			continue
		}
		kept = append(kept, id)
	}
	a.sessions = kept
	for len(a.sessions) >= MaxSessionsPerAccount {
		delete(e.sessions, a.sessions[0])
		a.sessions = a.sessions[1:]
	}
}
