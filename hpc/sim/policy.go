package sim

import (
	"sort"
)

// Policy decides which queued jobs start at a scheduling point. The interface is sealed: the
// simulator's policies are FCFS, EASY and Default (and Priority for experiments).
type Policy interface {
	// Name is the policy's name as the CLI spells it.
	Name() string
	schedule(m *Machine)
}

// FCFS starts jobs strictly in submit order: the head waits until enough processors are idle, and
// nothing overtakes it.
func FCFS() Policy { return fcfs{} }

type fcfs struct{}

func (fcfs) Name() string { return "fcfs" }

func (fcfs) schedule(m *Machine) {
	i := 0
	for i < len(m.queue) && m.tryStart(m.queue[i]) {
		i++
	}
	m.queue = m.queue[i:]
}

// EASY is FCFS with aggressive backfilling (Lifka, "The ANL/IBM SP scheduling system", JSSPP 1995):
// only the queue's head holds a reservation, at the earliest time enough processors are estimated to
// be idle (the shadow time); a later job may start now if it fits and either ends by the shadow time
// or uses only processors the head will not need then (the extra processors).
func EASY() Policy { return backfill{name: "easy"} }

// backfill is EASY over a queue ordered by an optional priority function (higher first, submit order
// on ties). With prio nil it is plain EASY.
type backfill struct {
	name string
	prio func(now int64, j *Job) int64
}

func (b backfill) Name() string { return b.name }

func (b backfill) schedule(m *Machine) {
	q := m.queue
	if b.prio != nil {
		for _, c := range q {
			c.prio = b.prio(m.now, c.j)
		}
		sort.Slice(q, func(x, y int) bool {
			if q[x].prio != q[y].prio {
				return q[x].prio > q[y].prio
			}
			return q[x].idx < q[y].idx
		})
	}
	i := 0
	for i < len(q) && m.tryStart(q[i]) {
		i++
	}
	q = q[i:]
	if len(q) <= 1 || m.free == 0 {
		m.queue = q
		return
	}
	shadow, extra := m.reservation(q[0].j.Procs)
	keep := q[:1]
	for k, c := range q[1:] {
		if m.free == 0 {
			keep = append(keep, q[1+k:]...)
			break
		}
		alloc, est, run, span, ok := m.placement(c)
		if ok && (m.now+est <= shadow || c.j.Procs <= extra) {
			if m.now+est > shadow {
				extra -= c.j.Procs
			}
			m.start(c, alloc, est, run, span)
			m.res.Backfilled++
			continue
		}
		keep = append(keep, c)
	}
	m.queue = keep
}

// reservation returns the shadow time at which procs processors are estimated to be idle, and the
// processors idle then beyond procs. Every running job estimated to end exactly at the shadow time is
// counted (TARGETS "hpc": missing those under-counts the extra processors).
func (m *Machine) reservation(procs int64) (shadow, extra int64) {
	rs := make([]*qjob, len(m.run))
	copy(rs, m.run)
	sort.Slice(rs, func(a, b int) bool {
		if rs[a].estEnd != rs[b].estEnd {
			return rs[a].estEnd < rs[b].estEnd
		}
		return rs[a].idx < rs[b].idx
	})
	avail := m.free
	for i := 0; i < len(rs); i++ {
		avail += rs[i].j.Procs
		if avail < procs {
			continue
		}
		shadow = rs[i].estEnd
		for i+1 < len(rs) && rs[i+1].estEnd == shadow {
			i++
			avail += rs[i].j.Procs
		}
		return shadow, avail - procs
	}
	// unreachable for a validated workload: every job fits the empty machine
	return m.now, 0
}
