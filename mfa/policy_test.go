package mfa

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestDefaultPolicyGolden pins the default table byte for byte: any change to a row shows in review
// and must come with a new DefaultPolicyVersion.
func TestDefaultPolicyGolden(t *testing.T) {
	got, err := json.MarshalIndent(DefaultPolicy(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "default_policy.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -run Golden -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("default policy changed; if intended, bump DefaultPolicyVersion and run go test -run Golden -update\ngot:\n%s", got)
	}
	var back Policy
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	if back.Hash() != DefaultPolicy().Hash() {
		t.Fatal("golden JSON does not round-trip to the same policy hash")
	}
}

// TestDefaultPolicyTable checks the table of FEATURES.md §4.3 row by row, through Lookup, the way
// callers see it.
func TestDefaultPolicyTable(t *testing.T) {
	p := DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	V, F, T, S, E := FactorVEID, FactorFIDO2, FactorTOTP, FactorSMS, FactorEmail
	rows := []struct {
		tx       TxType
		value    uint64
		minScore uint8
		anyOf    []FactorSet
		session  uint32
		cooldown uint32
	}{
		{TxAccountRecovery, 0, 50, []FactorSet{{V, F, S}, {V, F, E}}, 0, 0},
		{TxKeyRotation, 0, 50, []FactorSet{{V, F}}, 0, 0},
		{TxAccountDeletion, 0, 50, []FactorSet{{V, F, S}, {V, F, E}}, 0, 48 * 3600},
		{TxDisableFactor, 0, 50, []FactorSet{{V, F, T}}, 0, 0},
		{TxProviderRegistration, 0, 70, []FactorSet{{V, F}}, 900, 0},
		{TxValidatorRegistration, 0, 85, []FactorSet{{V, F}}, 0, 0},
		{TxRoleAssignment, 0, 85, []FactorSet{{V, F}}, 0, 0},
		{TxWithdrawal, 10_001, 70, []FactorSet{{V, F}}, 900, 0},
		{TxWithdrawal, 1 << 62, 70, []FactorSet{{V, F}}, 900, 0},
		{TxWithdrawal, 10_000, 50, []FactorSet{{F}, {T}}, 900, 0},
		{TxWithdrawal, 1_000, 50, []FactorSet{{F}, {T}}, 900, 0},
		{TxOrder, 1_001, 70, []FactorSet{{V, F}}, 1800, 0},
		{TxTransferNewAddress, 0, 50, []FactorSet{{F}, {T}}, 900, 0},
		{TxAPIKeyCreation, 0, 50, []FactorSet{{F}, {T}}, 900, 0},
		{TxGovernanceProposal, 0, 70, []FactorSet{{V, F}}, 900, 0},
		{TxGovernanceVote, 0, 70, []FactorSet{{F}, {T}}, 1800, 0},
	}
	for _, row := range rows {
		r, err := p.Lookup(row.tx, row.value)
		if err != nil {
			t.Fatalf("%s %d: %v", row.tx, row.value, err)
		}
		if r.MinScore != row.minScore || r.SessionSeconds != row.session || r.CooldownSeconds != row.cooldown ||
			!slices.EqualFunc(r.AnyOf, row.anyOf, func(a, b FactorSet) bool { return slices.Equal(a, b) }) {
			t.Errorf("%s %d: got %+v", row.tx, row.value, r)
		}
	}
	// Below the thresholds no step-up is needed.
	for _, c := range []struct {
		tx    TxType
		value uint64
	}{{TxWithdrawal, 999}, {TxWithdrawal, 0}, {TxOrder, 1_000}, {TxOrder, 0}} {
		if _, err := p.Lookup(c.tx, c.value); !errors.Is(err, ErrNotRequired) {
			t.Errorf("%s %d: want ErrNotRequired, got %v", c.tx, c.value, err)
		}
	}
	if _, err := p.Lookup("mint_money", 0); !errors.Is(err, ErrUnknownTx) {
		t.Errorf("unknown tx: got %v", err)
	}
	if got := len(p.TxTypes()); got != 13 {
		t.Errorf("want the 13 transaction types of §4.3, got %d", got)
	}
}

func TestPolicyValidateRejects(t *testing.T) {
	base := DefaultPolicy()
	cases := map[string]func(p *Policy){
		"no version":      func(p *Policy) { p.Version = "" },
		"no rules":        func(p *Policy) { p.Rules = nil },
		"score above 100": func(p *Policy) { p.Rules[0].MinScore = 101 },
		"empty set":       func(p *Policy) { p.Rules[0].AnyOf = []FactorSet{{}} },
		"no sets":         func(p *Policy) { p.Rules[0].AnyOf = nil },
		"unknown factor":  func(p *Policy) { p.Rules[0].AnyOf = []FactorSet{{"carrier_pigeon"}} },
		"duplicate":       func(p *Policy) { p.Rules[0].AnyOf = []FactorSet{{FactorFIDO2, FactorFIDO2}} },
		"empty range":     func(p *Policy) { p.Rules[0].MinValue, p.Rules[0].MaxValue = 10, 5 },
		"no tx":           func(p *Policy) { p.Rules[0].Tx = "" },
		"overlap": func(p *Policy) {
			p.Rules = append(p.Rules, Rule{Tx: TxWithdrawal, MinValue: 5_000, MaxValue: 6_000, AnyOf: []FactorSet{{FactorTOTP}}})
		},
	}
	for name, mutate := range cases {
		p := base.Clone()
		mutate(p)
		if err := p.Validate(); !errors.Is(err, ErrInvalidPolicy) {
			t.Errorf("%s: want ErrInvalidPolicy, got %v", name, err)
		}
		if _, err := NewEngine(Config{Policy: p}); !errors.Is(err, ErrInvalidPolicy) {
			t.Errorf("%s: NewEngine accepted an invalid policy: %v", name, err)
		}
	}
	var nilPolicy *Policy
	if err := nilPolicy.Validate(); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("nil policy: %v", err)
	}
}

func TestPolicyCloneIsDeep(t *testing.T) {
	a := DefaultPolicy()
	b := a.Clone()
	b.Rules[0].AnyOf[0][0] = FactorTOTP
	if a.Rules[0].AnyOf[0][0] == FactorTOTP {
		t.Fatal("Clone shares factor sets")
	}
	if DefaultPolicy().Hash() != a.Hash() {
		t.Fatal("DefaultPolicy shares state between calls")
	}
	if a.Hash() == b.Hash() {
		t.Fatal("hash ignores a changed factor")
	}
}

func TestFactorLevels(t *testing.T) {
	want := map[FactorType]Level{
		FactorFIDO2: LevelHigh, FactorVEID: LevelHigh, FactorHardwareKey: LevelHigh,
		FactorTOTP: LevelMedium,
		FactorSMS:  LevelLow, FactorVoice: LevelLow, FactorEmail: LevelLow, FactorTrustedDevice: LevelLow, FactorBackupCode: LevelLow,
	}
	for _, f := range AllFactorTypes {
		if f.Level() != want[f] {
			t.Errorf("%s: level %s, want %s", f, f.Level(), want[f])
		}
	}
	if len(want) != len(AllFactorTypes) {
		t.Errorf("AllFactorTypes has %d entries, levels table %d", len(AllFactorTypes), len(want))
	}
	if FactorType("x").Valid() || FactorType("x").Level() != 0 {
		t.Error("unknown factor accepted")
	}
}
