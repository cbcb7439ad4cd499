package hpc

// Defaults and limits of FEATURES §8. Operators may override the timers and weights through Config;
// the bounds below protect the scheduler and the parsers from hostile input.
const (
	// HeartbeatIntervalSeconds is how often an agent heartbeats (§8.1).
	HeartbeatIntervalSeconds = 30
	// StaleAfterSeconds without a heartbeat marks a node stale: no new jobs (§8.1).
	StaleAfterSeconds = 120
	// OfflineAfterSeconds without a heartbeat marks it offline: its jobs are requeued (§8.1).
	OfflineAfterSeconds = 300
	// DeregisterAfterSeconds without a heartbeat removes it (§8.1).
	DeregisterAfterSeconds = 3600

	// MinRuntimeSeconds and MaxRuntimeSeconds bound a job's runtime limit (§8.2: 60 s – 7 d).
	MinRuntimeSeconds = 60
	MaxRuntimeSeconds = 7 * 24 * 3600
	// MinIdentityScore is the identity score needed to submit a job (§8.2).
	MinIdentityScore = 50

	// LatencyGroupMillis is the largest mutual latency of the clusters of one allocation (§8.3).
	LatencyGroupMillis = 50

	// BP is one in basis points: factors and weights are integers, 10000 = 100%.
	BP = 10000
	// DefaultMaxAgeSeconds saturates the age factor (Slurm's PriorityMaxAge default is 7 days; we
	// use 2 days, the starvation guard of the default policy, measured in package sim).
	DefaultMaxAgeSeconds = 48 * 3600
	// DefaultStarvationSeconds: a job queued longer than this is served first, oldest first.
	DefaultStarvationSeconds = 48 * 3600
	// DefaultFairShareHalfLifeSeconds halves recorded usage every 7 days (Slurm's default).
	DefaultFairShareHalfLifeSeconds = 7 * 24 * 3600
	// DefaultPriorityRecalcSeconds: queued jobs are re-ranked at most this often (Slurm's
	// PriorityCalcPeriod is 5 minutes); new jobs are inserted by rank in between.
	DefaultPriorityRecalcSeconds = 60

	// DefaultBackfillDepth bounds the jobs tried for backfilling per pass; Slurm's default is 500,
	// we afford more because a failed shape is remembered for the rest of the pass.
	DefaultBackfillDepth = 10_000
	// MaxNodesPerJob, MaxIDLen and MaxQueuedJobs bound requests.
	MaxNodesPerJob = 65536
	MaxIDLen       = 128
	MaxQueuedJobs  = 10_000_000
	// maxFailedShapes bounds the per-pass cache of job shapes known not to fit.
	maxFailedShapes = 64
)
