package veid

import "time"

// Policies of FEATURES.md §3.10: a borderline band that needs one more factor, a cooldown after a
// rejection, and score decay. All integer arithmetic with time passed in.

const (
	// BorderlineLow and BorderlineHigh bound the band [85, 90) in which a passing score needs one
	// more MFA factor before the record is verified.
	BorderlineLow  = 85
	BorderlineHigh = 90
	// RejectionCooldown is how long a rejected record waits before a new attempt (rejected → pending).
	RejectionCooldown = 24 * time.Hour
	// DecayGrace is how long a score keeps its full value; after it the score loses one point per
	// DecayEvery, down to 0.
	DecayGrace = 180 * 24 * time.Hour
	DecayEvery = 30 * 24 * time.Hour
)

// Borderline reports whether score is in [BorderlineLow, BorderlineHigh).
func Borderline(score int) bool { return score >= BorderlineLow && score < BorderlineHigh }

// ApplyResultWithFactor is ApplyResult with the borderline rule: a passed score in the borderline
// band moves the record to needs_additional_factor unless extraFactor says the person already passed
// one more MFA factor. Finish with Transition(additional_factor_pending) and, once the factor is
// passed, ApplyResultWithFactor(res, now, true).
func (r *Record) ApplyResultWithFactor(res Result, now time.Time, extraFactor bool) error {
	if res.Passed && Borderline(res.Score) && !extraFactor {
		if r.Locked {
			return newErr("RECORD_LOCKED", ErrRecordLocked, "unlock the record first")
		}
		if !CanTransition(r.Status, StatusNeedsAdditionalFactor) {
			return newErr("ILLEGAL_TRANSITION", ErrIllegalTransition, "%s → %s", r.Status, StatusNeedsAdditionalFactor)
		}
		r.Score, r.Model = res.Score, res.Model
		return r.Transition(StatusNeedsAdditionalFactor, now, "borderline score: one more MFA factor needed")
	}
	return r.ApplyResult(res, now)
}

// cooldownUntil returns when a rejected record may go back to pending (zero if not rejected).
func (r *Record) cooldownUntil() time.Time {
	if r.Status != StatusRejected || len(r.History) == 0 {
		return time.Time{}
	}
	return r.History[len(r.History)-1].At.Add(RejectionCooldown)
}

// Decay returns score after decay: full for DecayGrace after verifiedAt, then one point less per
// DecayEvery elapsed, never below 0.
func Decay(score int, verifiedAt, now time.Time) int {
	age := now.Sub(verifiedAt)
	if age <= DecayGrace {
		return score
	}
	lost := int((age - DecayGrace) / DecayEvery)
	return max(0, score-lost)
}
