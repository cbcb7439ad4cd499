package hpc

// Weights of the multifactor priority (§8.3). Each factor is in basis points (0..BP); a job's
// priority is Σ weight × factor / BP, an integer. Set a weight to 0 to drop its factor; all zero
// gives first-come-first-served order.
type Weights struct {
	Age       int64 `json:"age"`        // time queued, saturating at MaxAgeSeconds
	Size      int64 `json:"size"`       // short requested time first (see Factors.Size)
	Partition int64 `json:"partition"`  // the partition's PriorityBP
	FairShare int64 `json:"fair_share"` // tenant's share against its decayed usage
	QoS       int64 `json:"qos"`        // the QoS's PriorityBP
}

// DefaultWeights order the queue as package sim's Default policy measured best on the KTH-SP2 and
// CTC-SP2 traces (age/4 − requested time, in seconds): with the age factor saturating at 48 h and
// the size factor spanning 7 d, that ratio is Size/Age = (4 × 7 d)/(48 h) = 14. Fair share and QoS
// are weighted to dominate between tenants and classes of service.
var DefaultWeights = Weights{Age: 1000, Size: 14000, Partition: 1000, FairShare: 10000, QoS: 20000}

// QoS is a class of service (§8.3: preemption by QoS).
type QoS struct {
	Name       string `json:"name"`
	Level      int    `json:"level"`       // higher preempts lower
	PriorityBP int64  `json:"priority_bp"` // the QoS factor, 0..BP
	// Preemptible jobs may be stopped and requeued for a job of a higher level that CanPreempt.
	Preemptible bool `json:"preemptible"`
	CanPreempt  bool `json:"can_preempt"`
}

// DefaultQoS: scavenger and normal jobs are preemptible; high and urgent jobs preempt them.
var DefaultQoS = []QoS{
	{Name: "scavenger", Level: 0, PriorityBP: 0, Preemptible: true},
	{Name: "normal", Level: 1, PriorityBP: 2500, Preemptible: true},
	{Name: "high", Level: 2, PriorityBP: 7500, CanPreempt: true},
	{Name: "urgent", Level: 3, PriorityBP: BP, CanPreempt: true},
}

// Config is the scheduler's configuration. The zero value of a field takes the default named in its
// comment; DefaultConfig returns them all.
type Config struct {
	Weights                  Weights
	MaxAgeSeconds            int64 // DefaultMaxAgeSeconds
	StarvationSeconds        int64 // DefaultStarvationSeconds; a negative value disables the guard
	FairShareHalfLifeSeconds int64 // DefaultFairShareHalfLifeSeconds
	PriorityRecalcSeconds    int64 // DefaultPriorityRecalcSeconds; negative re-ranks at every pass
	QoS                      []QoS // DefaultQoS
	LatencyGroupMillis       int64 // LatencyGroupMillis
	MinRuntimeSeconds        int64 // MinRuntimeSeconds
	MaxRuntimeSeconds        int64 // MaxRuntimeSeconds
	MinIdentityScore         int   // MinIdentityScore
	// Identity checks the submitter's score; nil skips the check (simulation and tests only).
	Identity IdentityScorer
	// NoBackfill turns EASY backfilling off: the first job that cannot start blocks the queue.
	NoBackfill bool
	// BackfillDepth bounds how many jobs behind the reservation one pass tries to backfill (Slurm's
	// bf_max_job_test); 0 means DefaultBackfillDepth, negative means no bound.
	BackfillDepth int
}

// DefaultConfig returns the defaults of FEATURES §8 (Identity still nil: set it).
func DefaultConfig() Config {
	return Config{Weights: DefaultWeights}.withDefaults()
}

func (c Config) withDefaults() Config {
	if c.MaxAgeSeconds <= 0 {
		c.MaxAgeSeconds = DefaultMaxAgeSeconds
	}
	if c.StarvationSeconds == 0 {
		c.StarvationSeconds = DefaultStarvationSeconds
	}
	if c.FairShareHalfLifeSeconds <= 0 {
		c.FairShareHalfLifeSeconds = DefaultFairShareHalfLifeSeconds
	}
	if c.PriorityRecalcSeconds == 0 {
		c.PriorityRecalcSeconds = DefaultPriorityRecalcSeconds
	}
	if len(c.QoS) == 0 {
		c.QoS = DefaultQoS
	}
	if c.LatencyGroupMillis <= 0 {
		c.LatencyGroupMillis = LatencyGroupMillis
	}
	if c.MinRuntimeSeconds <= 0 {
		c.MinRuntimeSeconds = MinRuntimeSeconds
	}
	if c.MaxRuntimeSeconds <= 0 {
		c.MaxRuntimeSeconds = MaxRuntimeSeconds
	}
	if c.BackfillDepth == 0 {
		c.BackfillDepth = DefaultBackfillDepth
	}
	if c.MinIdentityScore == 0 {
		c.MinIdentityScore = MinIdentityScore
	}
	return c
}
