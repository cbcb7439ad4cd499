package sim

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/virtengine/sdk/internal/swf"
)

// Job is one job of a workload, as the simulator sees it.
type Job struct {
	ID       int64 // trace job number
	Submit   int64 // seconds
	Run      int64 // actual run time, seconds
	Estimate int64 // user's runtime estimate, seconds (≥ Run under EstimateRaise)
	Procs    int64 // processors
	User     int64 // trace user id (-1 unknown)
	Queue    int64 // trace queue id (-1 unknown)
}

// Workload is a machine and the jobs submitted to it, sorted by submit time (file order on ties).
type Workload struct {
	Name    string
	Procs   int64 // processors of the machine
	Jobs    []Job
	Skipped int // trace jobs left out: unknown run time, no processors, or wider than the machine
}

// EstimateMode says how estimates below the run time are handled (see the package doc).
type EstimateMode int

const (
	// EstimateRaise raises an estimate below the run time to the run time (default).
	EstimateRaise EstimateMode = iota
	// EstimateKill truncates the run time to the estimate.
	EstimateKill
)

// LoadOptions tunes how a trace becomes a Workload.
type LoadOptions struct {
	Procs    int64        // machine size; 0 takes the header's MaxProcs
	Estimate EstimateMode // handling of estimates below the run time
}

// ErrNoMachineSize reports a trace without MaxProcs when LoadOptions.Procs is not set.
var ErrNoMachineSize = errors.New("sim: trace has no MaxProcs header; pass the machine size")

// Load reads an SWF trace (gzip allowed) and converts it with FromTrace.
func Load(path string, opt LoadOptions) (*Workload, error) {
	t, err := swf.Open(path)
	if err != nil {
		return nil, err
	}
	w, err := FromTrace(t, opt)
	if err != nil {
		return nil, err
	}
	w.Name = path
	return w, nil
}

// FromTrace converts a parsed trace to a Workload (see the package doc for the rules). A trace whose
// submit and run times add up beyond int64 seconds is refused with ErrInvalid.
func FromTrace(t *swf.Trace, opt LoadOptions) (*Workload, error) {
	procs := opt.Procs
	if procs <= 0 {
		procs = t.Header.MaxProcs
	}
	if procs <= 0 {
		return nil, ErrNoMachineSize
	}
	w := &Workload{Procs: procs, Jobs: make([]Job, 0, len(t.Jobs))}
	for _, tj := range t.Jobs {
		p := tj.Procs()
		if tj.RunTime < 0 || tj.Submit < 0 || p <= 0 || p > procs {
			w.Skipped++
			continue
		}
		j := Job{ID: tj.ID, Submit: tj.Submit, Run: tj.RunTime, Estimate: tj.ReqTime, Procs: p,
			User: tj.UserID, Queue: tj.Queue}
		if j.Estimate <= 0 {
			j.Estimate = j.Run
		}
		if j.Estimate < j.Run {
			if opt.Estimate == EstimateKill {
				j.Run = j.Estimate
			} else {
				j.Estimate = j.Run
			}
		}
		w.Jobs = append(w.Jobs, j)
	}
	sort.SliceStable(w.Jobs, func(a, b int) bool { return w.Jobs[a].Submit < w.Jobs[b].Submit })
	if err := w.checkHorizon(); err != nil {
		return nil, err
	}
	return w, nil
}

// Validate checks a hand-built workload.
func (w *Workload) Validate() error {
	if w.Procs <= 0 {
		return fmt.Errorf("%w: machine has %d processors", ErrInvalid, w.Procs)
	}
	for i, j := range w.Jobs {
		if j.Procs <= 0 || j.Procs > w.Procs || j.Run < 0 || j.Estimate < 0 || j.Submit < 0 {
			return fmt.Errorf("%w: job %d (id %d) has procs %d, run %d, estimate %d, submit %d", ErrInvalid, i, j.ID, j.Procs, j.Run, j.Estimate, j.Submit)
		}
		if i > 0 && j.Submit < w.Jobs[i-1].Submit {
			return fmt.Errorf("%w: job %d (id %d) submitted before its predecessor", ErrInvalid, i, j.ID)
		}
	}
	return w.checkHorizon()
}

// checkHorizon refuses a workload whose schedule may not fit in int64 seconds: every policy has
// finished (and every reservation ended) by the last submit time plus the sum over jobs of the larger
// of run time and estimate, so that sum must not overflow. Without this check, times near the int64
// limit (a corrupt or hostile trace) wrapped around inside Run, which then failed with a misleading
// "jobs queued on an idle machine".
func (w *Workload) checkHorizon() error {
	if len(w.Jobs) == 0 {
		return nil
	}
	end := w.Jobs[len(w.Jobs)-1].Submit
	for i, j := range w.Jobs {
		d := max(j.Run, j.Estimate)
		if d > math.MaxInt64-end {
			return fmt.Errorf("%w: job %d (id %d): submit times plus run times exceed %d s", ErrInvalid, i, j.ID, int64(math.MaxInt64))
		}
		end += d
	}
	return nil
}

// ErrInvalid reports a workload or configuration the simulator cannot run.
var ErrInvalid = errors.New("sim: invalid input")
