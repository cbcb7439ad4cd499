package hpc

import (
	"crypto/ed25519"
	"fmt"
	"math"

	"github.com/virtengine/sdk/envelope"
)

// JobState is a job's life-cycle state (§8.2).
type JobState uint8

// Job states. Terminal states are completed, failed, cancelled and timeout.
const (
	Pending   JobState = iota + 1 // submitted, not yet accepted into the queue (funds, identity)
	Queued                        // waiting for resources
	Running                       // placed on nodes
	Completed                     // exited 0
	Failed                        // exited non-zero or lost its nodes beyond retries
	Cancelled                     // cancelled by its owner or an administrator
	Timeout                       // killed at its runtime limit
)

var jobStateNames = [...]string{"", "pending", "queued", "running", "completed", "failed", "cancelled", "timeout"}

func (s JobState) String() string {
	if int(s) < len(jobStateNames) && s > 0 {
		return jobStateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Terminal reports whether no transition leaves s.
func (s JobState) Terminal() bool { return s >= Completed }

// JobCanTransition is the transition table of §8.2. Running → Queued is preemption or the loss of a
// node (the job is requeued).
func JobCanTransition(from, to JobState) bool {
	switch from {
	case Pending:
		return to == Queued || to == Cancelled || to == Failed
	case Queued:
		return to == Running || to == Cancelled || to == Failed
	case Running:
		return to == Completed || to == Failed || to == Cancelled || to == Timeout || to == Queued
	}
	return false
}

// JobSpec is what a customer submits (§8.2). Inputs and outputs travel as envelopes (package
// envelope) that the scheduler carries but never opens.
type JobSpec struct {
	ID        string `json:"id"`
	Tenant    string `json:"tenant"`  // the quota and fair-share account
	Account   string `json:"account"` // the submitter, whose identity score is checked
	Partition string `json:"partition"`
	QoS       string `json:"qos"` // "" is "normal"
	// Nodes is how many nodes; PerNode is what the job needs on each of them.
	Nodes   int64     `json:"nodes"`
	PerNode Resources `json:"per_node"`
	// RuntimeLimitSeconds is the wall-clock limit (60 s – 7 d); the job is killed at it (timeout) and
	// the scheduler plans with it as the estimate.
	RuntimeLimitSeconds int64 `json:"runtime_limit_s"`
	// AllowSpanning lets the job run on clusters farther apart than LatencyGroupMillis when no
	// closer group has room; without it such a job waits.
	AllowSpanning bool `json:"allow_spanning,omitempty"`

	Template string   `json:"template,omitempty"` // approved workload template name, or
	Image    string   `json:"image,omitempty"`    // container image
	Command  []string `json:"command,omitempty"`
	// Inputs is an envelope to the provider; OutputsTo is the recipient key of the outputs' envelope.
	Inputs    []byte            `json:"inputs,omitempty"`
	OutputsTo ed25519.PublicKey `json:"outputs_to,omitempty"`
}

// Validate checks the spec's fields. The runtime limit's lower bound (60 s by default, §8.2) is the
// scheduler's: Submit checks it against Config.
func (j *JobSpec) Validate() error {
	switch {
	case !validID(j.ID) || !validID(j.Tenant) || !validID(j.Account):
		return invalidf("job id, tenant and account are required (at most %d bytes)", MaxIDLen)
	case !validID(j.Partition):
		return invalidf("job %s: partition is required", j.ID)
	case j.Nodes < 1 || j.Nodes > MaxNodesPerJob:
		return invalidf("job %s: nodes %d, want 1..%d", j.ID, j.Nodes, MaxNodesPerJob)
	case !j.PerNode.valid() || j.PerNode.Cores < 1:
		return invalidf("job %s: at least one core per node and no negative resource", j.ID)
	case j.RuntimeLimitSeconds < 1 || j.RuntimeLimitSeconds > MaxRuntimeSeconds:
		return invalidf("job %s: runtime limit %d s, want %d..%d", j.ID, j.RuntimeLimitSeconds, MinRuntimeSeconds, MaxRuntimeSeconds)
	case j.Template == "" && j.Image == "":
		return invalidf("job %s: name an approved template or an image", j.ID)
	case !j.totalsFit():
		return invalidf("job %s: %d nodes × per-node resources × runtime overflow the accounting", j.ID, j.Nodes)
	}
	return nil
}

// totalsFit reports whether the job's totals (quota cores and GPUs, billing units, and resource-seconds
// over its runtime limit) fit in an int64, so quota checks and usage sums cannot wrap around.
// Call it after the range checks above: every factor is positive or zero.
func (j *JobSpec) totalsFit() bool {
	const lim = math.MaxInt64
	n, t, p := j.Nodes, j.RuntimeLimitSeconds, j.PerNode
	if p.GPUs > (lim-p.Cores)/GPUBillingWeight {
		return false
	}
	for _, per := range []int64{p.Cores + GPUBillingWeight*p.GPUs, p.MemoryMB} {
		if per > lim/n || per*n > lim/t {
			return false
		}
	}
	return true
}

// JobInputClass is the envelope data class of job inputs and outputs: never plaintext (§8.2).
const JobInputClass envelope.DataClass = "hpc_job_io"

// IdentityScorer gives an account's consensus identity score, 0..100 (package veid computes it).
type IdentityScorer interface {
	IdentityScore(account string) (int, error)
}

// Job is a job as the scheduler holds it.
type Job struct {
	Spec      JobSpec
	State     JobState
	Submitted int64 // when it entered the queue (the age factor counts from here)
	Started   int64 // last start
	Ended     int64
	Nodes     []string // current or last allocation
	Clusters  []string
	Preempted int // times preempted
	seq       uint64
	prio      int64
	factors   Factors
	alloc     []int32 // node indices
	estEnd    int64
	reason    waitReason
	reasonArg int64
	pass      uint64 // the pass that last set reason
	tenant    *tenantState
	qosBP     int64
	part      int // partition index
}
