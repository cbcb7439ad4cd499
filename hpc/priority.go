package hpc

// Factors are a job's priority factors in basis points and its resulting priority (§8.3).
type Factors struct {
	Age       int64 `json:"age_bp"`
	Size      int64 `json:"size_bp"` // BP × (1 − runtime limit / max runtime): short requests first
	Partition int64 `json:"partition_bp"`
	FairShare int64 `json:"fair_share_bp"` // BP × S/(S+U): S the tenant's share, U its usage share
	QoS       int64 `json:"qos_bp"`
	Starved   bool  `json:"starved"` // queued beyond the starvation guard: served first, oldest first
	Priority  int64 `json:"priority"`
}

// starvedBase lifts a starved job above every ordinary priority (at most Σ weights, far below).
const starvedBase = int64(1) << 60

func (s *Scheduler) factors(j *Job, now int64) Factors {
	c := &s.cfg
	var f Factors
	wait := now - j.Submitted
	if wait < 0 {
		wait = 0
	}
	f.Age = min(wait, c.MaxAgeSeconds) * BP / c.MaxAgeSeconds
	f.Size = BP - min(j.Spec.RuntimeLimitSeconds, c.MaxRuntimeSeconds)*BP/c.MaxRuntimeSeconds
	f.Partition = s.partitionBP(j.part)
	f.QoS = j.qosBP
	f.FairShare = j.tenant.fsBP
	if j.tenant.fsPass != s.fsEpoch {
		f.FairShare = s.fairShare(j.tenant)
		j.tenant.fsBP, j.tenant.fsPass = f.FairShare, s.fsEpoch
	}
	w := c.Weights
	f.Priority = (w.Age*f.Age + w.Size*f.Size + w.Partition*f.Partition + w.FairShare*f.FairShare + w.QoS*f.QoS) / BP
	if c.StarvationSeconds > 0 && wait > c.StarvationSeconds {
		f.Starved = true
		f.Priority = starvedBase - j.Submitted
	}
	return f
}

// fairShare is BP × S/(S+U) with S the tenant's fraction of all shares and U its fraction of all
// decayed usage: BP when it has used nothing, BP/2 when it used exactly its share, towards 0 beyond.
// (A rational stand-in for Slurm's classic 2^(−U/S), with the same fixed points at U=0 and U=S.)
func (s *Scheduler) fairShare(t *tenantState) int64 {
	if t == nil || s.totalShares == 0 {
		return 0
	}
	sbp := mulDiv(t.shares, BP, s.totalShares) // shares·BP overflows int64 beyond 2^63/BP shares
	var ubp int64
	if s.totalUsage > 0 {
		ubp = mulDiv(t.usage, BP, s.totalUsage)
	}
	if sbp+ubp == 0 {
		return 0
	}
	return sbp * BP / (sbp + ubp)
}

// mulDiv returns a·b/c for non-negative a ≤ c without overflow for b ≤ BP.
func mulDiv(a, b, c int64) int64 {
	if c == 0 {
		return 0
	}
	if a <= (1<<62)/max(b, 1) {
		return a * b / c
	}
	return a / (c / b)
}

func (s *Scheduler) partitionBP(part int) int64 {
	if part < len(s.partBP) {
		return s.partBP[part]
	}
	return 0
}

func (s *Scheduler) qos(name string) QoS {
	if name == "" {
		name = "normal"
	}
	for _, q := range s.cfg.QoS {
		if q.Name == name {
			return q
		}
	}
	return QoS{Name: name}
}
