package hpc

import (
	"fmt"
	"math"
)

// Scheduler places jobs on the nodes of registered clusters (§8.3). It is deterministic: every method
// takes the time (Unix seconds) from its caller, iterates in a fixed order and uses integers only.
// It is not safe for concurrent use; the node serialises calls (one block at a time).
type Scheduler struct {
	cfg          Config
	clusters     []*scluster
	clusterIdx   map[string]int
	lat          [][]int64 // cluster × cluster, -1 unknown
	nodes        []snode
	free         []Resources
	caps         []Resources
	admission    map[shapeKey]bool // placeable answers per job shape; reset on topology change
	near         [][]int           // nearest clusters per cluster; reset on topology change
	nodeIdx      map[string]int32
	rtt          map[[2]int32]int64    // node-to-node round trips reported: {from, to} → ms
	peers        [][]int32             // node → the nodes it has a measured pair with
	xpairs       map[[2]int][][2]int32 // cluster pair (low, high) → its measured node pairs
	remote       []bool                // node → remote from its cluster (see ObserveHeartbeat)
	partBP       []int64               // partition index → the highest PriorityBP any cluster gives it
	partIdx      map[string]int
	idle         int // up nodes with an idle core
	tenants      map[string]*tenantState
	totalShares  int64
	totalUsage   int64
	jobs         map[string]*Job
	queue        []qent // ranked
	fresh        []*Job // queued since the last pass, not yet ranked
	pass         uint64
	fsEpoch      uint64 // bumped whenever usage or shares change: invalidates cached fair-share factors
	rest         restReason
	running      []*Job // in start order
	seq          uint64
	lastRecalc   int64
	lastDecay    int64
	decayStarted bool
	stats        Stats

	// per-pass scratch
	reserved []bool
	scratch  []Resources
	counts   []int64
}

// Stats counts the scheduler's work since it was created.
type Stats struct {
	Passes     int64 `json:"passes"`
	Started    int64 `json:"started"`
	Backfilled int64 `json:"backfilled"`
	Preempted  int64 `json:"preempted"`
	TimedOut   int64 `json:"timed_out"`
}

// NewScheduler returns an empty scheduler.
func NewScheduler(cfg Config) *Scheduler {
	return &Scheduler{
		cfg:        cfg.withDefaults(),
		clusterIdx: map[string]int{},
		nodeIdx:    map[string]int32{},
		partIdx:    map[string]int{},
		tenants:    map[string]*tenantState{},
		jobs:       map[string]*Job{},
		lastRecalc: -1 << 62,
	}
}

// Stats returns the work counters.
func (s *Scheduler) Stats() Stats { return s.stats }

// AddTenant registers (or updates) a tenant's shares and quota.
func (s *Scheduler) AddTenant(t Tenant) error {
	if !validID(t.ID) || t.Shares < 0 || t.Quota.MaxCores < 0 || t.Quota.MaxGPUs < 0 || t.Quota.MaxRunningJobs < 0 || t.Quota.MaxQueuedJobs < 0 {
		return invalidf("tenant %q: id and non-negative shares and quota", t.ID)
	}
	shares := t.Shares
	if shares == 0 {
		shares = max(t.Quota.MaxCores, 1)
	}
	total := s.totalShares
	if old := s.tenants[t.ID]; old != nil {
		total -= old.shares
	}
	if shares > math.MaxInt64-total {
		return invalidf("tenant %q: %d shares overflow the total of all tenants' shares", t.ID, shares)
	}
	s.fsEpoch++
	if old := s.tenants[t.ID]; old != nil {
		s.totalShares += shares - old.shares
		old.Tenant, old.shares = t, shares
		return nil
	}
	s.tenants[t.ID] = &tenantState{Tenant: t, shares: shares}
	s.totalShares += shares
	return nil
}

// Job returns a copy of a job's public state.
func (s *Scheduler) Job(id string) (Job, error) {
	j := s.jobs[id]
	if j == nil {
		return Job{}, fmt.Errorf("%w: job %s", ErrNotFound, id)
	}
	c := *j
	c.Nodes = append([]string(nil), j.Nodes...)
	c.Clusters = append([]string(nil), j.Clusters...)
	c.alloc = nil
	return c, nil
}

// Queued returns the number of queued jobs; Running the number running.
func (s *Scheduler) Queued() int  { return len(s.queue) + len(s.fresh) }
func (s *Scheduler) Running() int { return len(s.running) }
