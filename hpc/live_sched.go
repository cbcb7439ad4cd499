package hpc

import (
	"fmt"
	"slices"
	"strings"
)

// ApplyChange feeds a controller's liveness change into the scheduler (§8.1): a stale node takes no
// new jobs, an offline or deregistered node loses its jobs (requeued, returned as decisions), a node
// alive again takes jobs.
func (s *Scheduler) ApplyChange(c Change, draining bool) ([]Decision, error) {
	return s.SetNodeState(c.Node, c.To.SchedulerState(draining), c.At)
}

// PeerNodePrefix names a peer that is another node in a heartbeat's Peers: "node/" and the node's id
// ("node/c2-n7"). Agents probe their peers with signed echoes (hpc/agent) and report the median of the
// last round trips under this name. Node ids are unique across the scheduler's clusters.
const PeerNodePrefix = "node/"

// PeerNode returns the heartbeat peer name of a node.
func PeerNode(id string) string { return PeerNodePrefix + id }

// ObserveHeartbeat takes the node-to-node round trips a node measured (peers named PeerNodePrefix+id,
// from a heartbeat its controller accepted) and returns the peers it ignored: a node the scheduler
// does not know, the node itself, or every peer of a heartbeat from an unknown node or from a cluster
// that is not the node's. Other peers (the agent's "controller") are not about placement and are
// skipped. The latest report of each direction wins.
//
// The latency of a pair is the larger of the two directions' reports (a node cannot make itself look
// nearer than its peer measures it). Placement (§8.3) uses it twice:
//   - between clusters: the median over the measured node pairs of two clusters replaces their
//     configured latency (SetLatency), so clusters are grouped by what their nodes measure;
//   - inside a cluster: a node farther than LatencyGroupMillis from most of the cluster-mates that
//     measured it is remote: it takes single-node jobs only, never a place in a multi-node allocation.
//
// Deterministic: the result depends on the set of latest reports, not their order.
func (s *Scheduler) ObserveHeartbeat(h Heartbeat) (ignored []string) {
	a, ok := s.nodeIdx[h.Node]
	known := ok && s.clusters[s.nodes[a].cluster].ID == h.Cluster
	for _, p := range h.Peers {
		id, isNode := strings.CutPrefix(p.Peer, PeerNodePrefix)
		if !isNode {
			continue
		}
		b, ok := s.nodeIdx[id]
		if !known || !ok || b == a || p.Millis < 0 {
			ignored = append(ignored, p.Peer)
			continue
		}
		s.observeRTT(a, b, p.Millis)
	}
	return ignored
}

// observeRTT records a's round trip to b and updates what depends on the pair.
func (s *Scheduler) observeRTT(a, b int32, millis int64) {
	if s.rtt == nil {
		s.rtt = map[[2]int32]int64{}
	}
	old, seen := s.rtt[[2]int32{a, b}]
	if seen && old == millis {
		return
	}
	s.rtt[[2]int32{a, b}] = millis
	lo, hi := min(a, b), max(a, b)
	if _, back := s.rtt[[2]int32{b, a}]; !seen && !back {
		s.peers[a] = append(s.peers[a], b)
		s.peers[b] = append(s.peers[b], a)
		ca, cb := s.nodes[a].cluster, s.nodes[b].cluster
		if ca != cb {
			k := [2]int{min(ca, cb), max(ca, cb)}
			if s.xpairs == nil {
				s.xpairs = map[[2]int][][2]int32{}
			}
			s.xpairs[k] = append(s.xpairs[k], [2]int32{lo, hi})
		}
	}
	ca, cb := s.nodes[a].cluster, s.nodes[b].cluster
	if ca == cb {
		s.updateRemote(a)
		s.updateRemote(b)
		return
	}
	k := [2]int{min(ca, cb), max(ca, cb)}
	ls := make([]int64, 0, len(s.xpairs[k]))
	for _, p := range s.xpairs[k] {
		ls = append(ls, s.pairRTT(p[0], p[1]))
	}
	slices.Sort(ls)
	if m := ls[(len(ls)-1)/2]; s.lat[ca][cb] != m {
		s.lat[ca][cb], s.lat[cb][ca] = m, m
		s.admission, s.near = nil, nil
	}
}

// pairRTT is the larger of the two directions' reports of a measured pair.
func (s *Scheduler) pairRTT(a, b int32) int64 {
	x, okx := s.rtt[[2]int32{a, b}]
	y, oky := s.rtt[[2]int32{b, a}]
	switch {
	case okx && oky:
		return max(x, y)
	case okx:
		return x
	}
	return y
}

// updateRemote recomputes whether n is remote from its cluster (see ObserveHeartbeat).
func (s *Scheduler) updateRemote(n int32) {
	var mates, far int
	for _, m := range s.peers[n] {
		if s.nodes[m].cluster != s.nodes[n].cluster {
			continue
		}
		mates++
		if s.pairRTT(n, m) > s.cfg.LatencyGroupMillis {
			far++
		}
	}
	s.remote[n] = far*2 > mates
}

// Remote reports whether a node is remote from its cluster's other nodes (see ObserveHeartbeat).
func (s *Scheduler) Remote(id string) (bool, error) {
	n, ok := s.nodeIdx[id]
	if !ok {
		return false, fmt.Errorf("%w: node %s", ErrUnknownNode, id)
	}
	return s.remote[n], nil
}
