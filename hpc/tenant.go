package hpc

// Quota limits what one tenant may run at once (§8.3). Zero means unlimited.
type Quota struct {
	MaxCores       int64 `json:"max_cores"`
	MaxGPUs        int64 `json:"max_gpus"`
	MaxRunningJobs int64 `json:"max_running_jobs"`
	MaxQueuedJobs  int64 `json:"max_queued_jobs"`
}

// Tenant is a quota and fair-share account (an organisation or a customer).
type Tenant struct {
	ID string `json:"id"`
	// Shares is the tenant's fair share; 0 derives it from the quota (MaxCores, else 1): the share a
	// tenant is entitled to is what it paid to be able to run.
	Shares int64 `json:"shares"`
	Quota  Quota `json:"quota"`
}

// GPUBillingWeight counts one GPU as this many cores in fair-share usage (Slurm's TRESBillingWeights
// idiom).
const GPUBillingWeight = 8

type tenantState struct {
	Tenant
	shares  int64
	usage   int64 // decayed billing-unit-seconds
	cores   int64 // running
	gpus    int64
	running int64
	queued  int64
	fsBP    int64 // fair-share factor cached for epoch fsPass
	fsPass  uint64
}

// overQuota says which quota starting j would exceed, or "".
func (t *tenantState) overQuota(j *Job) string {
	q := t.Quota
	cores := j.Spec.Nodes * j.Spec.PerNode.Cores
	gpus := j.Spec.Nodes * j.Spec.PerNode.GPUs
	switch {
	case q.MaxCores > 0 && t.cores+cores > q.MaxCores:
		return "cores"
	case q.MaxGPUs > 0 && t.gpus+gpus > q.MaxGPUs:
		return "gpus"
	case q.MaxRunningJobs > 0 && t.running+1 > q.MaxRunningJobs:
		return "running jobs"
	}
	return ""
}

func billingUnits(j *Job) int64 {
	return j.Spec.Nodes * (j.Spec.PerNode.Cores + GPUBillingWeight*j.Spec.PerNode.GPUs)
}
