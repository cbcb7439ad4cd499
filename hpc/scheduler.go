package hpc

import (
	"fmt"

	"github.com/virtengine/sdk/envelope"
)

// NodeState is a node's schedulability as the scheduler sees it.
type NodeState uint8

// Node states: Up takes jobs; Draining keeps its jobs and takes no new ones; Down has lost its jobs.
const (
	NodeUp NodeState = iota + 1
	NodeDraining
	NodeDown
)

func (s NodeState) String() string {
	switch s {
	case NodeUp:
		return "up"
	case NodeDraining:
		return "draining"
	case NodeDown:
		return "down"
	}
	return fmt.Sprintf("node-state(%d)", uint8(s))
}

type snode struct {
	id      string
	cluster int
	part    string
	cap     Resources
	state   NodeState
	reg     NodeRegistration
	sig     []byte // the provider's signature, kept for snapshots
	running int    // jobs on the node
}

type scluster struct {
	Cluster
	parts   [][]int32 // partition index → node indices, ascending
	maxRun  []int64   // partition index → the partition's runtime limit here (0: MaxRuntimeSeconds)
	maxFree Resources // componentwise max of idle resources over its up nodes (an upper bound)
}

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
	partBP       []int64 // partition index → the highest PriorityBP any cluster gives it
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
	recalced     bool
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

// AddCluster registers a provider's cluster.
func (s *Scheduler) AddCluster(c Cluster) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if _, ok := s.clusterIdx[c.ID]; ok {
		return fmt.Errorf("%w: cluster %s", ErrExists, c.ID)
	}
	sc := &scluster{Cluster: c}
	for _, p := range c.Partitions {
		pi := s.partition(p.Name)
		for len(sc.maxRun) <= pi {
			sc.maxRun = append(sc.maxRun, 0)
		}
		sc.maxRun[pi] = p.MaxRuntimeSeconds
	}
	s.near = nil
	s.clusterIdx[c.ID] = len(s.clusters)
	s.clusters = append(s.clusters, sc)
	for i := range s.lat {
		s.lat[i] = append(s.lat[i], -1)
	}
	row := make([]int64, len(s.clusters))
	for i := range row {
		row[i] = -1
	}
	row[len(row)-1] = 0
	s.lat = append(s.lat, row)
	for _, p := range c.Partitions {
		pi := s.partition(p.Name)
		for len(s.partBP) <= pi {
			s.partBP = append(s.partBP, 0)
		}
		s.partBP[pi] = max(s.partBP[pi], p.PriorityBP)
	}
	return nil
}

// SetLatency records the measured round-trip latency between two clusters (agents report it in
// their heartbeats; the controller aggregates it).
func (s *Scheduler) SetLatency(a, b string, millis int64) error {
	i, ok1 := s.clusterIdx[a]
	k, ok2 := s.clusterIdx[b]
	if !ok1 || !ok2 {
		return fmt.Errorf("%w: cluster %s or %s", ErrNotFound, a, b)
	}
	if millis < 0 || i == k {
		return invalidf("latency between %s and %s must be ≥ 0 between distinct clusters", a, b)
	}
	if s.lat[i][k] == millis {
		return nil
	}
	s.lat[i][k], s.lat[k][i] = millis, millis
	s.admission, s.near = nil, nil
	return nil
}

// AddNode registers a node whose registration its cluster's provider signed.
func (s *Scheduler) AddNode(reg SignedRegistration) error {
	r := reg.Registration
	ci, ok := s.clusterIdx[r.Cluster]
	if !ok {
		return fmt.Errorf("%w: cluster %s (register the cluster first)", ErrNotFound, r.Cluster)
	}
	c := s.clusters[ci]
	if err := reg.Verify(&c.Cluster); err != nil {
		return err
	}
	if _, ok := s.nodeIdx[r.Node]; ok {
		return fmt.Errorf("%w: node %s", ErrExists, r.Node)
	}
	idx := int32(len(s.nodes))
	s.nodes = append(s.nodes, snode{id: r.Node, cluster: ci, part: r.Partition, cap: r.Capacity, state: NodeUp, reg: r, sig: append([]byte(nil), reg.Signature...)})
	s.free = append(s.free, r.Capacity)
	s.caps = append(s.caps, r.Capacity)
	s.admission = nil
	s.reserved = append(s.reserved, false)
	s.nodeIdx[r.Node] = idx
	pi := s.partition(r.Partition)
	for len(c.parts) <= pi {
		c.parts = append(c.parts, nil)
	}
	c.parts[pi] = append(c.parts[pi], idx)
	s.idle++
	s.refreshCluster(ci)
	return nil
}

// partition returns the index of a partition name, adding it.
func (s *Scheduler) partition(name string) int {
	if i, ok := s.partIdx[name]; ok {
		return i
	}
	s.partIdx[name] = len(s.partIdx)
	return len(s.partIdx) - 1
}

// nodesOf returns cluster ci's nodes of partition pi.
func (s *Scheduler) nodesOf(ci, pi int) []int32 {
	if pi < len(s.clusters[ci].parts) {
		return s.clusters[ci].parts[pi]
	}
	return nil
}

func (s *Scheduler) isIdle(n int32) bool { return s.nodes[n].state == NodeUp && s.free[n].Cores > 0 }

// setFree changes a node's idle resources, keeping the idle-node count.
func (s *Scheduler) setFree(n int32, r Resources) {
	was := s.isIdle(n)
	s.free[n] = r
	if now := s.isIdle(n); now != was {
		if now {
			s.idle++
		} else {
			s.idle--
		}
	}
}

// refreshCluster recomputes a cluster's idle-resource bound.
func (s *Scheduler) refreshCluster(ci int) {
	var m Resources
	for _, nodes := range s.clusters[ci].parts {
		for _, n := range nodes {
			if s.nodes[n].state != NodeUp {
				continue
			}
			f := s.free[n]
			m.Cores, m.MemoryMB, m.GPUs = max(m.Cores, f.Cores), max(m.MemoryMB, f.MemoryMB), max(m.GPUs, f.GPUs)
		}
	}
	s.clusters[ci].maxFree = m
}

// Node returns a node's registration, state and idle resources.
func (s *Scheduler) Node(id string) (NodeRegistration, NodeState, Resources, error) {
	i, ok := s.nodeIdx[id]
	if !ok {
		return NodeRegistration{}, 0, Resources{}, fmt.Errorf("%w: node %s", ErrUnknownNode, id)
	}
	return s.nodes[i].reg, s.nodes[i].state, s.free[i], nil
}

// AddTenant registers (or updates) a tenant's shares and quota.
func (s *Scheduler) AddTenant(t Tenant) error {
	if !validID(t.ID) || t.Shares < 0 || t.Quota.MaxCores < 0 || t.Quota.MaxGPUs < 0 || t.Quota.MaxRunningJobs < 0 || t.Quota.MaxQueuedJobs < 0 {
		return invalidf("tenant %q: id and non-negative shares and quota", t.ID)
	}
	shares := t.Shares
	if shares == 0 {
		shares = max(t.Quota.MaxCores, 1)
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

// Submit validates spec, checks the submitter's identity score and the tenant's queue quota, and
// queues the job at time now.
func (s *Scheduler) Submit(spec JobSpec, now int64) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	if spec.RuntimeLimitSeconds < s.cfg.MinRuntimeSeconds || spec.RuntimeLimitSeconds > s.cfg.MaxRuntimeSeconds {
		return invalidf("job %s: runtime limit %d s, this scheduler accepts %d..%d", spec.ID, spec.RuntimeLimitSeconds, s.cfg.MinRuntimeSeconds, s.cfg.MaxRuntimeSeconds)
	}
	if _, ok := s.jobs[spec.ID]; ok {
		return fmt.Errorf("%w: job %s", ErrExists, spec.ID)
	}
	if len(spec.Inputs) > 0 {
		if err := envelope.CheckPayload(JobInputClass, spec.Inputs); err != nil {
			return fmt.Errorf("%w: job %s inputs must be sealed to the provider (package envelope): %v", ErrInvalid, spec.ID, err)
		}
	}
	t := s.tenants[spec.Tenant]
	if t == nil {
		return fmt.Errorf("%w: tenant %s (register it with AddTenant)", ErrNotFound, spec.Tenant)
	}
	if q := s.qos(spec.QoS); q.Name != "" && !s.knownQoS(q.Name) {
		return invalidf("job %s: unknown QoS %q", spec.ID, spec.QoS)
	}
	if s.cfg.Identity != nil {
		score, err := s.cfg.Identity.IdentityScore(spec.Account)
		if err != nil {
			return fmt.Errorf("%w: account %s: %v", ErrIdentity, spec.Account, err)
		}
		if score < s.cfg.MinIdentityScore {
			return fmt.Errorf("%w: account %s scores %d, jobs need %d: complete identity verification (veid) to raise it", ErrIdentity, spec.Account, score, s.cfg.MinIdentityScore)
		}
	}
	if t.Quota.MaxQueuedJobs > 0 && t.queued >= t.Quota.MaxQueuedJobs {
		return fmt.Errorf("%w: tenant %s has %d queued jobs, its quota is %d", ErrQuota, t.ID, t.queued, t.Quota.MaxQueuedJobs)
	}
	if s.Queued() >= MaxQueuedJobs {
		return fmt.Errorf("%w: %d jobs queued", ErrQuota, s.Queued())
	}
	if q := t.Quota; (q.MaxCores > 0 && spec.Nodes*spec.PerNode.Cores > q.MaxCores) || (q.MaxGPUs > 0 && spec.Nodes*spec.PerNode.GPUs > q.MaxGPUs) {
		return fmt.Errorf("%w: job %s alone exceeds tenant %s's quota (%d cores, %d GPUs)", ErrQuota, spec.ID, t.ID, q.MaxCores, q.MaxGPUs)
	}
	j := &Job{Spec: spec, State: Queued, Submitted: now, qi: -1, tenant: t, part: s.partition(spec.Partition), qosBP: s.qos(spec.QoS).PriorityBP}
	if !s.placeable(j) {
		return fmt.Errorf("%w: job %s needs %d nodes with %+v in partition %s within %d ms of one another; no registered clusters offer that", ErrUnschedulable, spec.ID, spec.Nodes, spec.PerNode, spec.Partition, s.cfg.LatencyGroupMillis)
	}
	s.seq++
	j.seq = s.seq
	j.factors = s.factors(j, now)
	j.prio = j.factors.Priority
	s.jobs[spec.ID] = j
	t.queued++
	s.enqueue(j)
	return nil
}

func (s *Scheduler) knownQoS(name string) bool {
	for _, q := range s.cfg.QoS {
		if q.Name == name {
			return true
		}
	}
	return false
}

// enqueue adds j to the jobs the next pass ranks.
func (s *Scheduler) enqueue(j *Job) {
	s.fresh = append(s.fresh, j)
	j.reason, j.pass = reasonNotConsidered, s.pass
}

// Cancel cancels a queued or running job.
func (s *Scheduler) Cancel(id string, now int64) error {
	j := s.jobs[id]
	if j == nil {
		return fmt.Errorf("%w: job %s", ErrNotFound, id)
	}
	switch j.State {
	case Queued:
		s.dequeue(j)
		j.State, j.Ended = Cancelled, now
		return nil
	case Running:
		return s.finish(j, Cancelled, now)
	}
	return &TransitionError{Job: id, From: j.State, To: Cancelled}
}

// Complete records the end of a running job: Completed, Failed or Cancelled.
func (s *Scheduler) Complete(id string, state JobState, now int64) error {
	j := s.jobs[id]
	if j == nil {
		return fmt.Errorf("%w: job %s", ErrNotFound, id)
	}
	if j.State != Running || (state != Completed && state != Failed && state != Cancelled) {
		return &TransitionError{Job: id, From: j.State, To: state}
	}
	return s.finish(j, state, now)
}

func (s *Scheduler) dequeue(j *Job) {
	for i, q := range s.queue {
		if q.j == j {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			break
		}
	}
	for i, q := range s.fresh {
		if q == j {
			s.fresh = append(s.fresh[:i], s.fresh[i+1:]...)
			break
		}
	}
	j.tenant.queued--
}

// release frees j's nodes and charges its tenant; it leaves j's state to the caller.
func (s *Scheduler) release(j *Job, now int64) {
	last := -1
	for _, n := range j.alloc {
		s.setFree(n, s.free[n].add(j.Spec.PerNode))
		s.nodes[n].running--
		if c := s.nodes[n].cluster; c != last {
			s.refreshCluster(c)
			last = c
		}
	}
	for i, r := range s.running {
		if r == j {
			s.running = append(s.running[:i], s.running[i+1:]...)
			break
		}
	}
	t := j.tenant
	t.cores -= j.Spec.Nodes * j.Spec.PerNode.Cores
	t.gpus -= j.Spec.Nodes * j.Spec.PerNode.GPUs
	t.running--
	if el := now - j.Started; el > 0 {
		u := el * billingUnits(j)
		t.usage += u
		s.totalUsage += u
		s.fsEpoch++
	}
	j.alloc = nil
}

func (s *Scheduler) finish(j *Job, state JobState, now int64) error {
	if !JobCanTransition(j.State, state) {
		return &TransitionError{Job: j.Spec.ID, From: j.State, To: state}
	}
	s.release(j, now)
	j.State, j.Ended = state, now
	return nil
}

// SetNodeState drains, downs or restores a node. A node going down requeues its running jobs (they
// lost their processes), returned as decisions.
func (s *Scheduler) SetNodeState(id string, state NodeState, now int64) ([]Decision, error) {
	i, ok := s.nodeIdx[id]
	if !ok {
		return nil, fmt.Errorf("%w: node %s", ErrUnknownNode, id)
	}
	if state < NodeUp || state > NodeDown {
		return nil, invalidf("node state %d", state)
	}
	was := s.isIdle(i)
	s.nodes[i].state = state
	if now := s.isIdle(i); now != was {
		if now {
			s.idle++
		} else {
			s.idle--
		}
	}
	s.refreshCluster(s.nodes[i].cluster)
	if state != NodeDown {
		return nil, nil
	}
	var out []Decision
	for _, j := range append([]*Job(nil), s.running...) {
		for _, n := range j.alloc {
			if n == i {
				s.release(j, now)
				j.State = Queued
				j.tenant.queued++
				s.enqueue(j)
				out = append(out, Decision{Action: ActionRequeue, Job: j.Spec.ID, At: now, Reason: fmt.Sprintf("node %s went down; requeued", id)})
				break
			}
		}
	}
	return out, nil
}
