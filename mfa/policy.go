package mfa

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// TxType names a sensitive transaction type that the policy gates (FEATURES.md §4.3).
type TxType string

// The transaction types of the default policy.
const (
	TxAccountRecovery       TxType = "account_recovery"
	TxKeyRotation           TxType = "key_rotation"
	TxAccountDeletion       TxType = "account_deletion"
	TxDisableFactor         TxType = "disable_factor"
	TxProviderRegistration  TxType = "provider_registration"
	TxValidatorRegistration TxType = "validator_registration"
	TxRoleAssignment        TxType = "role_assignment"
	TxWithdrawal            TxType = "withdrawal"
	TxOrder                 TxType = "order"
	TxTransferNewAddress    TxType = "transfer_new_address"
	TxAPIKeyCreation        TxType = "api_key_creation"
	TxGovernanceProposal    TxType = "governance_proposal"
	TxGovernanceVote        TxType = "governance_vote"
)

// Rule is one row of the policy table: for transactions of type Tx whose value lies in
// [MinValue, MaxValue] (MaxValue 0 = no upper bound), the account needs an identity score of at least
// MinScore and must pass every factor of at least one set in AnyOf (an OR of ANDs).
//
// A passed challenge opens a session of SessionSeconds (0 = single use, dying on its first use).
// CooldownSeconds delays the effect of an authorized transaction: Authorization.EffectiveAt is the
// time of use plus the cooldown, and the node holds the transaction until then so the owner can
// cancel it (account deletion: 48 h).
//
// Rules cross consensus: integers only, no floats, no maps.
type Rule struct {
	Tx              TxType      `json:"tx"`
	Name            string      `json:"name"`
	MinValue        uint64      `json:"min_value"`
	MaxValue        uint64      `json:"max_value"`
	MinScore        uint8       `json:"min_score"`
	AnyOf           []FactorSet `json:"any_of"`
	SessionSeconds  uint32      `json:"session_seconds"`
	CooldownSeconds uint32      `json:"cooldown_seconds"`
}

// SingleUse reports whether sessions opened under r die on first use.
func (r Rule) SingleUse() bool { return r.SessionSeconds == 0 }

// SessionTTL is how long a session opened under r lives.
func (r Rule) SessionTTL() time.Duration {
	if r.SingleUse() {
		return SingleUseSessionTTL
	}
	return time.Duration(r.SessionSeconds) * time.Second
}

// Cooldown is the delay between authorization and effect.
func (r Rule) Cooldown() time.Duration { return time.Duration(r.CooldownSeconds) * time.Second }

func (r Rule) covers(value uint64) bool {
	return value >= r.MinValue && (r.MaxValue == 0 || value <= r.MaxValue)
}

// SatisfiedBy reports whether the passed factors meet the rule; a trusted device lowers every set by
// one factor, never below one.
func (r Rule) SatisfiedBy(passed []FactorType, trustedDevice bool) bool {
	for _, set := range r.AnyOf {
		if set.satisfiedBy(passed, trustedDevice) {
			return true
		}
	}
	return false
}

// counts reports whether factor f appears in any set of r, so a challenge can refuse a factor that
// cannot help.
func (r Rule) counts(f FactorType) bool {
	for _, set := range r.AnyOf {
		if containsFactor(set, f) {
			return true
		}
	}
	return false
}

// Policy is a versioned table of rules. The node pins Version and Hash in its parameters so every
// validator gates with the same table.
type Policy struct {
	Version string `json:"version"`
	Rules   []Rule `json:"rules"`
}

// Validate checks the table: known transaction and factor types, scores within 0–100, non-empty factor
// sets, no duplicated factor inside a set, and value ranges of one transaction type that do not
// overlap.
func (p *Policy) Validate() error {
	if p == nil || p.Version == "" {
		return fmt.Errorf("%w: missing version", ErrInvalidPolicy)
	}
	if len(p.Rules) == 0 {
		return fmt.Errorf("%w: no rules", ErrInvalidPolicy)
	}
	for i, r := range p.Rules {
		if r.Tx == "" {
			return fmt.Errorf("%w: rule %d has no transaction type", ErrInvalidPolicy, i)
		}
		if r.MinScore > MaxScore {
			return fmt.Errorf("%w: rule %d (%s) min score %d > %d", ErrInvalidPolicy, i, r.Tx, r.MinScore, MaxScore)
		}
		if r.MaxValue != 0 && r.MaxValue < r.MinValue {
			return fmt.Errorf("%w: rule %d (%s) value range [%d, %d] is empty", ErrInvalidPolicy, i, r.Tx, r.MinValue, r.MaxValue)
		}
		if len(r.AnyOf) == 0 {
			return fmt.Errorf("%w: rule %d (%s) has no factor set", ErrInvalidPolicy, i, r.Tx)
		}
		for _, set := range r.AnyOf {
			if len(set) == 0 {
				return fmt.Errorf("%w: rule %d (%s) has an empty factor set", ErrInvalidPolicy, i, r.Tx)
			}
			for k, f := range set {
				if !f.Valid() {
					return fmt.Errorf("%w: rule %d (%s): %w %q", ErrInvalidPolicy, i, r.Tx, ErrUnknownFactor, f)
				}
				if containsFactor(set[:k], f) {
					return fmt.Errorf("%w: rule %d (%s) lists %s twice in one set", ErrInvalidPolicy, i, r.Tx, f)
				}
			}
		}
		for j := 0; j < i; j++ {
			q := p.Rules[j]
			if q.Tx == r.Tx && rangesOverlap(q, r) {
				return fmt.Errorf("%w: rules %d and %d (%s) overlap in value", ErrInvalidPolicy, j, i, r.Tx)
			}
		}
	}
	return nil
}

func rangesOverlap(a, b Rule) bool {
	aHi, bHi := a.MaxValue, b.MaxValue
	if aHi == 0 {
		aHi = ^uint64(0)
	}
	if bHi == 0 {
		bHi = ^uint64(0)
	}
	return a.MinValue <= bHi && b.MinValue <= aHi
}

// Lookup finds the rule for a transaction of type tx and value. It returns ErrUnknownTx when the
// table has no rule for tx at all, and ErrNotRequired when tx is known but value lies outside every
// range (a small withdrawal needs no step-up).
func (p *Policy) Lookup(tx TxType, value uint64) (Rule, error) {
	known := false
	for _, r := range p.Rules {
		if r.Tx != tx {
			continue
		}
		known = true
		if r.covers(value) {
			return r, nil
		}
	}
	if !known {
		return Rule{}, fmt.Errorf("%w: %q", ErrUnknownTx, tx)
	}
	return Rule{}, ErrNotRequired
}

// TxTypes lists the transaction types of the table in first-appearance order.
func (p *Policy) TxTypes() []TxType {
	var out []TxType
	for _, r := range p.Rules {
		seen := false
		for _, t := range out {
			if t == r.Tx {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, r.Tx)
		}
	}
	return out
}

// Hash is the hex SHA-256 of the policy's canonical JSON (fields in declaration order, rules in table
// order), so nodes can pin the exact table.
func (p *Policy) Hash() string {
	b, err := json.Marshal(p)
	if err != nil { // a Policy holds only strings and integers; Marshal cannot fail
		panic("mfa: marshal policy: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Clone returns a deep copy, so a caller may edit a table without touching the default.
func (p *Policy) Clone() *Policy {
	q := &Policy{Version: p.Version, Rules: make([]Rule, len(p.Rules))}
	for i, r := range p.Rules {
		r.AnyOf = cloneSets(r.AnyOf)
		q.Rules[i] = r
	}
	return q
}

func cloneSets(sets []FactorSet) []FactorSet {
	out := make([]FactorSet, len(sets))
	for i, s := range sets {
		out[i] = append(FactorSet(nil), s...)
	}
	return out
}
