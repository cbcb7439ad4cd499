package veid

import (
	"fmt"
	"slices"
	"strings"
)

// Tier is the identity tier derived from a score (§3.4).
type Tier int

// Tiers: 0 below 50 or not verified, 1 Basic 50–69, 2 Standard 70–84, 3 Premium ≥ 85.
const (
	TierNone     Tier = 0
	TierBasic    Tier = 1
	TierStandard Tier = 2
	TierPremium  Tier = 3
)

func (t Tier) String() string {
	switch t {
	case TierBasic:
		return "basic"
	case TierStandard:
		return "standard"
	case TierPremium:
		return "premium"
	}
	return "none"
}

// TierFor returns the tier of a score; an unverified identity is TierNone whatever its score.
func TierFor(score int, verified bool) Tier {
	switch {
	case !verified || score < 50:
		return TierNone
	case score < 70:
		return TierBasic
	case score < 85:
		return TierStandard
	}
	return TierPremium
}

// Use is what an identity is required for.
type Use string

// Uses of §3.4.
const (
	UseBasic     Use = "basic"
	UseStandard  Use = "standard"
	UsePremium   Use = "premium"
	UseProvider  Use = "provider"
	UseValidator Use = "validator"
)

// Requirement is what a use demands.
type Requirement struct {
	Use      Use         `json:"use"`
	MinScore int         `json:"min_score"`
	Scopes   []ScopeKind `json:"scopes"`
	MFA      bool        `json:"mfa"`
}

// Requirements returns the default table of §3.4.
func Requirements() []Requirement {
	basic := []ScopeKind{KindIDDocument, KindSelfie}
	return []Requirement{
		{UseBasic, 50, basic, false},
		{UseStandard, 70, append(slices.Clone(basic), KindEmail), false},
		{UsePremium, 85, append(slices.Clone(basic), KindEmail, KindFaceVideo), true},
		{UseProvider, 70, append(slices.Clone(basic), KindDomain), true},
		{UseValidator, 85, append(slices.Clone(basic), KindFaceVideo, KindDomain), true},
	}
}

// RequirementFor returns the default requirement of a use.
func RequirementFor(u Use) (Requirement, bool) {
	for _, r := range Requirements() {
		if r.Use == u {
			return r, true
		}
	}
	return Requirement{}, false
}

// Standing is what is known about an identity when a requirement is checked.
type Standing struct {
	Score    int
	Verified bool
	Scopes   []ScopeKind // verified, consented scope kinds
	MFA      bool        // an MFA factor is enrolled and was passed
}

// RequirementError says exactly what is missing; it unwraps to ErrRequirement.
type RequirementError struct {
	Use        Use
	ScoreShort int // points missing to MinScore (0 if enough)
	Missing    []ScopeKind
	NeedMFA    bool
	Unverified bool
}

func (e *RequirementError) Error() string {
	var parts []string
	if e.Unverified {
		parts = append(parts, "complete identity verification")
	}
	if e.ScoreShort > 0 {
		parts = append(parts, fmt.Sprintf("raise the identity score by %d", e.ScoreShort))
	}
	for _, k := range e.Missing {
		parts = append(parts, "verify a "+string(k)+" scope")
	}
	if e.NeedMFA {
		parts = append(parts, "enrol and pass an MFA factor")
	}
	return fmt.Sprintf("veid: %s use needs more: %s", e.Use, strings.Join(parts, "; "))
}

// Unwrap returns ErrRequirement.
func (e *RequirementError) Unwrap() error { return ErrRequirement }

// Check returns nil when s meets r, otherwise a *RequirementError listing what to do.
func (r Requirement) Check(s Standing) error {
	e := &RequirementError{Use: r.Use, Unverified: !s.Verified, NeedMFA: r.MFA && !s.MFA}
	if s.Score < r.MinScore {
		e.ScoreShort = r.MinScore - s.Score
	}
	for _, k := range r.Scopes {
		if !slices.Contains(s.Scopes, k) {
			e.Missing = append(e.Missing, k)
		}
	}
	if e.Unverified || e.ScoreShort > 0 || len(e.Missing) > 0 || e.NeedMFA {
		return e
	}
	return nil
}
