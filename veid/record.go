package veid

import "time"

// Status is the state of an identity record (§3.5).
type Status string

// Record states.
const (
	StatusUnknown                 Status = "unknown"
	StatusPending                 Status = "pending"
	StatusInProgress              Status = "in_progress"
	StatusVerified                Status = "verified"
	StatusRejected                Status = "rejected"
	StatusExpired                 Status = "expired"
	StatusNeedsAdditionalFactor   Status = "needs_additional_factor"
	StatusAdditionalFactorPending Status = "additional_factor_pending"
)

// Statuses lists every state in a fixed order.
func Statuses() []Status {
	return []Status{StatusUnknown, StatusPending, StatusInProgress, StatusVerified, StatusRejected,
		StatusExpired, StatusNeedsAdditionalFactor, StatusAdditionalFactorPending}
}

// transitions is the explicit table of legal moves; everything else is illegal.
var transitions = map[Status][]Status{
	StatusUnknown:                 {StatusPending},
	StatusPending:                 {StatusInProgress, StatusRejected},
	StatusInProgress:              {StatusVerified, StatusRejected, StatusNeedsAdditionalFactor},
	StatusNeedsAdditionalFactor:   {StatusAdditionalFactorPending, StatusRejected},
	StatusAdditionalFactorPending: {StatusVerified, StatusRejected, StatusNeedsAdditionalFactor},
	StatusVerified:                {StatusExpired, StatusPending, StatusRejected},
	StatusRejected:                {StatusPending},
	StatusExpired:                 {StatusPending},
}

// CanTransition reports whether from → to is in the table.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// HistoryEntry is one transition of a record.
type HistoryEntry struct {
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	At     time.Time `json:"at"`
	Score  int       `json:"score"`
	Reason string    `json:"reason,omitempty"`
}

// Record is an account's identity record. Time is always passed in (block time in the node).
type Record struct {
	Account   string         `json:"account"`
	Status    Status         `json:"status"`
	Score     int            `json:"score"`
	Model     string         `json:"model,omitempty"`
	ExpiresAt time.Time      `json:"expires_at"`
	Locked    bool           `json:"locked"`
	History   []HistoryEntry `json:"history"`
}

// NewRecord returns a record in StatusUnknown.
func NewRecord(account string) *Record { return &Record{Account: account, Status: StatusUnknown} }

// Transition moves the record to `to`, or returns ErrIllegalTransition / ErrRecordLocked (wrapped).
// Moving to verified sets the expiry to now + RecordValidity. A rejected record may go back to
// pending only RejectionCooldown after the rejection (ErrCooldown).
func (r *Record) Transition(to Status, now time.Time, reason string) error {
	if r.Locked {
		return newErr("RECORD_LOCKED", ErrRecordLocked, "unlock the record first")
	}
	if !CanTransition(r.Status, to) {
		return newErr("ILLEGAL_TRANSITION", ErrIllegalTransition, "%s → %s", r.Status, to)
	}
	if until := r.cooldownUntil(); to == StatusPending && now.Before(until) {
		return newErr("COOLDOWN", ErrCooldown, "a new attempt is possible from %s", until.UTC().Format(time.RFC3339))
	}
	r.History = append(r.History, HistoryEntry{From: r.Status, To: to, At: now, Score: r.Score, Reason: reason})
	if len(r.History) > MaxHistory {
		r.History = r.History[len(r.History)-MaxHistory:]
	}
	r.Status = to
	if to == StatusVerified {
		r.ExpiresAt = now.Add(RecordValidity)
	}
	return nil
}

// ApplyResult records a consensus score on a record in progress (or awaiting an extra factor):
// verified when it passed, rejected otherwise.
func (r *Record) ApplyResult(res Result, now time.Time) error {
	to := StatusRejected
	if res.Passed {
		to = StatusVerified
	}
	if r.Locked {
		return newErr("RECORD_LOCKED", ErrRecordLocked, "unlock the record first")
	}
	if !CanTransition(r.Status, to) {
		return newErr("ILLEGAL_TRANSITION", ErrIllegalTransition, "%s → %s", r.Status, to)
	}
	r.Score, r.Model = res.Score, res.Model
	return r.Transition(to, now, "score "+res.Model)
}

// Refresh expires a verified record whose validity has passed. It reports whether it changed.
func (r *Record) Refresh(now time.Time) bool {
	if r.Status == StatusVerified && !now.Before(r.ExpiresAt) && !r.Locked {
		return r.Transition(StatusExpired, now, "validity elapsed") == nil
	}
	return false
}

// Tier returns the record's current tier.
func (r *Record) Tier(now time.Time) Tier {
	return TierFor(r.Score, r.Status == StatusVerified && now.Before(r.ExpiresAt))
}

// Lock freezes the record: every transition fails until Unlock.
func (r *Record) Lock() { r.Locked = true }

// Unlock lifts a Lock.
func (r *Record) Unlock() { r.Locked = false }
