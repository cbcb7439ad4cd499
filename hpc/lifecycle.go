package hpc

import (
	"fmt"

	"github.com/virtengine/sdk/envelope"
)

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
	j := &Job{Spec: spec, State: Queued, Submitted: now, tenant: t, part: s.partition(spec.Partition), qosBP: s.qos(spec.QoS).PriorityBP}
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
