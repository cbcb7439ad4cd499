package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virtengine/sdk/mfa"
)

// runMFA runs a fresh mfa command tree (cobra keeps flag values between runs of one tree) with
// args after "mfa" and returns stdout. A "--json" argument sets the global jsonOut for the run.
func runMFA(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var rest []string
	for _, a := range args {
		if a == "--json" {
			jsonOut = true
			continue
		}
		rest = append(rest, a)
	}
	defer func() { jsonOut = false }()
	var out bytes.Buffer
	c := newMFACmd()
	c.SetOut(&out)
	c.SetArgs(rest[1:]) // drop "mfa"
	c.SilenceUsage, c.SilenceErrors = true, true
	err := c.Execute()
	return out.String(), err
}

func TestMFATOTPCommands(t *testing.T) {
	// RFC 6238 Appendix B, SHA-1 at T = 59: 94287082.
	out, err := runMFA(t, "mfa", "totp", "code", "--json", "--secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "--digits", "8", "--time", "59")
	if err != nil {
		t.Fatal(err)
	}
	var code struct{ Code string }
	json.Unmarshal([]byte(out), &code)
	if code.Code != "94287082" {
		t.Fatalf("code %q", out)
	}
	out, err = runMFA(t, "mfa", "totp", "enroll", "--json", "--account", "alice", "--algorithm", "sha256", "--digits", "7")
	if err != nil {
		t.Fatal(err)
	}
	var enr struct{ URI string }
	json.Unmarshal([]byte(out), &enr)
	k, err := mfa.ParseURI(enr.URI)
	if err != nil || k.Algorithm != mfa.SHA256 || k.Digits != 7 {
		t.Fatalf("enroll printed %q: %v", enr.URI, err)
	}
	c, _ := k.Code(timeUnix(1_700_000_000))
	if _, err := runMFA(t, "mfa", "totp", "verify", "--uri", enr.URI, "--code", c, "--time", "1700000000"); err != nil {
		t.Fatalf("verify valid code: %v", err)
	}
	bad := []byte(c)
	bad[0] = '0' + (bad[0]-'0'+1)%10
	_, err = runMFA(t, "mfa", "totp", "verify", "--uri", enr.URI, "--code", string(bad), "--time", "1700000000")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !errors.Is(err, mfa.ErrWrongCode) {
		t.Fatalf("verify wrong code: %v", err)
	}
	if _, err := runMFA(t, "mfa", "totp", "code"); err == nil {
		t.Fatal("code without a key succeeded")
	}
	// Reject twins of enroll and verify: out-of-range parameters, a missing account or code, and a
	// malformed URI, whose error does not quote the secret it carries.
	for _, args := range [][]string{
		{"mfa", "totp", "enroll", "--account", "alice", "--digits", "9"},
		{"mfa", "totp", "enroll", "--account", "alice", "--algorithm", "md5"},
		{"mfa", "totp", "enroll"},
	} {
		if _, err := runMFA(t, args...); !errors.Is(err, mfa.ErrInvalidInput) {
			t.Errorf("%v: %v", args[2:], err)
		}
	}
	if _, err := runMFA(t, "mfa", "totp", "verify", "--uri", enr.URI, "--time", "1700000000"); err == nil {
		t.Error("verify without --code succeeded")
	}
	const secret = "JBSWY3DPEHPK3PXP"
	_, err = runMFA(t, "mfa", "totp", "verify", "--uri", "otpauth://totp:0secret="+secret, "--code", "123456")
	if !errors.Is(err, mfa.ErrMalformedURI) || strings.Contains(err.Error(), secret) {
		t.Errorf("malformed URI: %v", err)
	}
}

func TestMFAPolicyShowJSON(t *testing.T) {
	out, err := runMFA(t, "mfa", "policy", "show", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		mfa.Policy
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if p.Version != mfa.DefaultPolicyVersion || p.Hash != mfa.DefaultPolicy().Hash() || len(p.Rules) != len(mfa.DefaultPolicy().Rules) {
		t.Fatalf("policy show: %s", out)
	}
	// The rows are the golden table of package mfa (FEATURES.md §4.3), byte for byte once the hash
	// is set aside.
	golden, err := os.ReadFile(filepath.Join("..", "..", "mfa", "testdata", "default_policy.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(&p.Policy, "", "  ")
	if string(got)+"\n" != string(golden) {
		t.Fatalf("policy show --json differs from mfa/testdata/default_policy.golden.json:\n%s", got)
	}
	// Recovery is the spec's row: VEID + FIDO2 + (SMS or email), single use; backup codes are in no
	// default rule.
	r := p.Rules[0]
	if r.Tx != mfa.TxAccountRecovery || r.MinScore != 50 || !r.SingleUse() || len(r.AnyOf) != 2 ||
		r.AnyOf[0].String() != "veid + fido2 + sms" || r.AnyOf[1].String() != "veid + fido2 + email" {
		t.Fatalf("recovery row %+v", r)
	}
	if strings.Contains(out, string(mfa.FactorBackupCode)) {
		t.Fatalf("backup codes in the default policy: %s", out)
	}
	// The reject twin: a changed row no longer matches the published hash.
	changed := mfa.DefaultPolicy()
	changed.Rules[0].AnyOf = append(changed.Rules[0].AnyOf, mfa.FactorSet{mfa.FactorVEID, mfa.FactorBackupCode})
	if changed.Hash() == p.Hash {
		t.Fatal("hash ignores a changed recovery row")
	}
}

func timeUnix(s int64) time.Time { return time.Unix(s, 0) }

// TestMFATOTPEnrollsThroughRegistry: the CLI enrolls keys through an mfa.Registry, so its store
// takes no key any other way, and a key the registry refuses is refused by the CLI.
func TestMFATOTPEnrollsThroughRegistry(t *testing.T) {
	k, err := mfa.GenerateTOTP("VirtEngine", "alice", mfa.SHA1, 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := timeUnix(1_700_000_000)
	store, err := enrollTOTP(k, now)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := k.Code(now)
	if err := store.Verify(cliAccount, []byte(code), now); err != nil {
		t.Fatalf("enrolled key: %v", err)
	}
	if err := store.Enroll("mallory", k); !errors.Is(err, mfa.ErrInvalidInput) {
		t.Fatalf("direct enrollment in the registry's store: %v", err)
	}
	bad := *k
	bad.Digits = 9
	if _, err := enrollTOTP(&bad, now); !errors.Is(err, mfa.ErrInvalidInput) {
		t.Fatalf("9-digit key: %v", err)
	}
}
