package sim

import (
	"container/heap"
	"fmt"
	"sort"
	"time"

	"github.com/virtengine/sdk/hpc"
)

// Config says how to run a workload.
type Config struct {
	Policy Policy // FCFS(), EASY() or Default(); nil means EASY()
	// Scheduler, when set, replays the workload through the production scheduler (package hpc) with
	// this configuration instead of Policy; SchedulerName names it in the Result.
	Scheduler     *hpc.Config
	SchedulerName string
	// Sites splits the machine into sites (their Procs must sum to the workload's); empty means one site.
	Sites []Site
	// LatencyMillis[a][b] is the round-trip latency between sites a and b (symmetric, zero diagonal).
	LatencyMillis [][]int64
	// SpanPenaltyBPPerMilli slows a job placed on sites whose largest mutual latency L exceeds
	// LatencyGroupMillis: its run time (and estimate) grow by L × SpanPenaltyBPPerMilli basis points.
	// 0 means DefaultSpanPenaltyBPPerMilli.
	SpanPenaltyBPPerMilli int64
}

// Site is one part of a split machine.
type Site struct {
	Name  string `json:"name"`
	Procs int64  `json:"procs"`
}

// DefaultSpanPenaltyBPPerMilli is a 1% slowdown per millisecond of latency for a job that spans sites
// farther apart than LatencyGroupMillis: a tightly coupled (MPI) job pays for every synchronisation.
const DefaultSpanPenaltyBPPerMilli = 100

// qjob is a job in the simulator.
type qjob struct {
	idx      int // index in the workload
	j        *Job
	est      int64 // estimate at start (penalty included)
	run      int64 // actual run at start (penalty included)
	start    int64
	estEnd   int64
	end      int64
	alloc    []int64 // processors per site
	prio     int64   // policy's priority (higher first), set per pass
	heapIdx  int
	spanning bool
}

type endHeap []*qjob

func (h endHeap) Len() int { return len(h) }
func (h endHeap) Less(a, b int) bool {
	if h[a].end != h[b].end {
		return h[a].end < h[b].end
	}
	return h[a].idx < h[b].idx
}
func (h endHeap) Swap(a, b int)    { h[a], h[b] = h[b], h[a]; h[a].heapIdx = a; h[b].heapIdx = b }
func (h *endHeap) Push(x any)      { q := x.(*qjob); q.heapIdx = len(*h); *h = append(*h, q) }
func (h *endHeap) Pop() any        { old := *h; q := old[len(old)-1]; *h = old[:len(old)-1]; return q }
func (h endHeap) peek() *qjob      { return h[0] }
func (h endHeap) running() []*qjob { return h }

// Machine is the state a Policy sees at a scheduling point.
type Machine struct {
	now      int64
	total    int64
	free     int64
	sites    []Site
	siteFree []int64
	lat      [][]int64
	penalty  int64
	queue    []*qjob // waiting jobs in submit order
	run      endHeap
	res      *Result
	head     *qjob // current queue head of the policy's order (for backfill accounting)
}

// Now returns the simulated time of the scheduling point.
func (m *Machine) Now() int64 { return m.now }

// Free returns the idle processors.
func (m *Machine) Free() int64 { return m.free }

// placement computes where q would run now and its penalised estimate and run time. ok is false when
// the machine has too few idle processors.
func (m *Machine) placement(q *qjob) (alloc []int64, est, run int64, spanning, ok bool) {
	p := q.j.Procs
	if p > m.free {
		return nil, 0, 0, false, false
	}
	if len(m.sites) <= 1 {
		return nil, q.j.Estimate, q.j.Run, false, true
	}
	alloc, maxLat := placeLatencyAware(p, m.siteFree, m.lat)
	est, run = q.j.Estimate, q.j.Run
	if maxLat > LatencyGroupMillis {
		spanning = true
		est += est * maxLat * m.penalty / 10000
		run += run * maxLat * m.penalty / 10000
	}
	return alloc, est, run, spanning, true
}

// Start starts queued job q now; the policy has checked that it fits.
func (m *Machine) start(q *qjob, alloc []int64, est, run int64, spanning bool) {
	q.start, q.est, q.run, q.alloc, q.spanning = m.now, est, run, alloc, spanning
	q.estEnd, q.end = m.now+est, m.now+run
	m.free -= q.j.Procs
	for s, n := range alloc {
		m.siteFree[s] -= n
	}
	heap.Push(&m.run, q)
	m.res.WaitPerJob[q.idx] = m.now - q.j.Submit
	m.res.StartPerJob[q.idx] = m.now
	if spanning {
		m.res.SpanningJobs++
	}
}

// tryStart starts q if it fits now and, when limit ≥ 0, its estimated end is ≤ limit or it uses at
// most extra processors. It reports whether q started and whether it ended after limit.
func (m *Machine) tryStart(q *qjob) bool {
	alloc, est, run, span, ok := m.placement(q)
	if !ok {
		return false
	}
	m.start(q, alloc, est, run, span)
	return true
}

// Run simulates w under cfg.
func Run(w *Workload, cfg Config) (*Result, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	pol := cfg.Policy
	if pol == nil {
		pol = EASY()
	}
	m := &Machine{total: w.Procs, free: w.Procs, penalty: cfg.SpanPenaltyBPPerMilli}
	if m.penalty == 0 {
		m.penalty = DefaultSpanPenaltyBPPerMilli
	}
	if err := m.setSites(w.Procs, cfg.Sites, cfg.LatencyMillis); err != nil {
		return nil, err
	}
	if cfg.Scheduler != nil {
		name := cfg.SchedulerName
		if name == "" {
			name = "scheduler"
		}
		return runScheduler(w, name, *cfg.Scheduler, m)
	}
	n := len(w.Jobs)
	res := &Result{Policy: pol.Name(), Sites: len(m.sites), WaitPerJob: make([]int64, n), StartPerJob: make([]int64, n)}
	m.res = res
	runs := make([]int64, n)
	jobs := make([]qjob, n)
	began := time.Now()
	next := 0
	for next < n || len(m.queue) > 0 || m.run.Len() > 0 {
		// the next event time: earliest completion or arrival
		t := int64(-1)
		if m.run.Len() > 0 {
			t = m.run.peek().end
		}
		if next < n && (t < 0 || w.Jobs[next].Submit < t) {
			t = w.Jobs[next].Submit
		}
		if t < 0 {
			return nil, fmt.Errorf("%w: %d jobs queued on an idle machine (policy %s cannot start them)", ErrInvalid, len(m.queue), pol.Name())
		}
		m.now = t
		for m.run.Len() > 0 && m.run.peek().end == t {
			q := heap.Pop(&m.run).(*qjob)
			m.free += q.j.Procs
			for s, k := range q.alloc {
				m.siteFree[s] += k
			}
			runs[q.idx] = q.run
		}
		for next < n && w.Jobs[next].Submit == t {
			jobs[next] = qjob{idx: next, j: &w.Jobs[next]}
			m.queue = append(m.queue, &jobs[next])
			next++
		}
		if len(m.queue) > 0 && m.free > 0 {
			pol.schedule(m)
		}
	}
	res.WallSeconds = time.Since(began).Seconds()
	if res.WallSeconds > 0 {
		res.DecisionsPerS = float64(n) / res.WallSeconds
	}
	summarize(res, w, runs)
	return res, nil
}

func (m *Machine) setSites(total int64, sites []Site, lat [][]int64) error {
	if len(sites) == 0 {
		m.sites = []Site{{Name: "site0", Procs: total}}
		m.siteFree = []int64{total}
		return nil
	}
	if len(sites) > MaxSites {
		return fmt.Errorf("%w: %d sites, at most %d", ErrInvalid, len(sites), MaxSites)
	}
	var sum int64
	for _, s := range sites {
		if s.Procs <= 0 {
			return fmt.Errorf("%w: site %q has %d processors", ErrInvalid, s.Name, s.Procs)
		}
		sum += s.Procs
	}
	if sum != total {
		return fmt.Errorf("%w: sites hold %d processors, the machine %d", ErrInvalid, sum, total)
	}
	if len(lat) != len(sites) {
		return fmt.Errorf("%w: latency matrix has %d rows for %d sites", ErrInvalid, len(lat), len(sites))
	}
	for a := range lat {
		if len(lat[a]) != len(sites) {
			return fmt.Errorf("%w: latency row %d has %d entries for %d sites", ErrInvalid, a, len(lat[a]), len(sites))
		}
		for b := range lat[a] {
			if lat[a][b] < 0 || lat[a][b] != lat[b][a] || (a == b && lat[a][b] != 0) {
				return fmt.Errorf("%w: latency matrix must be symmetric, non-negative, zero on the diagonal (row %d col %d)", ErrInvalid, a, b)
			}
		}
	}
	m.sites = sites
	m.siteFree = make([]int64, len(sites))
	for i, s := range sites {
		m.siteFree[i] = s.Procs
	}
	m.lat = lat
	return nil
}

// placeLatencyAware picks processors for a job of p processors from the idle processors per site:
// the single site with the least idle processors that fits (best fit); otherwise, for each seed site,
// the nearest sites in order of latency from it until p is reached; the group with the lowest largest
// mutual latency wins (then fewer sites, then the lower seed). It returns the processors taken per site
// and the group's largest mutual latency. The caller has checked that the sites hold p idle processors.
func placeLatencyAware(p int64, free []int64, lat [][]int64) ([]int64, int64) {
	best := -1
	for s, f := range free {
		if f >= p && (best < 0 || f < free[best]) {
			best = s
		}
	}
	alloc := make([]int64, len(free))
	if best >= 0 {
		alloc[best] = p
		return alloc, 0
	}
	var bestGroup []int
	bestLat := int64(-1)
	order := make([]int, len(free))
	for seed := range free {
		if free[seed] == 0 {
			continue
		}
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return lat[seed][order[a]] < lat[seed][order[b]] })
		var got int64
		var group []int
		var maxLat int64
		for _, s := range order {
			if free[s] == 0 {
				continue
			}
			for _, g := range group {
				if lat[g][s] > maxLat {
					maxLat = lat[g][s]
				}
			}
			group = append(group, s)
			got += free[s]
			if got >= p {
				break
			}
		}
		if got < p {
			continue
		}
		if bestLat < 0 || maxLat < bestLat || (maxLat == bestLat && len(group) < len(bestGroup)) {
			bestLat, bestGroup = maxLat, group
		}
	}
	left := p
	for _, s := range bestGroup {
		take := free[s]
		if take > left {
			take = left
		}
		alloc[s] = take
		left -= take
	}
	return alloc, bestLat
}
