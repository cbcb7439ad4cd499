package market

import (
	"fmt"
	"sort"
)

// Identity is what the identity network knows about an account: its consensus score (0–100), its
// tier, and the scopes it has verified (e.g. "email", "document", "biometric").
type Identity struct {
	Score  uint32
	Tier   uint8
	Scopes []string
}

// IdentitySource gives the current identity of an account. The node implements it over the veid
// module's state. An unknown account is not an error: it returns the zero Identity. Errors are
// reserved for failures to read and abort the operation.
type IdentitySource interface {
	Identity(account string) (Identity, error)
}

// StepUpChecker says whether an account holds an MFA step-up session valid at now for an action
// (ActionCreateOrder, ActionAcceptBid, …). The node implements it over the mfa module's state.
type StepUpChecker interface {
	HasStepUp(account, action string, now int64) (bool, error)
}

// Actions a StepUpChecker is asked about.
const (
	ActionCreateOrder = "market.create_order"
	ActionAcceptBid   = "market.accept_bid"
)

// Requirements gate who may order: a minimum score and tier, verified scopes, and an MFA step-up.
// The zero value admits everyone.
type Requirements struct {
	MinScore uint32   `json:"min_score,omitempty"`
	MinTier  uint8    `json:"min_tier,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
	MFA      bool     `json:"mfa,omitempty"`
}

func (r Requirements) validate() error {
	if r.MinScore > MaxScore {
		return invalidf("minimum score %d exceeds %d", r.MinScore, MaxScore)
	}
	if len(r.Scopes) > MaxScopes {
		return invalidf("%d scopes exceed %d", len(r.Scopes), MaxScopes)
	}
	return nil
}

// merge returns the stricter of two requirement sets.
func (r Requirements) merge(o Requirements) Requirements {
	out := Requirements{MinScore: max(r.MinScore, o.MinScore), MinTier: max(r.MinTier, o.MinTier), MFA: r.MFA || o.MFA}
	out.Scopes = append(append([]string(nil), r.Scopes...), o.Scopes...)
	sort.Strings(out.Scopes)
	return out
}

// What a refused account does next, named by the commands that do it (a GateError's HowTo).
const (
	HowToVerifyIdentity = "verify more identity scopes to raise the score and tier " +
		"(on a node: `virtengine tx submit-evidence --from NAME`, scored by the validators; " +
		"with the local state file: `virtengine market identity ACCOUNT --score N --tier N --scopes a,b`), then try again"
	HowToStepUp = "complete an MFA step-up for this action " +
		"(on a node: register a factor once with `virtengine tx register-factor`, then sign with `--factor ID=KEYNAME`; " +
		"with the local state file: `virtengine market identity ACCOUNT --mfa 30m`), then retry within the session's lifetime"
)

// checkGate refuses account unless it meets req; the *GateError lists every unmet requirement.
func (m *Market) checkGate(account string, req Requirements, action string, now int64) error {
	if req.MinScore > 0 || req.MinTier > 0 || len(req.Scopes) > 0 {
		if m.cfg.Identities == nil {
			return &GateError{Account: account, Unmet: []string{"an identity source"}, Err: ErrIdentityRequired,
				HowTo: "this market has no identity source configured; the operator must set Config.Identities"}
		}
		id, err := m.cfg.Identities.Identity(account)
		if err != nil {
			return fmt.Errorf("market: reading the identity of %s: %w", account, err)
		}
		var unmet []string
		if id.Score < req.MinScore {
			unmet = append(unmet, fmt.Sprintf("score %d (have %d)", req.MinScore, id.Score))
		}
		if id.Tier < req.MinTier {
			unmet = append(unmet, fmt.Sprintf("tier %d (have %d)", req.MinTier, id.Tier))
		}
		have := map[string]bool{}
		for _, s := range id.Scopes {
			have[s] = true
		}
		for _, s := range req.Scopes { // req.Scopes order: deterministic message
			if !have[s] {
				unmet = append(unmet, "verified scope "+s)
			}
		}
		if len(unmet) > 0 {
			return &GateError{Account: account, Unmet: unmet, Err: ErrIdentityRequired,
				HowTo: HowToVerifyIdentity}
		}
	}
	if req.MFA {
		if m.cfg.MFA == nil {
			return &GateError{Account: account, Unmet: []string{"an MFA session"}, Err: ErrMFARequired,
				HowTo: "this market has no MFA checker configured; the operator must set Config.MFA"}
		}
		ok, err := m.cfg.MFA.HasStepUp(account, action, now)
		if err != nil {
			return fmt.Errorf("market: checking the MFA session of %s: %w", account, err)
		}
		if !ok {
			return &GateError{Account: account, Unmet: []string{"an MFA step-up session for " + action}, Err: ErrMFARequired,
				HowTo: HowToStepUp}
		}
	}
	return nil
}
