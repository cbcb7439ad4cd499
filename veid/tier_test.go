package veid

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestTierBoundaries(t *testing.T) {
	cases := []struct {
		score int
		want  Tier
	}{{0, TierNone}, {49, TierNone}, {50, TierBasic}, {69, TierBasic}, {70, TierStandard}, {84, TierStandard}, {85, TierPremium}, {100, TierPremium}}
	for _, c := range cases {
		if got := TierFor(c.score, true); got != c.want {
			t.Errorf("score %d: tier %v, want %v", c.score, got, c.want)
		}
		if got := TierFor(c.score, false); got != TierNone {
			t.Errorf("unverified score %d: tier %v", c.score, got)
		}
	}
}

func TestRequirements(t *testing.T) {
	all := []ScopeKind{KindIDDocument, KindSelfie, KindEmail, KindFaceVideo, KindDomain}
	for _, r := range Requirements() {
		ok := Standing{Score: r.MinScore, Verified: true, Scopes: all, MFA: true}
		if err := r.Check(ok); err != nil {
			t.Errorf("%s: %v", r.Use, err)
		}
		// Reject twins: one point short, a scope missing, MFA missing, unverified.
		short := ok
		short.Score--
		var re *RequirementError
		if err := r.Check(short); !errors.As(err, &re) || re.ScoreShort != 1 || !errors.Is(err, ErrRequirement) {
			t.Errorf("%s short: %v", r.Use, err)
		}
		for _, k := range r.Scopes {
			miss := ok
			miss.Scopes = slices.DeleteFunc(slices.Clone(all), func(x ScopeKind) bool { return x == k })
			if err := r.Check(miss); !errors.As(err, &re) || !slices.Equal(re.Missing, []ScopeKind{k}) || !strings.Contains(err.Error(), string(k)) {
				t.Errorf("%s missing %s: %v", r.Use, k, err)
			}
		}
		if r.MFA {
			noMFA := ok
			noMFA.MFA = false
			if err := r.Check(noMFA); !errors.As(err, &re) || !re.NeedMFA {
				t.Errorf("%s without MFA: %v", r.Use, err)
			}
		}
		unv := ok
		unv.Verified = false
		if err := r.Check(unv); !errors.As(err, &re) || !re.Unverified {
			t.Errorf("%s unverified: %v", r.Use, err)
		}
	}
	p, _ := RequirementFor(UseProvider)
	if p.MinScore != 70 || !p.MFA || !slices.Equal(p.Scopes, []ScopeKind{KindIDDocument, KindSelfie, KindDomain}) {
		t.Fatalf("provider requirement %+v", p)
	}
	v, _ := RequirementFor(UseValidator)
	if v.MinScore != 85 || !slices.Equal(v.Scopes, []ScopeKind{KindIDDocument, KindSelfie, KindFaceVideo, KindDomain}) {
		t.Fatalf("validator requirement %+v", v)
	}
	if _, ok := RequirementFor("nope"); ok {
		t.Fatal("unknown use found")
	}
}
