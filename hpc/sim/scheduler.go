package sim

import (
	"container/heap"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"

	"github.com/virtengine/sdk/hpc"
)

// SchedulerEASY is the configuration under which the production scheduler behaves as EASY on a
// trace: no priority factors (submission order), no starvation guard, backfilling on.
func SchedulerEASY() hpc.Config {
	return hpc.Config{StarvationSeconds: -1, PriorityRecalcSeconds: -1, MinRuntimeSeconds: 1, BackfillDepth: -1}
}

// SchedulerDefault is the production scheduler's default configuration, with a 1 s runtime floor
// so every trace job is admitted and re-ranking at every pass as in the Default policy.
func SchedulerDefault() hpc.Config {
	c := hpc.DefaultConfig()
	c.MinRuntimeSeconds = 1
	c.PriorityRecalcSeconds = -1
	c.BackfillDepth = -1
	return c
}

// runScheduler replays w through the production scheduler (package hpc): one cluster of
// single-core nodes per site (one site by default) with the configured latencies, one tenant, every
// job asking Procs nodes of one core with its estimate as runtime limit. It is the end-to-end check
// that hpc.Scheduler's EASY backfilling (node reservations, backfill rules) matches the reference
// simulator, and it measures the scheduler's decisions per second on a real workload.
//
// With sites, jobs may span clusters (AllowSpanning); one that does runs slower by the span penalty,
// and its runtime limit is raised by the largest penalty the latency matrix allows, so the scheduler
// plans with a safe estimate and never times it out.
func runScheduler(w *Workload, name string, cfg hpc.Config, m *Machine) (*Result, error) {
	s := hpc.NewScheduler(cfg)
	seed := sha256.Sum256([]byte("virtengine/hpc/sim/replay-provider"))
	prov := ed25519.NewKeyFromSeed(seed[:])
	var worst int64
	for si, site := range m.sites {
		if err := s.AddCluster(hpc.Cluster{ID: site.Name, Provider: "replay", Partitions: []hpc.Partition{{Name: "batch"}},
			ProviderKey: prov.Public().(ed25519.PublicKey)}); err != nil {
			return nil, err
		}
		for i := int64(0); i < site.Procs; i++ {
			reg := hpc.NodeRegistration{Cluster: site.Name, Node: site.Name + "-n" + strconv.FormatInt(i, 10), Partition: "batch",
				Capacity: hpc.Resources{Cores: 1}, NodeKey: prov.Public().(ed25519.PublicKey)}
			sr, err := hpc.SignRegistration(reg, prov)
			if err != nil {
				return nil, err
			}
			if err := s.AddNode(sr); err != nil {
				return nil, err
			}
		}
		for sj := 0; sj < si; sj++ {
			if err := s.SetLatency(m.sites[sj].Name, site.Name, m.lat[sj][si]); err != nil {
				return nil, err
			}
			if m.lat[sj][si] > LatencyGroupMillis {
				worst = max(worst, m.lat[sj][si])
			}
		}
	}
	if err := s.AddTenant(hpc.Tenant{ID: "trace"}); err != nil {
		return nil, err
	}
	spanning := len(m.sites) > 1
	inflate := func(x, lat int64) int64 { return x + x*lat*m.penalty/10000 }
	n := len(w.Jobs)
	res := &Result{Policy: name, Sites: len(m.sites), WaitPerJob: make([]int64, n), StartPerJob: make([]int64, n)}
	runs := make([]int64, n)
	ids := make(map[string]int, n)
	var rh endHeap
	jobs := make([]qjob, n)
	began := time.Now()
	next := 0
	for next < n || rh.Len() > 0 || s.Queued() > 0 {
		t := int64(-1)
		if rh.Len() > 0 {
			t = rh.peek().end
		}
		if next < n && (t < 0 || w.Jobs[next].Submit < t) {
			t = w.Jobs[next].Submit
		}
		if t < 0 {
			return nil, fmt.Errorf("%w: %d jobs queued on an idle machine", ErrInvalid, s.Queued())
		}
		for rh.Len() > 0 && rh.peek().end == t {
			q := heap.Pop(&rh).(*qjob)
			if err := s.Complete("j"+strconv.Itoa(q.idx), hpc.Completed, t); err != nil {
				return nil, err
			}
		}
		for next < n && w.Jobs[next].Submit == t {
			j := &w.Jobs[next]
			id := "j" + strconv.Itoa(next)
			ids[id] = next
			spec := hpc.JobSpec{ID: id, Tenant: "trace", Account: "trace", Partition: "batch", Nodes: j.Procs,
				PerNode: hpc.Resources{Cores: 1}, RuntimeLimitSeconds: max(inflate(j.Estimate, worst), 1), Image: "trace",
				AllowSpanning: spanning}
			if err := s.Submit(spec, t); err != nil {
				return nil, err
			}
			next++
		}
		for _, d := range s.Schedule(t) {
			switch d.Action {
			case hpc.ActionStart:
				i := ids[d.Job]
				run := w.Jobs[i].Run
				if d.MaxLatencyMillis > LatencyGroupMillis {
					run = inflate(run, d.MaxLatencyMillis)
					res.SpanningJobs++
				}
				jobs[i] = qjob{idx: i, j: &w.Jobs[i], start: t, end: t + run}
				heap.Push(&rh, &jobs[i])
				res.WaitPerJob[i] = t - w.Jobs[i].Submit
				res.StartPerJob[i] = t
				runs[i] = run
				if d.Backfilled {
					res.Backfilled++
				}
			case hpc.ActionTimeout, hpc.ActionPreempt, hpc.ActionRequeue:
				return nil, fmt.Errorf("sim: unexpected %s of %s in a trace replay", d.Action, d.Job)
			}
		}
	}
	res.WallSeconds = time.Since(began).Seconds()
	if res.WallSeconds > 0 {
		res.DecisionsPerS = float64(s.Stats().Started) / res.WallSeconds
	}
	summarize(res, w, runs)
	return res, nil
}
