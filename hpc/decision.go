package hpc

import "fmt"

// Action is what a scheduling decision did.
type Action uint8

// Actions of Decision.
const (
	ActionStart   Action = iota + 1 // the job starts on Nodes
	ActionReserve                   // the job holds the EASY reservation at ReservedAt
	ActionPreempt                   // the running job was stopped and requeued for PreemptedBy
	ActionRequeue                   // the running job lost a node and was requeued
	ActionTimeout                   // the running job reached its runtime limit
)

var actionNames = [...]string{"", "start", "reserve", "preempt", "requeue", "timeout"}

func (a Action) String() string {
	if int(a) < len(actionNames) && a > 0 {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// MarshalText makes actions readable in JSON.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Decision is one scheduling decision with its explanation (§8.3: why this cluster, why this wait).
type Decision struct {
	Action           Action   `json:"action"`
	Job              string   `json:"job"`
	At               int64    `json:"at"`
	Nodes            []string `json:"nodes,omitempty"`
	Clusters         []string `json:"clusters,omitempty"`
	MaxLatencyMillis int64    `json:"max_latency_ms,omitempty"`
	Factors          Factors  `json:"factors"`
	Rank             int      `json:"rank"` // 1-based position in the queue when decided
	Backfilled       bool     `json:"backfilled,omitempty"`
	ReservedAt       int64    `json:"reserved_at,omitempty"`
	Victims          []string `json:"victims,omitempty"`
	PreemptedBy      string   `json:"preempted_by,omitempty"`
	Reason           string   `json:"reason"`
}

// waitReason is why a queued job did not start in the last pass (kept as a code; Explain renders it).
type waitReason uint8

const (
	reasonNotConsidered waitReason = iota
	reasonReservation              // holds the reservation at reasonArg
	reasonBehindHead               // would delay the head's reservation, or no room
	reasonQuotaCores
	reasonQuotaGPUs
	reasonQuotaJobs
	reasonNoGroup // no latency group can hold it now, even at the shadow time
	reasonBlocked // FCFS: behind a job that cannot start
	reasonNoRoom  // no room and no reservation could be computed
)

// Explanation tells why a job is where it is.
type Explanation struct {
	Job      string   `json:"job"`
	State    string   `json:"state"`
	Rank     int      `json:"rank,omitempty"` // 1-based queue position
	Queued   int      `json:"queued,omitempty"`
	Factors  Factors  `json:"factors"`
	Nodes    []string `json:"nodes,omitempty"`
	Clusters []string `json:"clusters,omitempty"`
	Message  string   `json:"message"`
}

// Explain says why job id waits (its rank, priority factors and the last pass's reason) or where it
// runs.
func (s *Scheduler) Explain(id string) (Explanation, error) {
	j := s.jobs[id]
	if j == nil {
		return Explanation{}, fmt.Errorf("%w: job %s", ErrNotFound, id)
	}
	e := Explanation{Job: id, State: j.State.String(), Factors: j.factors, Nodes: j.Nodes, Clusters: j.Clusters}
	if j.State != Queued {
		e.Message = fmt.Sprintf("%s; last placed on %d node(s) in %v", j.State, len(j.Nodes), j.Clusters)
		return e, nil
	}
	for i, q := range s.queue {
		if q.j == j {
			e.Rank = i + 1
			break
		}
	}
	e.Queued = s.Queued()
	if j.pass != s.pass && j.reason != reasonNotConsidered {
		j.reason, j.reasonArg = s.rest.reason, s.rest.arg // the last pass stopped before it
	}
	t := j.tenant
	switch j.reason {
	case reasonNotConsidered:
		e.Message = "queued; not yet ranked by a scheduling pass"
	case reasonReservation:
		e.Message = fmt.Sprintf("first in line that cannot start: holds a reservation at %d, when running jobs are estimated to free enough nodes", j.reasonArg)
	case reasonBehindHead:
		e.Message = fmt.Sprintf("rank %d of %d: no idle nodes fit it without delaying the reservation of a higher-priority job (at %d)", e.Rank, e.Queued, j.reasonArg)
	case reasonQuotaCores:
		e.Message = fmt.Sprintf("tenant %s quota: %d of %d cores in use", t.ID, t.cores, t.Quota.MaxCores)
	case reasonQuotaGPUs:
		e.Message = fmt.Sprintf("tenant %s quota: %d of %d GPUs in use", t.ID, t.gpus, t.Quota.MaxGPUs)
	case reasonQuotaJobs:
		e.Message = fmt.Sprintf("tenant %s quota: %d of %d running jobs", t.ID, t.running, t.Quota.MaxRunningJobs)
	case reasonNoGroup:
		e.Message = fmt.Sprintf("no group of clusters within %d ms of one another can hold %d nodes of partition %s now or when running jobs end (nodes down or draining)", s.cfg.LatencyGroupMillis, j.Spec.Nodes, j.Spec.Partition)
	case reasonBlocked:
		e.Message = "first-come-first-served: behind a job that cannot start"
	default:
		e.Message = "every node is busy and no reservation is held yet; it is considered again at the next pass"
	}
	return e, nil
}
