package hpc

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Schedule runs one scheduling pass at time now and returns its decisions (§8.3):
//
//  1. running jobs past their runtime limit time out;
//  2. fair-share usage decays (half-life) and, every PriorityRecalcSeconds, the queue is re-ranked by
//     multifactor priority;
//  3. in rank order, each job within its tenant's quota starts if a placement exists now; the first
//     that cannot may preempt lower-QoS jobs if its QoS allows, and otherwise takes the EASY
//     reservation: the earliest time (the shadow time) running jobs are estimated to free nodes
//     for it, on nodes chosen then;
//  4. later jobs backfill: a job starts now if it fits and either ends by the shadow time or avoids
//     the reserved nodes, so the reservation is never delayed.
func (s *Scheduler) Schedule(now int64) []Decision {
	s.stats.Passes++
	s.pass++
	var out []Decision
	out = s.expire(now, out)
	s.decay(now)
	s.rerank(now)
	s.rest = restReason{reason: reasonNoRoom}
	if len(s.queue) == 0 {
		return out
	}
	for i := range s.reserved {
		s.reserved[i] = false
	}
	var (
		head     = false
		shadow   int64
		requeued []*Job
		failed   []shapeFail
		nowOpts  = placeOpts{free: s.free}
		blocked  = false
		tested   = 0
		keep     = make([]qent, 0, len(s.queue))
	)
	for rank := 0; rank < len(s.queue); rank++ {
		e := s.queue[rank]
		j := e.j
		// Nothing more can start: the rest keep their rank and share one reason (see Explain).
		if blocked || (head && (s.idle == 0 || (s.cfg.BackfillDepth > 0 && tested >= s.cfg.BackfillDepth))) {
			switch {
			case blocked:
				s.rest = restReason{reason: reasonBlocked}
			default:
				s.rest = restReason{reason: reasonBehindHead, arg: shadow}
			}
			keep = append(keep, s.queue[rank:]...)
			break
		}
		j.pass = s.pass
		if q := j.tenant.overQuota(j); q != "" {
			j.reason = quotaReason(q)
			keep = append(keep, e)
			continue
		}
		if !head {
			if s.idle > 0 {
				if p, ok := s.place(j, &nowOpts); ok {
					out = append(out, s.start(j, p, now, rank, false, 0, ""))
					continue
				}
			}
			if d, victims, ok := s.preempt(j, now, rank); ok {
				for _, v := range victims {
					out = append(out, Decision{Action: ActionPreempt, Job: v.Spec.ID, At: now, Factors: v.factors, PreemptedBy: j.Spec.ID,
						Reason: fmt.Sprintf("preempted by %s: QoS %s outranks %s", j.Spec.ID, s.qos(j.Spec.QoS).Name, s.qos(v.Spec.QoS).Name)})
				}
				requeued = append(requeued, victims...)
				out = append(out, d)
				continue
			}
			if s.cfg.NoBackfill {
				j.reason = reasonNoRoom
				keep = append(keep, e)
				blocked = true
				continue
			}
			sh, ok := s.reserve(j, now)
			if !ok {
				j.reason = reasonNoGroup
				keep = append(keep, e)
				continue
			}
			head, shadow = true, sh
			j.reason, j.reasonArg = reasonReservation, sh
			out = append(out, Decision{Action: ActionReserve, Job: j.Spec.ID, At: now, Factors: j.factors, Rank: rank + 1, ReservedAt: sh,
				Nodes: s.nodeNames(j.alloc), Reason: fmt.Sprintf("rank %d cannot start now; reserved at %d, when running jobs are estimated to free its nodes", rank+1, sh)})
			j.alloc = nil
			keep = append(keep, e)
			continue
		}
		// backfill
		tested++
		endsBy := now+j.Spec.RuntimeLimitSeconds <= shadow
		j.reason, j.reasonArg = reasonBehindHead, shadow
		if knownFail(failed, j, endsBy) {
			keep = append(keep, e)
			continue
		}
		o := placeOpts{free: s.free, excludeReserved: !endsBy, preferReserved: endsBy}
		if p, ok := s.place(j, &o); ok {
			why := "backfilled: ends by the reservation at %d"
			if !endsBy {
				why = "backfilled: uses no node reserved at %d"
			}
			out = append(out, s.start(j, p, now, rank, true, shadow, fmt.Sprintf(why, shadow)))
			continue
		}
		if len(failed) < maxFailedShapes {
			failed = append(failed, shapeFail{j.part, j.Spec.Nodes, j.Spec.PerNode, endsBy, j.Spec.AllowSpanning, j.Spec.RuntimeLimitSeconds})
		}
		keep = append(keep, e)
	}
	s.queue = keep
	for _, v := range requeued {
		s.enqueue(v)
	}
	return out
}

// qent is a ranked queue entry; the sort key lives in it so ranking touches no job.
type qent struct {
	prio int64
	seq  uint64
	j    *Job
}

func compareEnt(a, b qent) int {
	switch {
	case a.prio > b.prio:
		return -1
	case a.prio < b.prio:
		return 1
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

// restReason is why the jobs a pass did not reach wait.
type restReason struct {
	reason waitReason
	arg    int64
}

func quotaReason(q string) waitReason {
	switch q {
	case "cores":
		return reasonQuotaCores
	case "gpus":
		return reasonQuotaGPUs
	}
	return reasonQuotaJobs
}

// shapeFail is a job shape that found no placement in this pass; resources only shrink during a
// pass, so any job at least as large fails too and is skipped without a scan.
type shapeFail struct {
	part   int
	nodes  int64
	per    Resources
	endsBy bool
	spanOK bool
	limit  int64 // a longer job is allowed by no more clusters
}

func knownFail(failed []shapeFail, j *Job, endsBy bool) bool {
	for _, f := range failed {
		if f.part == j.part && j.Spec.Nodes >= f.nodes && f.per.Fits(j.Spec.PerNode) &&
			(endsBy == f.endsBy || f.endsBy) && (!j.Spec.AllowSpanning || f.spanOK) && j.Spec.RuntimeLimitSeconds >= f.limit {
			return true
		}
	}
	return false
}

func (s *Scheduler) nodeNames(idx []int32) []string {
	out := make([]string, len(idx))
	for i, n := range idx {
		out[i] = s.nodes[n].id
	}
	return out
}

// start puts j on p's nodes.
func (s *Scheduler) start(j *Job, p placement, now int64, rank int, backfilled bool, shadow int64, why string) Decision {
	last := -1
	for _, n := range p.nodes {
		s.setFree(n, s.free[n].sub(j.Spec.PerNode))
		s.nodes[n].running++
		if c := s.nodes[n].cluster; c != last {
			s.refreshCluster(c)
			last = c
		}
	}
	j.alloc = p.nodes
	j.State, j.Started = Running, now
	j.estEnd = now + j.Spec.RuntimeLimitSeconds
	j.Nodes = s.nodeNames(p.nodes)
	j.Clusters = j.Clusters[:0]
	for _, c := range p.clusters {
		j.Clusters = append(j.Clusters, s.clusters[c].ID)
	}
	t := j.tenant
	t.cores += j.Spec.Nodes * j.Spec.PerNode.Cores
	t.gpus += j.Spec.Nodes * j.Spec.PerNode.GPUs
	t.running++
	t.queued--
	s.running = append(s.running, j)
	s.stats.Started++
	if backfilled {
		s.stats.Backfilled++
	}
	reason := fmt.Sprintf("rank %d, priority %d; clusters %s: %s", rank+1, j.prio, strings.Join(j.Clusters, "+"), p.why)
	if p.maxLat > 0 {
		reason += fmt.Sprintf(" (largest latency %d ms)", p.maxLat)
	}
	if why != "" {
		reason += "; " + why
	}
	return Decision{Action: ActionStart, Job: j.Spec.ID, At: now, Nodes: j.Nodes, Clusters: append([]string(nil), j.Clusters...),
		MaxLatencyMillis: p.maxLat, Factors: j.factors, Rank: rank + 1, Backfilled: backfilled, ReservedAt: shadow, Reason: reason}
}

// expire times out running jobs at their limit.
func (s *Scheduler) expire(now int64, out []Decision) []Decision {
	var done []*Job
	for _, j := range s.running {
		if j.estEnd <= now {
			done = append(done, j)
		}
	}
	for _, j := range done {
		s.release(j, j.estEnd)
		j.State, j.Ended = Timeout, j.estEnd
		s.stats.TimedOut++
		out = append(out, Decision{Action: ActionTimeout, Job: j.Spec.ID, At: j.estEnd, Factors: j.factors,
			Reason: fmt.Sprintf("reached its runtime limit of %d s", j.Spec.RuntimeLimitSeconds)})
	}
	return out
}

// decay halves every tenant's usage once per elapsed half-life.
func (s *Scheduler) decay(now int64) {
	if !s.decayStarted {
		s.decayStarted, s.lastDecay = true, now
		return
	}
	hl := s.cfg.FairShareHalfLifeSeconds
	periods := (now - s.lastDecay) / hl
	if periods <= 0 {
		return
	}
	s.lastDecay += periods * hl
	shift := uint(min(periods, 62))
	s.fsEpoch++
	s.totalUsage = 0
	for _, t := range s.tenants { // each tenant independently: order does not matter
		t.usage >>= shift
		s.totalUsage += t.usage
	}
}

// rerank merges newly queued jobs into the ranked queue; every PriorityRecalcSeconds it also
// recomputes every priority and re-sorts (Slurm's PriorityCalcPeriod idiom), otherwise the new jobs
// are ranked by their priority at submission and merged in one linear pass.
func (s *Scheduler) rerank(now int64) {
	if s.cfg.PriorityRecalcSeconds <= 0 || now-s.lastRecalc >= s.cfg.PriorityRecalcSeconds {
		s.lastRecalc = now
		for _, j := range s.fresh {
			s.queue = append(s.queue, qent{j: j})
		}
		s.fresh = s.fresh[:0]
		for i := range s.queue {
			j := s.queue[i].j
			j.factors = s.factors(j, now)
			j.prio = j.factors.Priority
			s.queue[i].prio, s.queue[i].seq = j.prio, j.seq
		}
		slices.SortFunc(s.queue, compareEnt)
		return
	}
	if len(s.fresh) == 0 {
		return
	}
	add := make([]qent, len(s.fresh))
	for i, j := range s.fresh {
		add[i] = qent{prio: j.prio, seq: j.seq, j: j}
	}
	s.fresh = s.fresh[:0]
	slices.SortFunc(add, compareEnt)
	merged := make([]qent, 0, len(s.queue)+len(add))
	a, b := 0, 0
	for a < len(s.queue) || b < len(add) {
		if b == len(add) || (a < len(s.queue) && compareEnt(s.queue[a], add[b]) <= 0) {
			merged = append(merged, s.queue[a])
			a++
		} else {
			merged = append(merged, add[b])
			b++
		}
	}
	s.queue = merged
}

// running jobs in estimated-end order.
func (s *Scheduler) byEstEnd() []*Job {
	rs := append([]*Job(nil), s.running...)
	sort.Slice(rs, func(a, b int) bool {
		if rs[a].estEnd != rs[b].estEnd {
			return rs[a].estEnd < rs[b].estEnd
		}
		return rs[a].seq < rs[b].seq
	})
	return rs
}

// hypothetical returns the idle resources after releasing jobs.
func (s *Scheduler) hypothetical(jobs []*Job) []Resources {
	if cap(s.scratch) < len(s.free) {
		s.scratch = make([]Resources, len(s.free))
	}
	h := s.scratch[:len(s.free)]
	copy(h, s.free)
	for _, r := range jobs {
		for _, n := range r.alloc {
			h[n] = h[n].add(r.Spec.PerNode)
		}
	}
	return h
}

// reserve computes j's EASY reservation: the smallest prefix of running jobs (by estimated end) whose
// release lets j fit, extended to every job estimated to end at that same instant (TARGETS "hpc":
// a job ending exactly at the shadow time frees its nodes for the backfill too). j's reserved nodes
// prefer nodes busy now, leaving idle ones to backfill. It marks s.reserved and returns the shadow.
func (s *Scheduler) reserve(j *Job, now int64) (int64, bool) {
	rs := s.byEstEnd()
	fits := func(k int) bool {
		_, ok := s.place(j, &placeOpts{free: s.hypothetical(rs[:k])})
		return ok
	}
	k := sort.Search(len(rs)+1, func(k int) bool { return k > 0 && fits(k) })
	if k > len(rs) {
		return 0, false
	}
	shadow := rs[k-1].estEnd
	for k < len(rs) && rs[k].estEnd == shadow {
		k++
	}
	p, ok := s.place(j, &placeOpts{free: s.hypothetical(rs[:k]), preferBusyNow: true})
	if !ok {
		return 0, false
	}
	for _, n := range p.nodes {
		s.reserved[n] = true
	}
	j.alloc = p.nodes // shown in the Reserve decision, then cleared
	return max(shadow, now), true
}
