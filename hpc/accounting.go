package hpc

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"

	"github.com/virtengine/sdk/settlement"
)

// NodeUsage is what one node metered for one job over its run (§8.5).
type NodeUsage struct {
	Node            string `json:"node"`
	Operator        string `json:"operator"`
	CoreSeconds     int64  `json:"core_s"`
	MemoryMBSeconds int64  `json:"memory_mb_s"`
	GPUSeconds      int64  `json:"gpu_s"`
	StorageMBSecs   int64  `json:"storage_mb_s"`
	NetworkBytes    int64  `json:"network_bytes"`
}

// JobUsage is a job's measured usage on every node it ran on.
type JobUsage struct {
	Job      string      `json:"job"`
	Tenant   string      `json:"tenant"`
	Provider string      `json:"provider"`
	Customer string      `json:"customer"`
	Start    int64       `json:"start"`
	End      int64       `json:"end"`
	Nodes    []NodeUsage `json:"nodes"`
}

// MeasureJob derives a finished (or running, until end) job's usage from its allocation: what it
// reserved on each node for the time it ran. Storage and network come from the agents' meters and
// are added by the caller. It needs the scheduler that ran the job for the nodes' operators.
func (s *Scheduler) MeasureJob(id string, end int64) (JobUsage, error) {
	j := s.jobs[id]
	if j == nil {
		return JobUsage{}, fmt.Errorf("%w: job %s", ErrNotFound, id)
	}
	if j.State == Queued || j.State == Pending || len(j.Nodes) == 0 {
		return JobUsage{}, fmt.Errorf("%w: job %s has not run", ErrInvalid, id)
	}
	if j.State != Running {
		end = j.Ended
	}
	el := end - j.Started
	if el < 0 {
		return JobUsage{}, invalidf("end %d before the start %d of job %s", end, j.Started, id)
	}
	if p := j.Spec.PerNode; el > 0 && max(p.Cores, p.MemoryMB, p.GPUs) > math.MaxInt64/el {
		return JobUsage{}, invalidf("job %s: %d s of its per-node resources overflow the meters; measure up to a realistic end", id, el)
	}
	u := JobUsage{Job: id, Tenant: j.Spec.Tenant, Customer: j.Spec.Account, Start: j.Started, End: end}
	for _, name := range j.Nodes {
		n := s.nodes[s.nodeIdx[name]]
		if u.Provider == "" {
			u.Provider = s.clusters[n.cluster].Provider
		}
		p := j.Spec.PerNode
		u.Nodes = append(u.Nodes, NodeUsage{Node: name, Operator: n.reg.Operator, CoreSeconds: p.Cores * el,
			MemoryMBSeconds: p.MemoryMB * el, GPUSeconds: p.GPUs * el})
	}
	return u, nil
}

// UsageRecord is hpc's usage record in the units of FEATURES §7.2, in thousandths (milli-units,
// truncated): CPU core-hours, memory and storage GB-hours (1 GB = 1024 MB), GPU-hours, network GB
// (10^9 bytes). Record converts a JobUsage; Settlement converts it to the record settlement signs.
type UsageRecord struct {
	Job                 string `json:"job"`
	Provider            string `json:"provider"`
	Customer            string `json:"customer"`
	PeriodStart         int64  `json:"period_start"`
	PeriodEnd           int64  `json:"period_end"`
	CPUCoreMilliHours   uint64 `json:"cpu_core_milli_hours"`
	MemoryGBMilliHours  uint64 `json:"memory_gb_milli_hours"`
	StorageGBMilliHours uint64 `json:"storage_gb_milli_hours"`
	GPUMilliHours       uint64 `json:"gpu_milli_hours"`
	NetworkMilliGB      uint64 `json:"network_milli_gb"`
}

// Record sums the job's usage over its nodes.
func (u JobUsage) Record() UsageRecord {
	var core, mem, gpu, sto, net int64
	for _, n := range u.Nodes {
		// saturate rather than wrap: a wrapped sum would bill nothing; a saturated one charges more
		// than any escrow holds, so settlement refuses it
		core = addSat(core, n.CoreSeconds)
		mem = addSat(mem, n.MemoryMBSeconds)
		gpu = addSat(gpu, n.GPUSeconds)
		sto = addSat(sto, n.StorageMBSecs)
		net = addSat(net, n.NetworkBytes)
	}
	milli := func(v, per int64) uint64 {
		if v <= 0 {
			return 0
		}
		return uint64(v/per)*1000 + uint64(v%per*1000/per)
	}
	return UsageRecord{Job: u.Job, Provider: u.Provider, Customer: u.Customer, PeriodStart: u.Start, PeriodEnd: u.End,
		CPUCoreMilliHours: milli(core, 3600), MemoryGBMilliHours: milli(mem, 1024*3600), StorageGBMilliHours: milli(sto, 1024*3600),
		GPUMilliHours: milli(gpu, 3600), NetworkMilliGB: milli(net, 1_000_000_000)}
}

// Settlement returns the record package settlement signs and settles for escrow escrowID.
func (r UsageRecord) Settlement(chainID, escrowID string, seq uint64, kind settlement.SettlementKind, prices [settlement.NumResources]uint64) settlement.UsageRecord {
	var q [settlement.NumResources]uint64
	q[settlement.CPU] = r.CPUCoreMilliHours
	q[settlement.Memory] = r.MemoryGBMilliHours
	q[settlement.Storage] = r.StorageGBMilliHours
	q[settlement.GPU] = r.GPUMilliHours
	q[settlement.Network] = r.NetworkMilliGB
	return settlement.UsageRecord{ChainID: chainID, EscrowID: escrowID, Seq: seq, Provider: r.Provider, Customer: r.Customer,
		PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Kind: kind, Quantities: q, UnitPrices: prices}
}

// SignUsage converts r and signs it as the provider (the customer countersigns with
// settlement.SignedUsage.Countersign). A provider key that is not a 64-byte Ed25519 private key gives
// an error that wraps both ErrBadKey and settlement.ErrBadKey.
func (r UsageRecord) SignUsage(chainID, escrowID string, seq uint64, kind settlement.SettlementKind, prices [settlement.NumResources]uint64, provider ed25519.PrivateKey) (settlement.SignedUsage, error) {
	su, err := settlement.SignUsage(r.Settlement(chainID, escrowID, seq, kind, prices), provider)
	if errors.Is(err, settlement.ErrBadKey) {
		return settlement.SignedUsage{}, fmt.Errorf("%w: %w", ErrBadKey, err)
	}
	return su, err
}

// Contribution is what a node operator contributed over a reward period (§8.5): work done for jobs
// and time its nodes were alive.
type Contribution struct {
	Operator      string `json:"operator"`
	CoreSeconds   int64  `json:"core_s"`
	GPUSeconds    int64  `json:"gpu_s"`
	UptimeSeconds int64  `json:"uptime_s"` // summed over the operator's nodes
	NodeSeconds   int64  `json:"node_s"`   // nodes × period: the uptime it could have had
}

// Weight is the contribution's reward weight: work (core-seconds plus GPUBillingWeight per
// GPU-second) scaled by availability (uptime / node-seconds, in basis points). An operator whose
// nodes did the work and stayed up earns the most; idle or flapping nodes earn less.
// Negative fields weigh nothing; work beyond 2^64-1 saturates (Rewards then reports the overflow).
// The arithmetic is exact in 128 bits: no product wraps around.
func (c Contribution) Weight() uint64 {
	if c.CoreSeconds < 0 || c.GPUSeconds < 0 || c.NodeSeconds <= 0 || c.UptimeSeconds <= 0 {
		return 0
	}
	gh, gl := bits.Mul64(uint64(c.GPUSeconds), GPUBillingWeight)
	work, carry := bits.Add64(uint64(c.CoreSeconds), gl, 0)
	if gh != 0 || carry != 0 {
		work = math.MaxUint64
	}
	// avail = uptime / node-seconds in basis points (≤ BP, so both quotients fit)
	hi, lo := bits.Mul64(uint64(min(c.UptimeSeconds, c.NodeSeconds)), BP)
	avail, _ := bits.Div64(hi, lo, uint64(c.NodeSeconds))
	hi, lo = bits.Mul64(work, avail)
	w, _ := bits.Div64(hi, lo, BP)
	return w
}

// addSat adds a metered amount to a non-negative sum, saturating at math.MaxInt64 instead of
// wrapping negative. A negative amount is invalid and counts as 0: one node cannot cancel another's.
func addSat(a, b int64) int64 {
	switch {
	case b <= 0:
		return a
	case a > math.MaxInt64-b:
		return math.MaxInt64
	}
	return a + b
}

// Contributions sums job usage per operator and adds each operator's uptime (seconds alive, and the
// node-seconds possible); the result is in operator order.
func Contributions(jobs []JobUsage, uptime map[string][2]int64) []Contribution {
	by := map[string]*Contribution{}
	get := func(op string) *Contribution {
		c := by[op]
		if c == nil {
			c = &Contribution{Operator: op}
			by[op] = c
		}
		return c
	}
	for _, u := range jobs {
		for _, n := range u.Nodes {
			c := get(n.Operator)
			c.CoreSeconds = addSat(c.CoreSeconds, n.CoreSeconds)
			c.GPUSeconds = addSat(c.GPUSeconds, n.GPUSeconds)
		}
	}
	for op, up := range uptime {
		c := get(op)
		c.UptimeSeconds, c.NodeSeconds = up[0], up[1]
	}
	out := make([]Contribution, 0, len(by))
	for _, c := range by {
		out = append(out, *c)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Operator < out[b].Operator })
	return out
}

// Rewards splits pool among operators by Weight (largest remainder, settlement.SplitByWeight): not
// equally, as the earlier system did.
func Rewards(pool uint64, cs []Contribution) ([]settlement.Reward, error) {
	ws := make([]settlement.Contribution, 0, len(cs))
	for _, c := range cs {
		ws = append(ws, settlement.Contribution{Operator: c.Operator, Weight: c.Weight()})
	}
	return settlement.SplitByWeight(pool, ws)
}
