package sim

// Default parameters: the best of the variants tried on KTH-SP2 and CTC-SP2 (BenchmarkPolicies): EASY backfilling over a queue ordered by
// age/DefaultAgeDivisor − estimate, with jobs older than DefaultStarvationSeconds served first, oldest
// first. Shortest-estimate-first cuts bounded slowdown (the many short jobs no longer wait behind long
// ones); the age term and the starvation guard keep long and wide jobs from waiting forever, which
// plain SJF does (CTC-SP2: max wait 326 days and utilization down 6 points).
const (
	DefaultAgeDivisor        = 4
	DefaultStarvationSeconds = 48 * 3600
)

// Default is the project's policy: EASY backfilling over a priority queue (see DefaultAgeDivisor).
func Default() Policy {
	return Priority("default", func(now int64, j *Job) int64 {
		wait := now - j.Submit
		if wait > DefaultStarvationSeconds {
			return starvedBase - j.Submit
		}
		return wait/DefaultAgeDivisor - j.Estimate
	})
}

// starvedBase lifts starved jobs above every ordinary priority (which is at most a wait of
// DefaultStarvationSeconds/DefaultAgeDivisor).
const starvedBase = int64(1) << 50

// SJF is EASY backfilling over a queue ordered by shortest estimate first (no aging; it can starve).
func SJF() Policy {
	return Priority("sjf", func(_ int64, j *Job) int64 { return -j.Estimate })
}

// Priority is EASY backfilling over a queue ordered by prio (higher first, submit order on ties),
// recomputed at every scheduling point. The first job in that order holds the reservation.
func Priority(name string, prio func(now int64, j *Job) int64) Policy {
	return backfill{name: name, prio: prio}
}

// PolicyByName returns "fcfs", "easy", "default" or "sjf".
func PolicyByName(name string) (Policy, bool) {
	switch name {
	case "fcfs":
		return FCFS(), true
	case "easy":
		return EASY(), true
	case "default":
		return Default(), true
	case "sjf":
		return SJF(), true
	}
	return nil, false
}

// PolicyNames lists the names PolicyByName accepts.
func PolicyNames() []string { return []string{"fcfs", "easy", "default", "sjf"} }
