package hpc

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/virtengine/sdk/settlement"
)

func TestUsageRecordFromJob(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("c1", 2, Resources{Cores: 8, MemoryMB: 8192, GPUs: 2}).tenant("t", 1, Quota{})
	spec := job("j", "t", 2, 4, 3600)
	spec.PerNode.MemoryMB, spec.PerNode.GPUs = 2048, 1
	w.submit(spec, 0)
	w.s.Schedule(100)
	must(t, w.s.Complete("j", Completed, 1900))
	u, err := w.s.MeasureJob("j", 5000) // the end is the job's, not the caller's
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Nodes) != 2 || u.Nodes[0].Operator != "op-c1" || u.Provider != "prov-c1" || u.Customer != "acct-t" {
		t.Fatalf("usage %+v", u)
	}
	r := u.Record()
	// 2 nodes × 4 cores × 1800 s = 4 core-hours; 2 × 1 GPU × 1800 s = 1 GPU-hour; 2 × 2 GB × 0.5 h = 2 GB-hours
	if r.CPUCoreMilliHours != 4000 || r.GPUMilliHours != 1000 || r.MemoryGBMilliHours != 2000 || r.PeriodStart != 100 || r.PeriodEnd != 1900 {
		t.Fatalf("record %+v", r)
	}
	prices := [settlement.NumResources]uint64{settlement.CPU: 100, settlement.GPU: 2000}
	prov, cust := key("provider/c1"), key("customer")
	su, err := r.SignUsage("chain-1", "escrow-1", 1, settlement.KindUsage, prices, prov)
	if err != nil {
		t.Fatal(err)
	}
	if err := su.Countersign(cust); err != nil {
		t.Fatal(err)
	}
	if err := su.Verify(prov.Public().(ed25519.PublicKey), cust.Public().(ed25519.PublicKey)); err != nil {
		t.Fatalf("settlement rejects the record: %v", err)
	}
	if su.Record.Quantities[settlement.CPU] != 4000 || su.Record.Quantities[settlement.GPU] != 1000 {
		t.Fatalf("quantities %v", su.Record.Quantities)
	}
	// reject twin: a changed quantity breaks the provider's signature
	su.Record.Quantities[settlement.CPU]++
	if err := su.Verify(prov.Public().(ed25519.PublicKey), cust.Public().(ed25519.PublicKey)); err == nil {
		t.Fatal("tampered usage verified")
	}
	if _, err := w.s.MeasureJob("nope", 0); err == nil {
		t.Fatal("unknown job measured")
	}
}

func TestRewardsByContribution(t *testing.T) {
	jobs := []JobUsage{
		{Nodes: []NodeUsage{{Operator: "a", CoreSeconds: 1000}, {Operator: "b", CoreSeconds: 500}}},
		{Nodes: []NodeUsage{{Operator: "b", CoreSeconds: 500}}},
	}
	// a: 1000 core-s, up all the time; b: 1000 core-s, up half the time; c: up, no work
	cs := Contributions(jobs, map[string][2]int64{"a": {3600, 3600}, "b": {1800, 3600}, "c": {3600, 3600}})
	if len(cs) != 3 || cs[0].Weight() != 1000 || cs[1].Weight() != 500 || cs[2].Weight() != 0 {
		t.Fatalf("contributions %+v", cs)
	}
	rw, err := Rewards(3000, cs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, r := range rw {
		got[r.Operator] = r.Amount
	}
	if got["a"] != 2000 || got["b"] != 1000 || got["c"] != 0 {
		t.Fatalf("rewards %v, want a 2000, b 1000, c 0", got)
	}
	// GPU-seconds weigh GPUBillingWeight core-seconds each
	if w := (Contribution{GPUSeconds: 10, UptimeSeconds: 1, NodeSeconds: 1}).Weight(); w != 10*GPUBillingWeight {
		t.Fatalf("gpu weight %d", w)
	}
}

// Large contributions and usage must not wrap around to small or zero weights and charges.
func TestAccountingDoesNotWrap(t *testing.T) {
	// uptime × BP overflowed int64, making availability 0 for a fully available operator
	if w := (Contribution{CoreSeconds: 7, UptimeSeconds: 1 << 62, NodeSeconds: 1 << 62}).Weight(); w != 7 {
		t.Fatalf("long period: weight %d, want 7", w)
	}
	// GPUBillingWeight × 2^61 GPU-seconds wrapped to 0 work
	if w := (Contribution{GPUSeconds: 1 << 61, UptimeSeconds: 1, NodeSeconds: 1}).Weight(); w != ^uint64(0) {
		t.Fatalf("huge GPU work: weight %d, want saturated", w)
	}
	if w := (Contribution{CoreSeconds: -5, GPUSeconds: 1, UptimeSeconds: 1, NodeSeconds: 1}).Weight(); w != 0 {
		t.Fatalf("negative core-seconds: weight %d, want 0", w)
	}
	half := int64(1) << 62
	u := JobUsage{Nodes: []NodeUsage{{CoreSeconds: half}, {CoreSeconds: half}, {CoreSeconds: half}}}
	if r := u.Record(); r.CPUCoreMilliHours < uint64(half/3600)*1000 {
		t.Fatalf("summed core-seconds wrapped: %d milli core-hours", r.CPUCoreMilliHours)
	}
	cs := Contributions([]JobUsage{u, u}, nil)
	if len(cs) != 1 || cs[0].CoreSeconds < half {
		t.Fatalf("contributions wrapped: %+v", cs)
	}
}

// Measuring a running job up to an absurd end refuses instead of wrapping the meters negative.
func TestMeasureJobOverflow(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("c1", 1, Resources{Cores: 8, MemoryMB: 8192}).tenant("t", 1, Quota{})
	spec := job("j", "t", 1, 4, 3600)
	spec.PerNode.MemoryMB = 4096
	w.submit(spec, 0)
	w.s.Schedule(100)
	if _, err := w.s.MeasureJob("j", 1<<62); !errors.Is(err, ErrInvalid) {
		t.Fatalf("overflowing measurement: %v", err)
	}
	u, err := w.s.MeasureJob("j", 3700)
	if err != nil || u.Nodes[0].CoreSeconds != 4*3600 {
		t.Fatalf("%+v %v", u, err)
	}
}

func TestUsageRecordSignUsageBadKey(t *testing.T) {
	r := UsageRecord{Provider: "prov", Customer: "acct", PeriodStart: 100, PeriodEnd: 1900, CPUCoreMilliHours: 4000}
	prices := [settlement.NumResources]uint64{settlement.CPU: 100}
	if _, err := r.SignUsage("chain-1", "escrow-1", 1, settlement.KindUsage, prices, key("provider/c1")); err != nil {
		t.Fatalf("well-formed key: %v", err)
	}
	for name, k := range badKeys() {
		su, err := r.SignUsage("chain-1", "escrow-1", 1, settlement.KindUsage, prices, k)
		if !errors.Is(err, ErrBadKey) || !errors.Is(err, settlement.ErrBadKey) || su.ProviderSig != nil {
			t.Errorf("%s: %v, want hpc.ErrBadKey and settlement.ErrBadKey, no signature", name, err)
		}
	}
}
