package sim

import "sort"

// Result is what a run reports. JSON keys are those of `virtengine hpc simulate`.
type Result struct {
	Policy        string  `json:"policy"`
	Jobs          int     `json:"jobs"`
	Skipped       int     `json:"skipped"`
	Procs         int64   `json:"procs"`
	Sites         int     `json:"sites"`
	MeanWait      float64 `json:"mean_wait_s"`
	P50Wait       int64   `json:"p50_wait_s"`
	P95Wait       int64   `json:"p95_wait_s"`
	MaxWait       int64   `json:"max_wait_s"`
	MeanBSLD      float64 `json:"mean_bsld"`
	Utilization   float64 `json:"utilization"`  // busy processor-seconds / (procs × (last end − first submit))
	OfferedLoad   float64 `json:"offered_load"` // requested processor-seconds / (procs × (last submit − first submit))
	Makespan      int64   `json:"makespan_s"`
	SpanningJobs  int     `json:"spanning_jobs"` // jobs placed on sites farther apart than LatencyGroupMillis
	Backfilled    int     `json:"backfilled"`    // jobs started ahead of the queue's head
	Preempted     int     `json:"preempted"`
	DecisionsPerS float64 `json:"decisions_per_s"` // job starts per second of wall time (informational)
	WallSeconds   float64 `json:"wall_s"`
	WaitPerJob    []int64 `json:"-"` // wait of every job, in workload order
	StartPerJob   []int64 `json:"-"` // start time of every job, in workload order
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of sorted xs.
func percentile(sorted []int64, p int) int64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 · n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func summarize(r *Result, w *Workload, runs []int64) {
	n := len(w.Jobs)
	r.Jobs = n
	r.Skipped = w.Skipped
	r.Procs = w.Procs
	if n == 0 {
		return
	}
	var sumWait int64
	var sumBSLD float64
	var busy, lastEnd int64
	waits := make([]int64, n)
	for i, j := range w.Jobs {
		wait := r.WaitPerJob[i]
		waits[i] = wait
		sumWait += wait
		run := runs[i]
		den := run
		if den < BSLDFloorSeconds {
			den = BSLDFloorSeconds
		}
		b := float64(wait+run) / float64(den)
		if b < 1 {
			b = 1
		}
		sumBSLD += b
		busy += run * j.Procs
		if e := r.StartPerJob[i] + run; e > lastEnd {
			lastEnd = e
		}
	}
	sort.Slice(waits, func(a, b int) bool { return waits[a] < waits[b] })
	r.MeanWait = float64(sumWait) / float64(n)
	r.MeanBSLD = sumBSLD / float64(n)
	r.P50Wait = percentile(waits, 50)
	r.P95Wait = percentile(waits, 95)
	r.MaxWait = waits[n-1]
	first, lastSubmit := w.Jobs[0].Submit, w.Jobs[n-1].Submit
	r.Makespan = lastEnd - first
	if r.Makespan > 0 {
		r.Utilization = float64(busy) / (float64(w.Procs) * float64(r.Makespan))
	}
	var offered int64
	for _, j := range w.Jobs {
		offered += j.Run * j.Procs
	}
	if span := lastSubmit - first; span > 0 {
		r.OfferedLoad = float64(offered) / (float64(w.Procs) * float64(span))
	}
}
