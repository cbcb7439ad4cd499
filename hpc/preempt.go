package hpc

import (
	"fmt"
	"sort"
)

// preempt tries to start j by stopping running jobs of a lower QoS level (§8.3). Victims are taken
// lowest level first, then most recently started (least work lost), and only the smallest such prefix
// that makes room is considered; of it, only the jobs on the chosen nodes are stopped. Victims return
// to the queue (Running → Queued) with their original submission time, so they keep their age.
func (s *Scheduler) preempt(j *Job, now int64, rank int) (Decision, []*Job, bool) {
	q := s.qos(j.Spec.QoS)
	if !q.CanPreempt {
		return Decision{}, nil, false
	}
	var cands []*Job
	for _, r := range s.running {
		rq := s.qos(r.Spec.QoS)
		if rq.Preemptible && rq.Level < q.Level {
			cands = append(cands, r)
		}
	}
	if len(cands) == 0 {
		return Decision{}, nil, false
	}
	sort.Slice(cands, func(a, b int) bool {
		la, lb := s.qos(cands[a].Spec.QoS).Level, s.qos(cands[b].Spec.QoS).Level
		if la != lb {
			return la < lb
		}
		if cands[a].Started != cands[b].Started {
			return cands[a].Started > cands[b].Started
		}
		return cands[a].seq > cands[b].seq
	})
	k := sort.Search(len(cands)+1, func(k int) bool {
		if k == 0 {
			return false
		}
		_, ok := s.place(j, &placeOpts{free: s.hypothetical(cands[:k])})
		return ok
	})
	if k > len(cands) {
		return Decision{}, nil, false
	}
	p, _ := s.place(j, &placeOpts{free: s.hypothetical(cands[:k])})
	chosen := make(map[int32]bool, len(p.nodes))
	for _, n := range p.nodes {
		chosen[n] = true
	}
	var victims []*Job
	for _, v := range cands[:k] {
		for _, n := range v.alloc {
			if chosen[n] {
				victims = append(victims, v)
				break
			}
		}
	}
	var names []string
	for _, v := range victims {
		s.release(v, now)
		v.State = Queued
		v.Preempted++
		v.tenant.queued++
		s.stats.Preempted++
		names = append(names, v.Spec.ID)
	}
	// the released resources now fit exactly the chosen nodes
	d := s.start(j, p, now, rank, false, 0, fmt.Sprintf("preempted %v (lower QoS) to start now", names))
	d.Victims = names
	return d, victims, true
}
