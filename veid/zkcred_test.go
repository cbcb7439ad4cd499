package veid

import (
	"errors"
	"testing"
	"time"

	"github.com/virtengine/sdk/zk"
)

func TestIssueZKCredential(t *testing.T) {
	issuer, err := zk.GenerateIssuerKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	holder, _ := zk.GenerateHolderSecret(nil)
	tree := zk.NewRevocationTree()
	kinds := []ScopeKind{KindIDDocument, KindSelfie, KindEmail}
	h := ZKHolder{BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), Country: 840, Key: holder.PublicKey()}
	cred, err := IssueZKCredential(issuer, tree, testResult(t), kinds, h, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cred.Verify(); err != nil {
		t.Fatal(err)
	}
	a := cred.Attributes
	if a.Score != 75 || a.Tier != 2 || a.Flags != zk.FlagDocument|zk.FlagBiometric|zk.FlagEmail ||
		a.BirthDate != zk.Day(1990, 5, 17) || a.ExpiresAt != zk.DayOf(t0)+30 || a.HolderKey != holder.PublicKey() {
		t.Fatalf("%+v", a)
	}
	// A second credential gets another revocation slot.
	cred2, _ := IssueZKCredential(issuer, tree, testResult(t), kinds, h, t0, nil)
	if cred2.Attributes.RevocationIndex == a.RevocationIndex {
		t.Fatal("slot reused")
	}
	// Reject twin: a failed verification gets nothing.
	failed, _ := Score(Features{})
	if _, err := IssueZKCredential(issuer, tree, failed, kinds, h, t0, nil); !errors.Is(err, ErrNotPassed) {
		t.Fatal(err)
	}
	// Out-of-range facts are refused by zk.
	h.Country = 0
	if _, err := IssueZKCredential(issuer, nil, testResult(t), kinds, h, t0, nil); !errors.Is(err, zk.ErrInvalidAttribute) {
		t.Fatal(err)
	}
}
