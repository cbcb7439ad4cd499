package hpc

// ApplyChange feeds a controller's liveness change into the scheduler (§8.1): a stale node takes no
// new jobs, an offline or deregistered node loses its jobs (requeued, returned as decisions), a node
// alive again takes jobs.
func (s *Scheduler) ApplyChange(c Change, draining bool) ([]Decision, error) {
	return s.SetNodeState(c.Node, c.To.SchedulerState(draining), c.At)
}
