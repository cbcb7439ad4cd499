package sim

import (
	"os"
	"testing"
)

// The production scheduler replaying KTH-SP2 under its EASY configuration starts every job at the
// same second as the reference EASY simulator.
func TestSchedulerReplayMatchesEASY(t *testing.T) {
	w := loadTrace(t, baselines[0].trace)
	ref, err := Run(w, Config{Policy: EASY()})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := ConfigByName("scheduler-easy")
	got, err := Run(w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scheduler: wait %.0f bsld %.2f (reference %.0f / %.2f), %.0f decisions/s", got.MeanWait, got.MeanBSLD, ref.MeanWait, ref.MeanBSLD, got.DecisionsPerS)
	diff := 0
	for i := range ref.StartPerJob {
		if ref.StartPerJob[i] != got.StartPerJob[i] {
			if diff < 5 {
				t.Errorf("job %d (id %d) starts at %d, reference %d", i, w.Jobs[i].ID, got.StartPerJob[i], ref.StartPerJob[i])
			}
			diff++
		}
	}
	if diff > 0 {
		t.Errorf("%d of %d start times differ", diff, len(ref.StartPerJob))
	}
}

// The production scheduler's default configuration beats EASY by ≥ 10% in mean bounded slowdown at
// the same utilization on KTH-SP2 (CTC-SP2 too with VIRTENGINE_HPC_FULL=1: 10 s more).
func TestSchedulerDefaultBeatsEASY(t *testing.T) {
	traces := baselines[:1]
	if os.Getenv("VIRTENGINE_HPC_FULL") != "" {
		traces = baselines
	}
	for _, b := range traces {
		w := loadTrace(t, b.trace)
		easy, err := Run(w, Config{Policy: EASY()})
		if err != nil {
			t.Fatal(err)
		}
		cfg, _ := ConfigByName("default")
		def, err := Run(w, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: easy bsld %.2f util %.4f; scheduler default bsld %.2f util %.4f max wait %d (easy %d)",
			b.trace, easy.MeanBSLD, easy.Utilization, def.MeanBSLD, def.Utilization, def.MaxWait, easy.MaxWait)
		if def.MeanBSLD > 0.9*easy.MeanBSLD || !within(def.Utilization, easy.Utilization, 0.005) {
			t.Errorf("default bsld %.2f util %.4f vs easy %.2f %.4f", def.MeanBSLD, def.Utilization, easy.MeanBSLD, easy.Utilization)
		}
	}
}

// With sites, the replay through the scheduler keeps jobs inside a ≤ 50 ms group when it can.
func TestSchedulerReplayWithSites(t *testing.T) {
	w := machine(8,
		[4]int64{0, 100, 100, 4},
		[4]int64{0, 100, 100, 4},
		[4]int64{1, 100, 100, 8},
	)
	sites, lat, err := SplitEven(8, 2, 80)
	if err != nil {
		t.Fatal(err)
	}
	c := SchedulerEASY()
	r, err := Run(w, Config{Scheduler: &c, Sites: sites, LatencyMillis: lat})
	if err != nil {
		t.Fatal(err)
	}
	// the two 4-node jobs take one site each; the 8-node job must span (80 ms: +80%)
	if r.SpanningJobs != 1 || r.StartPerJob[2] != 100 || r.Makespan != 280 {
		t.Fatalf("spanning %d start %d makespan %d", r.SpanningJobs, r.StartPerJob[2], r.Makespan)
	}
	// reject twin: 20 ms apart is within the group bound, no penalty
	sites, lat, _ = SplitEven(8, 2, 20)
	r, err = Run(w, Config{Scheduler: &c, Sites: sites, LatencyMillis: lat})
	if err != nil {
		t.Fatal(err)
	}
	if r.SpanningJobs != 0 || r.Makespan != 200 {
		t.Fatalf("spanning %d makespan %d", r.SpanningJobs, r.Makespan)
	}
}
