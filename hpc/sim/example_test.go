package sim_test

import (
	"fmt"

	"github.com/virtengine/sdk/hpc/sim"
)

// A 10-processor machine (by hand: FCFS bsld = (1 + 109/10 + 158/50)/3 = 5.02): a wide job blocks the queue's head; EASY lets a short job through the hole
// without delaying the head, FCFS does not.
func Example() {
	w := &sim.Workload{Procs: 10, Jobs: []sim.Job{
		{ID: 1, Submit: 0, Run: 100, Estimate: 100, Procs: 8},
		{ID: 2, Submit: 1, Run: 10, Estimate: 10, Procs: 10},
		{ID: 3, Submit: 2, Run: 50, Estimate: 60, Procs: 2},
	}}
	for _, p := range []sim.Policy{sim.FCFS(), sim.EASY()} {
		r, err := sim.Run(w, sim.Config{Policy: p})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: starts %v, mean wait %.1f s, mean bsld %.2f\n", r.Policy, r.StartPerJob, r.MeanWait, r.MeanBSLD)
	}
	// Output:
	// fcfs: starts [0 100 110], mean wait 69.0 s, mean bsld 5.02
	// easy: starts [0 100 2], mean wait 33.0 s, mean bsld 4.30
}
