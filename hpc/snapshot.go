package hpc

import (
	"fmt"
	"slices"
	"sort"
)

// SnapshotVersion is the version of Snapshot's layout.
const SnapshotVersion = 1

// Snapshot is the scheduler's whole state as plain data (slices in a fixed order, no maps), so the
// node can persist it (JSON or any encoding) and Restore it after a restart: a restored scheduler
// makes exactly the decisions the original would have.
type Snapshot struct {
	Version      int              `json:"version"`
	Clusters     []Cluster        `json:"clusters"`
	Latency      [][]int64        `json:"latency_ms"`
	Nodes        []SnapshotNode   `json:"nodes"`
	Tenants      []SnapshotTenant `json:"tenants"`
	Jobs         []SnapshotJob    `json:"jobs"`    // by submission sequence
	Queue        []string         `json:"queue"`   // ranked, then not yet ranked
	Ranked       int              `json:"ranked"`  // how many of Queue were ranked
	Running      []string         `json:"running"` // in start order
	Seq          uint64           `json:"seq"`
	LastRecalc   int64            `json:"last_recalc"`
	LastDecay    int64            `json:"last_decay"`
	DecayStarted bool             `json:"decay_started"`
	Stats        Stats            `json:"stats"`
	// NodeRTT holds the node-to-node round trips nodes reported (ObserveHeartbeat), by sender then peer.
	NodeRTT []SnapshotRTT `json:"node_rtt_ms,omitempty"`
}

// SnapshotRTT is a round trip node From reported to node To.
type SnapshotRTT struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Millis int64  `json:"ms"`
}

// SnapshotNode is a registered node and its schedulability.
type SnapshotNode struct {
	Registration SignedRegistration `json:"registration"`
	State        NodeState          `json:"state"`
}

// SnapshotTenant is a tenant and its decayed usage.
type SnapshotTenant struct {
	Tenant Tenant `json:"tenant"`
	Usage  int64  `json:"usage"`
}

// SnapshotJob is a job's state.
type SnapshotJob struct {
	Spec      JobSpec  `json:"spec"`
	State     JobState `json:"state"`
	Seq       uint64   `json:"seq"`
	Submitted int64    `json:"submitted"`
	Started   int64    `json:"started"`
	Ended     int64    `json:"ended"`
	Nodes     []string `json:"nodes,omitempty"`
	Clusters  []string `json:"clusters,omitempty"`
	Preempted int      `json:"preempted"`
	Factors   Factors  `json:"factors"`
}

// Snapshot returns the scheduler's state.
func (s *Scheduler) Snapshot() Snapshot {
	sn := Snapshot{Version: SnapshotVersion, Seq: s.seq, LastRecalc: s.lastRecalc, LastDecay: s.lastDecay,
		DecayStarted: s.decayStarted, Stats: s.stats}
	for _, c := range s.clusters {
		sn.Clusters = append(sn.Clusters, c.Cluster)
	}
	for _, row := range s.lat {
		sn.Latency = append(sn.Latency, slices.Clone(row))
	}
	for _, n := range s.nodes {
		sn.Nodes = append(sn.Nodes, SnapshotNode{Registration: SignedRegistration{Registration: n.reg, Signature: slices.Clone(n.sig)}, State: n.state})
	}
	ids := make([]string, 0, len(s.tenants))
	for id := range s.tenants {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t := s.tenants[id]
		sn.Tenants = append(sn.Tenants, SnapshotTenant{Tenant: t.Tenant, Usage: t.usage})
	}
	jobs := make([]*Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		jobs = append(jobs, j)
	}
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].seq < jobs[b].seq })
	for _, j := range jobs {
		sn.Jobs = append(sn.Jobs, SnapshotJob{Spec: j.Spec, State: j.State, Seq: j.seq, Submitted: j.Submitted, Started: j.Started,
			Ended: j.Ended, Nodes: slices.Clone(j.Nodes), Clusters: slices.Clone(j.Clusters), Preempted: j.Preempted, Factors: j.factors})
	}
	for _, e := range s.queue {
		sn.Queue = append(sn.Queue, e.j.Spec.ID)
	}
	sn.Ranked = len(sn.Queue)
	for _, j := range s.fresh {
		sn.Queue = append(sn.Queue, j.Spec.ID)
	}
	for _, j := range s.running {
		sn.Running = append(sn.Running, j.Spec.ID)
	}
	pairs := make([][2]int32, 0, len(s.rtt))
	for k := range s.rtt {
		pairs = append(pairs, k)
	}
	sort.Slice(pairs, func(a, b int) bool {
		return pairs[a][0] < pairs[b][0] || (pairs[a][0] == pairs[b][0] && pairs[a][1] < pairs[b][1])
	})
	for _, k := range pairs {
		sn.NodeRTT = append(sn.NodeRTT, SnapshotRTT{From: s.nodes[k[0]].id, To: s.nodes[k[1]].id, Millis: s.rtt[k]})
	}
	return sn
}

// Restore rebuilds a scheduler from a snapshot under cfg (the configuration is not part of the
// snapshot: Identity is an interface and operators may retune weights). Every registration's
// signature is verified again.
func Restore(cfg Config, sn Snapshot) (*Scheduler, error) {
	if sn.Version != SnapshotVersion {
		return nil, fmt.Errorf("%w: snapshot version %d, want %d", ErrMalformed, sn.Version, SnapshotVersion)
	}
	s := NewScheduler(cfg)
	for _, c := range sn.Clusters {
		if err := s.AddCluster(c); err != nil {
			return nil, err
		}
	}
	if len(sn.Latency) != len(s.clusters) {
		return nil, fmt.Errorf("%w: latency matrix of %d rows for %d clusters", ErrMalformed, len(sn.Latency), len(s.clusters))
	}
	for i, row := range sn.Latency {
		if len(row) != len(s.clusters) {
			return nil, fmt.Errorf("%w: latency row %d", ErrMalformed, i)
		}
		copy(s.lat[i], row)
	}
	for _, n := range sn.Nodes {
		if err := s.AddNode(n.Registration); err != nil {
			return nil, err
		}
		if n.State < NodeUp || n.State > NodeDown {
			return nil, fmt.Errorf("%w: node %s state %d", ErrMalformed, n.Registration.Registration.Node, n.State)
		}
		i := s.nodeIdx[n.Registration.Registration.Node]
		was := s.isIdle(i)
		s.nodes[i].state = n.State
		if now := s.isIdle(i); now != was {
			s.idle--
		}
	}
	for _, r := range sn.NodeRTT {
		a, oka := s.nodeIdx[r.From]
		b, okb := s.nodeIdx[r.To]
		if !oka || !okb || a == b || r.Millis < 0 {
			return nil, fmt.Errorf("%w: round trip %s → %s", ErrMalformed, r.From, r.To)
		}
		s.observeRTT(a, b, r.Millis)
	}
	for _, t := range sn.Tenants {
		if t.Usage < 0 || s.tenants[t.Tenant.ID] != nil {
			return nil, fmt.Errorf("%w: tenant %q", ErrMalformed, t.Tenant.ID)
		}
		if err := s.AddTenant(t.Tenant); err != nil {
			return nil, err
		}
		s.tenants[t.Tenant.ID].usage = t.Usage
		s.totalUsage += t.Usage
	}
	queued, running := 0, 0
	for _, sj := range sn.Jobs {
		t := s.tenants[sj.Spec.Tenant]
		if t == nil || s.jobs[sj.Spec.ID] != nil || sj.State < Pending || sj.State > Timeout || sj.Spec.Validate() != nil {
			return nil, fmt.Errorf("%w: job %q", ErrMalformed, sj.Spec.ID)
		}
		switch sj.State {
		case Queued:
			queued++
		case Running:
			running++
		}
		j := &Job{Spec: sj.Spec, State: sj.State, Submitted: sj.Submitted, Started: sj.Started, Ended: sj.Ended,
			Nodes: sj.Nodes, Clusters: sj.Clusters, Preempted: sj.Preempted, seq: sj.Seq, factors: sj.Factors,
			prio: sj.Factors.Priority, tenant: t, part: s.partition(sj.Spec.Partition), qosBP: s.qos(sj.Spec.QoS).PriorityBP}
		s.jobs[j.Spec.ID] = j
	}
	if queued != len(sn.Queue) || running != len(sn.Running) || sn.Ranked < 0 || sn.Ranked > len(sn.Queue) {
		return nil, fmt.Errorf("%w: %d queued and %d running jobs, queue lists %d and running %d", ErrMalformed, queued, running, len(sn.Queue), len(sn.Running))
	}
	seen := map[string]bool{}
	for _, id := range append(append([]string(nil), sn.Queue...), sn.Running...) {
		if seen[id] {
			return nil, fmt.Errorf("%w: job %q listed twice", ErrMalformed, id)
		}
		seen[id] = true
	}
	for k, id := range sn.Queue {
		j := s.jobs[id]
		if j == nil || j.State != Queued {
			return nil, fmt.Errorf("%w: queued job %q", ErrMalformed, id)
		}
		j.tenant.queued++
		if k < sn.Ranked {
			s.queue = append(s.queue, qent{prio: j.prio, seq: j.seq, j: j})
		} else {
			s.fresh = append(s.fresh, j)
		}
	}
	for _, id := range sn.Running {
		j := s.jobs[id]
		if j == nil || j.State != Running || int64(len(j.Nodes)) != j.Spec.Nodes {
			return nil, fmt.Errorf("%w: running job %q", ErrMalformed, id)
		}
		p := placement{}
		onNode := map[string]bool{}
		for _, name := range j.Nodes {
			n, ok := s.nodeIdx[name]
			if !ok || onNode[name] || !j.Spec.PerNode.Fits(s.free[n]) {
				return nil, fmt.Errorf("%w: running job %q on node %q", ErrMalformed, id, name)
			}
			onNode[name] = true
			p.nodes = append(p.nodes, n)
		}
		clusters := j.Clusters
		for _, c := range clusters {
			ci, ok := s.clusterIdx[c]
			if !ok {
				return nil, fmt.Errorf("%w: running job %q on cluster %q", ErrMalformed, id, c)
			}
			p.clusters = append(p.clusters, ci)
		}
		j.State = Queued // start() moves it back to Running
		j.tenant.queued++
		s.start(j, p, j.Started, 0, false, 0, "")
	}
	for ci := range s.clusters {
		s.refreshCluster(ci)
	}
	s.seq, s.lastRecalc, s.lastDecay, s.decayStarted, s.stats = sn.Seq, sn.LastRecalc, sn.LastDecay, sn.DecayStarted, sn.Stats
	s.fsEpoch++
	return s, nil
}
