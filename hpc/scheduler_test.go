package hpc

import (
	"errors"
	"testing"

	"github.com/virtengine/sdk/envelope"
)

var core = Resources{Cores: 1}

func fcfsConfig() Config {
	c := Config{Weights: Weights{}, StarvationSeconds: -1}
	return c
}

func TestEASYBackfillSeveralEndingAtShadow(t *testing.T) {
	// The same scenario as package sim's: 14 one-core nodes; A(4), B(4), D(2) run until 100; head C
	// needs 10; E (3 nodes, long) fits the nodes C does not need at 100 because D ends then too.
	w := newWorld(t, fcfsConfig()).cluster("c1", 14, core).tenant("t", 1, Quota{})
	w.submit(job("A", "t", 4, 1, 100), 0)
	w.submit(job("B", "t", 4, 1, 100), 0)
	w.submit(job("D", "t", 2, 1, 100), 0)
	if got := len(started(w.s.Schedule(0))); got != 3 {
		t.Fatalf("%d started at 0, want 3", got)
	}
	w.submit(job("C", "t", 10, 1, 100), 1)
	ds := w.s.Schedule(1)
	if len(ds) != 1 || ds[0].Action != ActionReserve || ds[0].ReservedAt != 100 {
		t.Fatalf("decisions %+v, want C reserved at 100", ds)
	}
	w.submit(job("E", "t", 3, 1, 1000), 2)
	st := started(w.s.Schedule(2))
	if d, ok := st["E"]; !ok || !d.Backfilled {
		t.Fatalf("E not backfilled: %+v", st)
	}
	for _, id := range []string{"A", "B", "D"} {
		if err := w.s.Complete(id, Completed, 100); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := started(w.s.Schedule(100))["C"]; !ok {
		t.Fatal("head C did not start at its reservation")
	}
}

func TestEASYBackfillRejectsJobThatWouldDelayHead(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("c1", 14, core).tenant("t", 1, Quota{})
	w.submit(job("A", "t", 4, 1, 100), 0)
	w.submit(job("B", "t", 4, 1, 100), 0)
	w.submit(job("D", "t", 2, 1, 100), 0)
	w.s.Schedule(0)
	w.submit(job("C", "t", 10, 1, 100), 1)
	w.s.Schedule(1)
	w.submit(job("E", "t", 5, 1, 1000), 2) // one node more than C leaves at 100
	if st := started(w.s.Schedule(2)); len(st) != 0 {
		t.Fatalf("E started and would delay C: %+v", st)
	}
	e, err := w.s.Explain("E")
	if err != nil || e.State != "queued" || e.Rank != 2 {
		t.Fatalf("explain %+v %v", e, err)
	}
	t.Log(e.Message)
	// a short job that ends by the shadow time may use the reserved nodes
	w.submit(job("F", "t", 4, 1, 98), 2)
	if _, ok := started(w.s.Schedule(2))["F"]; !ok {
		t.Fatal("F ends by the reservation and should backfill")
	}
}

func TestFCFSWithoutBackfillBlocks(t *testing.T) {
	cfg := fcfsConfig()
	cfg.NoBackfill = true
	w := newWorld(t, cfg).cluster("c1", 10, core).tenant("t", 1, Quota{})
	w.submit(job("A", "t", 8, 1, 100), 0)
	w.submit(job("B", "t", 10, 1, 100), 1)
	w.submit(job("C", "t", 1, 1, 60), 2)
	st := started(w.s.Schedule(2))
	if _, ok := st["C"]; ok || len(st) != 1 {
		t.Fatalf("started %v, want only A", st)
	}
	e, _ := w.s.Explain("C")
	if e.Rank != 2 {
		t.Fatalf("explain %+v", e)
	}
}

func TestTimeoutAtLimit(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("c1", 2, core).tenant("t", 1, Quota{})
	w.submit(job("A", "t", 1, 1, 60), 0)
	w.s.Schedule(0)
	if ds := w.s.Schedule(59); len(ds) != 0 {
		t.Fatalf("decisions before the limit: %+v", ds)
	}
	ds := w.s.Schedule(60)
	if len(ds) != 1 || ds[0].Action != ActionTimeout || w.state("A") != Timeout {
		t.Fatalf("decisions %+v state %s", ds, w.state("A"))
	}
	// reject twin: a completed job cannot time out or complete again
	if err := w.s.Complete("A", Completed, 61); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("complete after timeout: %v", err)
	}
}

func TestJobTransitions(t *testing.T) {
	allowed := map[[2]JobState]bool{
		{Pending, Queued}: true, {Pending, Cancelled}: true, {Pending, Failed}: true,
		{Queued, Running}: true, {Queued, Cancelled}: true, {Queued, Failed}: true,
		{Running, Completed}: true, {Running, Failed}: true, {Running, Cancelled}: true, {Running, Timeout}: true, {Running, Queued}: true,
	}
	for from := Pending; from <= Timeout; from++ {
		for to := Pending; to <= Timeout; to++ {
			if got := JobCanTransition(from, to); got != allowed[[2]JobState{from, to}] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
}

type scores map[string]int

func (s scores) IdentityScore(a string) (int, error) {
	v, ok := s[a]
	if !ok {
		return 0, ErrNotFound
	}
	return v, nil
}

func TestSubmitChecks(t *testing.T) {
	cfg := fcfsConfig()
	cfg.Identity = scores{"acct-t": 50, "acct-low": 49}
	w := newWorld(t, cfg).cluster("c1", 4, Resources{Cores: 8, MemoryMB: 1024}).tenant("t", 1, Quota{MaxQueuedJobs: 1}).tenant("low", 1, Quota{})
	w.submit(job("ok", "t", 1, 1, 60), 0)
	cases := map[string]struct {
		spec JobSpec
		want error
	}{
		"score 49":          {job("x1", "low", 1, 1, 60), ErrIdentity},
		"queue quota":       {job("x2", "t", 1, 1, 60), ErrQuota},
		"runtime 59 s":      {job("x3", "low", 1, 1, 59), ErrInvalid},
		"runtime 7 d + 1 s": {job("x4", "low", 1, 1, MaxRuntimeSeconds+1), ErrInvalid},
		"duplicate":         {job("ok", "t", 1, 1, 60), ErrExists},
		"unknown tenant":    {job("x5", "nobody", 1, 1, 60), ErrNotFound},
	}
	for name, c := range cases {
		if err := w.s.Submit(c.spec, 0); !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", name, err, c.want)
		}
	}
	cfg.Identity = scores{"acct-t": 100}
	w2 := newWorld(t, cfg).cluster("c1", 4, Resources{Cores: 8}).tenant("t", 1, Quota{})
	big := job("big", "t", 5, 1, 60)
	if err := w2.s.Submit(big, 0); !errors.Is(err, ErrUnschedulable) {
		t.Errorf("5 nodes on a 4-node cluster: %v", err)
	}
	fat := job("fat", "t", 1, 9, 60)
	if err := w2.s.Submit(fat, 0); !errors.Is(err, ErrUnschedulable) {
		t.Errorf("9 cores on 8-core nodes: %v", err)
	}
}

func TestJobInputsMustBeEnvelopes(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("c1", 1, core).tenant("t", 1, Quota{})
	plain := job("plain", "t", 1, 1, 60)
	plain.Inputs = []byte("AWS_SECRET=hunter2")
	if err := w.s.Submit(plain, 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("plaintext inputs: %v", err)
	}
	id, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := envelope.GenerateSigningKey(envelope.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := envelope.Seal([]byte("AWS_SECRET=hunter2"), sk, []envelope.Recipient{id.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ok := job("sealed", "t", 1, 1, 60)
	ok.Inputs = sealed
	if err := w.s.Submit(ok, 0); err != nil {
		t.Fatalf("sealed inputs refused: %v", err)
	}
}

func TestJobSpecValidate(t *testing.T) {
	good := job("j", "t", 1, 1, 60)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*JobSpec){
		"no id":          func(j *JobSpec) { j.ID = "" },
		"no partition":   func(j *JobSpec) { j.Partition = "" },
		"zero nodes":     func(j *JobSpec) { j.Nodes = 0 },
		"too many nodes": func(j *JobSpec) { j.Nodes = MaxNodesPerJob + 1 },
		"zero cores":     func(j *JobSpec) { j.PerNode.Cores = 0 },
		"negative gpus":  func(j *JobSpec) { j.PerNode.GPUs = -1 },
		"over 7 days":    func(j *JobSpec) { j.RuntimeLimitSeconds = MaxRuntimeSeconds + 1 },
		"no workload":    func(j *JobSpec) { j.Image = "" },
		"long id":        func(j *JobSpec) { j.ID = string(make([]byte, MaxIDLen+1)) },
		// Totals that wrap int64 would slip past the tenant quota (65536 × 2^48 cores = 2^64 ≡ 0).
		"cores wrap":      func(j *JobSpec) { j.Nodes, j.PerNode.Cores = MaxNodesPerJob, 1<<48 },
		"gpus wrap":       func(j *JobSpec) { j.PerNode.GPUs = 1 << 61 },
		"core-s overflow": func(j *JobSpec) { j.PerNode.Cores, j.RuntimeLimitSeconds = 1<<60, MaxRuntimeSeconds },
		"memory overflow": func(j *JobSpec) { j.Nodes, j.PerNode.MemoryMB = 2, 1<<62 },
	} {
		j := good
		mut(&j)
		if err := j.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestGPUAndJobCountQuotas(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("c1", 4, Resources{Cores: 8, GPUs: 2}).
		tenant("g", 1, Quota{MaxGPUs: 2}).tenant("n", 1, Quota{MaxRunningJobs: 1})
	g1, g2 := job("g1", "g", 1, 1, 60), job("g2", "g", 1, 1, 60)
	g1.PerNode.GPUs, g2.PerNode.GPUs = 2, 1
	w.submit(g1, 0)
	w.submit(g2, 0)
	w.submit(job("n1", "n", 1, 1, 60), 0)
	w.submit(job("n2", "n", 1, 1, 60), 0)
	st := started(w.s.Schedule(0))
	if !has(st, "g1", "n1") || has(st, "g2") || has(st, "n2") {
		t.Fatalf("started %v", keys(st))
	}
	for id, want := range map[string]string{"g2": "tenant g quota: 2 of 2 GPUs in use", "n2": "tenant n quota: 1 of 1 running jobs"} {
		if e, _ := w.s.Explain(id); e.Message != want {
			t.Errorf("%s: %q", id, e.Message)
		}
	}
	if w.s.Running() != 2 || w.s.Queued() != 2 || w.s.Stats().Started != 2 {
		t.Errorf("running %d queued %d stats %+v", w.s.Running(), w.s.Queued(), w.s.Stats())
	}
	if err := w.s.Cancel("g2", 1); err != nil || w.state("g2") != Cancelled {
		t.Fatalf("cancel queued: %v", err)
	}
	if err := w.s.Cancel("g2", 2); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("cancel twice: %v", err)
	}
}

// Huge shares neither wrap the fair-share factor nor the total of all tenants' shares.
func TestTenantSharesOverflow(t *testing.T) {
	s := NewScheduler(fcfsConfig())
	if err := s.AddTenant(Tenant{ID: "big", Shares: 1 << 62}); err != nil {
		t.Fatal(err)
	}
	if fs := s.fairShare(s.tenants["big"]); fs != BP {
		t.Fatalf("sole tenant's fair share %d, want %d", fs, BP)
	}
	if err := s.AddTenant(Tenant{ID: "big2", Shares: 1 << 62}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("total shares overflow: %v", err)
	}
	// updating a tenant replaces its shares rather than adding to them
	if err := s.AddTenant(Tenant{ID: "big", Shares: 1<<62 + 1}); err != nil {
		t.Fatal(err)
	}
}
