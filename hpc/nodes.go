package hpc

import "fmt"

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
	s.remote = append(s.remote, false)
	s.peers = append(s.peers, nil)
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
