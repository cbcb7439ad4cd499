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

// Default is a fast processor-count model of the project's policy: EASY backfilling over a priority
// queue (see DefaultAgeDivisor). The production scheduler's own default (ConfigByName("default"))
// ranks by the same two terms through its multifactor weights.
func Default() Policy {
	return Priority("model-default", func(now int64, j *Job) int64 {
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

// ConfigByName returns the run configuration a CLI name stands for:
//
//	fcfs, easy, sjf    the reference policies of this package
//	default            the production scheduler (package hpc) with its default configuration
//	model-default      this package's fast model of it (Default)
//	scheduler-easy     the production scheduler configured as EASY (matches easy job for job)
func ConfigByName(name string) (Config, bool) {
	switch name {
	case "fcfs":
		return Config{Policy: FCFS()}, true
	case "easy":
		return Config{Policy: EASY()}, true
	case "sjf":
		return Config{Policy: SJF()}, true
	case "model-default":
		return Config{Policy: Default()}, true
	case "default":
		c := SchedulerDefault()
		return Config{Scheduler: &c, SchedulerName: "default"}, true
	case "scheduler-easy":
		c := SchedulerEASY()
		return Config{Scheduler: &c, SchedulerName: "scheduler-easy"}, true
	}
	return Config{}, false
}

// Names lists the names ConfigByName accepts.
func Names() []string {
	return []string{"fcfs", "easy", "default", "sjf", "model-default", "scheduler-easy"}
}
