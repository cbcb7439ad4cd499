package sim

import (
	"testing"
)

// BenchmarkPolicies runs EASY (the reference) and the default policy (the production scheduler with
// its default configuration) on both archive traces in the same run and reports mean bounded
// slowdown, mean wait and utilization of each. Run once: go test -bench Policies -benchtime 1x.
func BenchmarkPolicies(b *testing.B) {
	for _, tr := range baselines {
		w := loadTrace(b, tr.trace)
		for _, name := range []string{"fcfs", "easy", "model-default", "default"} {
			b.Run(tr.trace[:3]+"/"+name, func(b *testing.B) {
				cfg, _ := ConfigByName(name)
				var r *Result
				for i := 0; i < b.N; i++ {
					var err error
					if r, err = Run(w, cfg); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(r.MeanBSLD, "bsld")
				b.ReportMetric(r.MeanWait, "wait_s")
				b.ReportMetric(r.Utilization*100, "util%")
				b.ReportMetric(float64(r.MaxWait), "maxwait_s")
				b.ReportMetric(float64(len(w.Jobs))/r.WallSeconds, "jobs/s")
			})
		}
	}
}
