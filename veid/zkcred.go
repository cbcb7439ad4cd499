package veid

import (
	"io"
	"time"

	"github.com/virtengine/sdk/zk"
)

// ZKHolder is what the zero-knowledge credential needs about the person: facts read from the
// verified document (birth date, country) and the wallet's holder key.
type ZKHolder struct {
	BirthDate time.Time
	Country   uint16    // ISO 3166-1 numeric
	Key       zk.Scalar // zk.HolderSecret.PublicKey() of the wallet
}

// ZKFlags maps verified scope kinds to the credential's verification flags.
func ZKFlags(kinds []ScopeKind) uint8 {
	var f uint8
	for _, k := range kinds {
		switch k {
		case KindEmail:
			f |= zk.FlagEmail
		case KindSMS:
			f |= zk.FlagSMS
		case KindDomain:
			f |= zk.FlagDomain
		case KindSelfie, KindFaceVideo, KindBiometricHardware:
			f |= zk.FlagBiometric
		case KindIDDocument:
			f |= zk.FlagDocument
		}
	}
	return f
}

// IssueZKCredential issues the zk credential of FEATURES.md §2 after a passed verification (§3.8):
// score, tier, flags from the verified kinds, validity from ValidityFor, and a fresh slot in the
// issuer's revocation tree when tree is not nil. It refuses a result that did not pass
// (ErrNotPassed) and a score outside 0..100 (ErrScoreRange).
func IssueZKCredential(issuer *zk.IssuerPrivateKey, tree *zk.RevocationTree, res Result, kinds []ScopeKind,
	h ZKHolder, now time.Time, rand io.Reader) (*zk.Credential, error) {
	if !res.Passed {
		return nil, newErr("NOT_PASSED", ErrNotPassed, "score %d with %v", res.Score, res.Reasons)
	}
	if res.Score < 0 || res.Score > 100 { // the credential holds it in a byte: never cut it to fit
		return nil, newErr("SCORE_RANGE", ErrScoreRange, "result score %d", res.Score)
	}
	attrs := zk.Attributes{
		BirthDate: zk.DayOf(h.BirthDate),
		Country:   h.Country,
		Score:     uint8(res.Score),
		Tier:      uint8(TierFor(res.Score, true)),
		Flags:     ZKFlags(kinds),
		IssuedAt:  zk.DayOf(now),
		ExpiresAt: zk.DayOf(now.Add(ValidityFor(kinds))),
		HolderKey: h.Key,
	}
	if tree != nil {
		idx, err := tree.Allocate()
		if err != nil {
			return nil, err
		}
		attrs.RevocationIndex = idx
	}
	return zk.Issue(issuer, attrs, rand)
}
