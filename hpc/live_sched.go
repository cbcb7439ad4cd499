package hpc

// ApplyChange feeds a controller's liveness change into the scheduler (§8.1): a stale node takes no
// new jobs, an offline or deregistered node loses its jobs (requeued, returned as decisions), a node
// alive again takes jobs.
func (s *Scheduler) ApplyChange(c Change, draining bool) ([]Decision, error) {
	return s.SetNodeState(c.Node, c.To.SchedulerState(draining), c.At)
}

// PeerClusterPrefix names a peer that is another cluster in a heartbeat's Peers ("cluster/c2"):
// agents measure the round trip to a node of that cluster.
const PeerClusterPrefix = "cluster/"

// ObserveHeartbeat takes the inter-cluster latencies a node measured (peers named
// PeerClusterPrefix+id) as the latency between its cluster and those clusters; the latest report
// wins. Unknown clusters are ignored. Placement uses these latencies to group clusters (§8.3).
func (s *Scheduler) ObserveHeartbeat(h Heartbeat) {
	for _, p := range h.Peers {
		if len(p.Peer) > len(PeerClusterPrefix) && p.Peer[:len(PeerClusterPrefix)] == PeerClusterPrefix {
			other := p.Peer[len(PeerClusterPrefix):]
			if other != h.Cluster {
				_ = s.SetLatency(h.Cluster, other, p.Millis) // unknown cluster: nothing to learn
			}
		}
	}
}
