package sim

import (
	"bytes"
	"errors"
	"testing"

	"github.com/virtengine/sdk/internal/swf"
)

// FuzzFromTrace: any SWF text that parses becomes either ErrNoMachineSize or a workload that passes
// Validate, in both estimate modes, and a small one simulates without error under FCFS and EASY.
// This is the path of 'virtengine hpc sim --trace FILE'.
func FuzzFromTrace(f *testing.F) {
	for _, s := range []string{
		"; MaxProcs: 8\n1 0 -1 100 4 -1 -1 4 200 -1 1 1 1 -1 1 -1 -1 -1\n2 5 -1 50 -1 -1 -1 2 10 -1 1 2 1 -1 1 -1 -1 -1\n",
		"; MaxProcs: 100 (batch partition)\n; UnixStartTime: 820454400\n1 0 0 3600 100 3590.5 -1 100 7200 -1 1 3 1 -1 0 -1 -1 -1\n",
		"; MaxProcs: 4\n1 10 0 5 8 -1 -1 8 5 -1 1 1 1 -1 1 -1 -1 -1\n2 0 0 -1 1 -1 -1 1 5 -1 0 1 1 -1 1 -1 -1 -1\n",
		"1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 1 -1 -1 -1\n",
		"; MaxProcs: 2\n1 9223372036854775807 0 9223372036854775807 1 -1 -1 1 9223372036854775807 -1 1 1 1 -1 1 -1 -1 -1\n",
		"",
	} {
		f.Add([]byte(s), int64(0))
	}
	f.Add([]byte("1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 1 -1 -1 -1\n"), int64(16))
	f.Fuzz(func(t *testing.T, data []byte, procs int64) {
		tr, err := swf.Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, mode := range []EstimateMode{EstimateRaise, EstimateKill} {
			w, err := FromTrace(tr, LoadOptions{Procs: procs, Estimate: mode})
			if err != nil {
				if !errors.Is(err, ErrNoMachineSize) && !errors.Is(err, ErrInvalid) {
					t.Fatalf("untyped error %v", err)
				}
				return
			}
			if err := w.Validate(); err != nil {
				t.Fatalf("FromTrace made an invalid workload: %v", err)
			}
			if len(w.Jobs)+w.Skipped != len(tr.Jobs) {
				t.Fatalf("%d jobs + %d skipped from %d trace jobs", len(w.Jobs), w.Skipped, len(tr.Jobs))
			}
			if len(w.Jobs) > 32 || w.Procs > 1<<12 {
				continue
			}
			for _, name := range []string{"fcfs", "easy"} {
				cfg, _ := ConfigByName(name)
				r, err := Run(w, cfg)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(r.WaitPerJob) != len(w.Jobs) {
					t.Fatalf("%s: %d waits for %d jobs", name, len(r.WaitPerJob), len(w.Jobs))
				}
				for i, wt := range r.WaitPerJob {
					if wt < 0 {
						t.Fatalf("%s: job %d waits %d s", name, i, wt)
					}
				}
			}
		}
	})
}
