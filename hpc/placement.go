package hpc

import (
	"math"
	"sort"
)

// placement is where a job would run.
type placement struct {
	nodes    []int32
	clusters []int // in allocation order
	maxLat   int64
	// why names the rule that chose the clusters.
	why string
}

// placeOpts selects the resource view and the node preferences of one placement.
type placeOpts struct {
	free            []Resources // idle resources per node; s.free for "now"
	excludeReserved bool        // avoid the head's reserved nodes (a backfill job ending after the shadow)
	preferReserved  bool        // use reserved nodes first (a backfill job ending before the shadow)
	preferBusyNow   bool        // use nodes that are busy now first (the head's reservation)
	admission       bool        // every node counts as up (capacity check at submission)
}

// usable reports whether node n can take a share per of a job of need nodes under o. A remote node
// (see ObserveHeartbeat) takes single-node jobs only; admission counts it, as it may come near again.
func (s *Scheduler) usable(n int32, per Resources, need int64, o *placeOpts) bool {
	if (!o.admission && (s.nodes[n].state != NodeUp || (need > 1 && s.remote[n]))) || !per.Fits(o.free[n]) {
		return false
	}
	return !(o.excludeReserved && s.reserved[n])
}

// place finds nodes for j under o (§8.3). Rules, in order:
//  1. one cluster: the cluster with the fewest usable nodes that still has enough (best fit, which
//     keeps large clusters whole for large jobs), lowest index on ties;
//  2. a group of clusters whose mutual latency is ≤ LatencyGroupMillis: seeded from each cluster,
//     growing by nearest cluster; the group with the smallest largest latency wins, then the fewest
//     clusters, then the lowest seed;
//  3. with AllowSpanning only, the same growth ignoring the latency bound.
//
// Cluster latencies are the measured ones when nodes report them (ObserveHeartbeat), else the
// configured ones; a multi-node job never gets a node that is remote from its own cluster.
func (s *Scheduler) place(j *Job, o *placeOpts) (placement, bool) {
	per, need := j.Spec.PerNode, j.Spec.Nodes
	if cap(s.counts) < len(s.clusters) {
		s.counts = make([]int64, len(s.clusters))
	}
	counts := s.counts[:len(s.clusters)]
	best := -1
	var total int64
	nowView := !o.admission && len(o.free) > 0 && &o.free[0] == &s.free[0]
	for ci, c := range s.clusters {
		var k int64
		if (!nowView || per.Fits(c.maxFree)) && c.allows(j) {
			for _, n := range s.nodesOf(ci, j.part) {
				if s.usable(n, per, need, o) {
					k++
				}
			}
		}
		counts[ci] = k
		total += k
		if k >= need && (best < 0 || k < counts[best]) {
			best = ci
		}
	}
	if total < need {
		return placement{}, false
	}
	if best >= 0 {
		p := placement{clusters: []int{best}, why: "best fit: the cluster with the fewest idle nodes that fit"}
		p.nodes = s.pick(j, o, p.clusters, counts)
		return p, true
	}
	group, lat, ok := s.group(counts, need, s.cfg.LatencyGroupMillis)
	why := "no single cluster has room; the nearest clusters within the latency bound"
	if !ok && j.Spec.AllowSpanning {
		group, lat, ok = s.group(counts, need, math.MaxInt64)
		why = "no group within the latency bound has room; spanning allowed by the job"
	}
	if !ok {
		return placement{}, false
	}
	p := placement{clusters: group, maxLat: lat, why: why}
	p.nodes = s.pick(j, o, group, counts)
	return p, true
}

// group grows a latency group from every seed and returns the best (see place).
func (s *Scheduler) group(counts []int64, need, bound int64) ([]int, int64, bool) {
	var best []int
	bestLat := int64(-1)
	near := s.nearestClusters()
	for seed := range counts {
		if counts[seed] == 0 {
			continue
		}
		g := []int{seed}
		got, maxLat := counts[seed], int64(0)
		for _, c := range near[seed] {
			if got >= need {
				break
			}
			if counts[c] == 0 {
				continue
			}
			l, ok := s.groupLatency(g, c, bound)
			if !ok {
				continue
			}
			g = append(g, c)
			got += counts[c]
			maxLat = max(maxLat, l)
		}
		if got < need {
			continue
		}
		if bestLat < 0 || maxLat < bestLat || (maxLat == bestLat && len(g) < len(best)) {
			best, bestLat = g, maxLat
		}
	}
	return best, bestLat, bestLat >= 0
}

// allows reports whether the cluster's partition accepts j's runtime limit.
func (c *scluster) allows(j *Job) bool {
	if j.part >= len(c.maxRun) {
		return true // no such partition here: it has no nodes either
	}
	m := c.maxRun[j.part]
	return m == 0 || j.Spec.RuntimeLimitSeconds <= m
}

// nearestClusters returns, per cluster, the other clusters of known latency, nearest first (lower
// index on ties); cached until a latency or a cluster changes.
func (s *Scheduler) nearestClusters() [][]int {
	if s.near != nil {
		return s.near
	}
	s.near = make([][]int, len(s.clusters))
	for seed := range s.clusters {
		var order []int
		for c := range s.clusters {
			if c != seed && s.lat[seed][c] >= 0 {
				order = append(order, c)
			}
		}
		sort.SliceStable(order, func(a, b int) bool { return s.lat[seed][order[a]] < s.lat[seed][order[b]] })
		s.near[seed] = order
	}
	return s.near
}

// groupLatency returns the largest latency from c to the members of g, false when one is unknown or
// above bound.
func (s *Scheduler) groupLatency(g []int, c int, bound int64) (int64, bool) {
	var m int64
	for _, x := range g {
		l := s.lat[x][c]
		if l < 0 || l > bound {
			return 0, false
		}
		m = max(m, l)
	}
	return m, true
}

// pick chooses the nodes inside the chosen clusters, preferred nodes first, then by index.
func (s *Scheduler) pick(j *Job, o *placeOpts, clusters []int, counts []int64) []int32 {
	per, need := j.Spec.PerNode, j.Spec.Nodes
	out := make([]int32, 0, need)
	prefer := func(n int32) bool {
		switch {
		case o.preferReserved:
			return s.reserved[n]
		case o.preferBusyNow:
			return !per.Fits(s.free[n])
		}
		return false
	}
	for _, ci := range clusters {
		nodes := s.nodesOf(ci, j.part)
		for pass := 0; pass < 2 && int64(len(out)) < need; pass++ {
			if pass == 0 && !o.preferReserved && !o.preferBusyNow {
				continue
			}
			for _, n := range nodes {
				if int64(len(out)) == need {
					break
				}
				if !s.usable(n, per, need, o) {
					continue
				}
				p := prefer(n)
				if (pass == 0) != p && (o.preferReserved || o.preferBusyNow) {
					continue
				}
				out = append(out, n)
			}
		}
	}
	return out
}

// placeable reports whether j fits the registered nodes when all are idle and up (admission). The
// answer per job shape is cached until the topology changes.
func (s *Scheduler) placeable(j *Job) bool {
	k := shapeKey{part: j.Spec.Partition, nodes: j.Spec.Nodes, per: j.Spec.PerNode, span: j.Spec.AllowSpanning, runClass: s.runClass(j)}
	if ok, hit := s.admission[k]; hit {
		return ok
	}
	_, ok := s.place(j, &placeOpts{free: s.caps, admission: true})
	if s.admission == nil {
		s.admission = map[shapeKey]bool{}
	}
	s.admission[k] = ok
	return ok
}

type shapeKey struct {
	part     string
	nodes    int64
	per      Resources
	span     bool
	runClass int64 // jobs of one class are allowed by the same clusters
}

// runClass is the smallest partition runtime cap at or above j's limit (0 when no cap is): the
// clusters that allow j are the same for every job of its class.
func (s *Scheduler) runClass(j *Job) int64 {
	var class int64
	for _, c := range s.clusters {
		if j.part < len(c.maxRun) {
			if m := c.maxRun[j.part]; m >= j.Spec.RuntimeLimitSeconds && (class == 0 || m < class) {
				class = m
			}
		}
	}
	return class
}
