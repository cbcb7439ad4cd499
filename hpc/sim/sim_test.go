package sim

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/virtengine/sdk/internal/assets"
	"github.com/virtengine/sdk/internal/swf"
)

// Reference numbers from TARGETS.md ("hpc"), for FCFS and EASY on the two archive traces.
var baselines = []struct {
	trace              string
	jobs               int
	fcfsWait, fcfsBSLD float64
	easyWait, easyBSLD float64
}{
	{"KTH-SP2-1996-2.1-cln.swf.gz", 27992, 218981, 4297, 6419, 86.4},
	{"CTC-SP2-1996-3.1-cln.swf.gz", 77222, 767876, 4261, 14990, 51.6},
}

func loadTrace(t testing.TB, name string) *Workload {
	t.Helper()
	p, err := assets.TestdataPath("hpc/" + name)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Load(p, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func within(got, want, frac float64) bool { return math.Abs(got-want) <= frac*want }

func TestBaselinesReproduceTargets(t *testing.T) {
	for _, b := range baselines {
		t.Run(b.trace, func(t *testing.T) {
			w := loadTrace(t, b.trace)
			if len(w.Jobs) != b.jobs {
				t.Fatalf("%d jobs, want %d", len(w.Jobs), b.jobs)
			}
			for _, c := range []struct {
				pol        Policy
				wait, bsld float64
			}{{FCFS(), b.fcfsWait, b.fcfsBSLD}, {EASY(), b.easyWait, b.easyBSLD}} {
				r, err := Run(w, Config{Policy: c.pol})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: mean wait %.0f s (target %.0f), mean bsld %.2f (target %.1f), utilization %.4f",
					c.pol.Name(), r.MeanWait, c.wait, r.MeanBSLD, c.bsld, r.Utilization)
				if !within(r.MeanWait, c.wait, 0.01) || !within(r.MeanBSLD, c.bsld, 0.01) {
					t.Errorf("%s: wait %.0f bsld %.2f, want %.0f / %.1f within 1%%", c.pol.Name(), r.MeanWait, r.MeanBSLD, c.wait, c.bsld)
				}
			}
		})
	}
}

// The wrong estimate handling does not reproduce CTC's EASY numbers: the reject twin of the baseline.
func TestBaselineRejectsKillMode(t *testing.T) {
	p, err := assets.TestdataPath("hpc/" + baselines[1].trace)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Load(p, LoadOptions{Estimate: EstimateKill})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(w, Config{Policy: FCFS()})
	if err != nil {
		t.Fatal(err)
	}
	if within(r.MeanWait, baselines[1].fcfsWait, 0.01) {
		t.Fatalf("kill mode also reproduces FCFS (%.0f): the test cannot tell the modes apart", r.MeanWait)
	}
}

func TestDefaultBeatsEASY(t *testing.T) {
	for _, b := range baselines {
		t.Run(b.trace, func(t *testing.T) {
			w := loadTrace(t, b.trace)
			easy, err := Run(w, Config{Policy: EASY()})
			if err != nil {
				t.Fatal(err)
			}
			def, err := Run(w, Config{Policy: Default()})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("easy bsld %.2f util %.4f max wait %d; default bsld %.2f util %.4f max wait %d",
				easy.MeanBSLD, easy.Utilization, easy.MaxWait, def.MeanBSLD, def.Utilization, def.MaxWait)
			if def.MeanBSLD > 0.9*easy.MeanBSLD {
				t.Errorf("default bsld %.2f is not 10%% better than EASY's %.2f", def.MeanBSLD, easy.MeanBSLD)
			}
			if !within(def.Utilization, easy.Utilization, 0.005) {
				t.Errorf("utilization %.4f differs from EASY's %.4f", def.Utilization, easy.Utilization)
			}
		})
	}
}

// machine builds a workload from (submit, run, estimate, procs) rows.
func machine(procs int64, rows ...[4]int64) *Workload {
	w := &Workload{Procs: procs}
	for i, r := range rows {
		w.Jobs = append(w.Jobs, Job{ID: int64(i + 1), Submit: r[0], Run: r[1], Estimate: r[2], Procs: r[3], User: -1, Queue: -1})
	}
	return w
}

func mustRun(t *testing.T, w *Workload, cfg Config) *Result {
	t.Helper()
	r, err := Run(w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEASYCountsEveryJobEndingAtShadow(t *testing.T) {
	// 14 processors. A(4), B(4), D(2) run until 100; 4 idle. Head C needs 10: 4+4(A)+4(B) reaches it
	// at 100, and D ends then too, so 14-10 = 4 processors are extra, not 2. E (3 processors, long)
	// may therefore backfill at once without delaying C.
	w := machine(14,
		[4]int64{0, 100, 100, 4},   // A
		[4]int64{0, 100, 100, 4},   // B
		[4]int64{0, 100, 100, 2},   // D
		[4]int64{1, 50, 50, 10},    // C, the head
		[4]int64{2, 1000, 1000, 3}, // E
	)
	r := mustRun(t, w, Config{Policy: EASY()})
	if got := r.StartPerJob[4]; got != 2 {
		t.Errorf("E started at %d, want 2 (backfilled into the extra processors)", got)
	}
	if got := r.StartPerJob[3]; got != 100 {
		t.Errorf("head C started at %d, want its reservation 100", got)
	}
	// Reject twin: one processor more for E exceeds the extra processors and would delay C; it waits.
	w.Jobs[4].Procs = 5
	r = mustRun(t, w, Config{Policy: EASY()})
	if got := r.StartPerJob[4]; got == 2 {
		t.Errorf("E with 5 processors backfilled at 2, delaying the head")
	}
	if got := r.StartPerJob[3]; got != 100 {
		t.Errorf("head C started at %d, want 100", got)
	}
}

func TestEASYBackfillEndingExactlyAtShadow(t *testing.T) {
	// 10 processors; A(8) runs to 100; head B needs 10; C(2) estimated to end exactly at 100 fits
	// the hole; D(2) estimated one second longer does not (no extra processors).
	w := machine(10,
		[4]int64{0, 100, 100, 8},
		[4]int64{1, 10, 10, 10},
		[4]int64{2, 98, 98, 2},
		[4]int64{2, 99, 99, 2},
	)
	r := mustRun(t, w, Config{Policy: EASY()})
	if r.StartPerJob[2] != 2 {
		t.Errorf("C started at %d, want 2", r.StartPerJob[2])
	}
	if r.StartPerJob[1] != 100 {
		t.Errorf("head started at %d, want 100", r.StartPerJob[1])
	}
	if r.StartPerJob[3] < 100 {
		t.Errorf("D started at %d, before the head's reservation", r.StartPerJob[3])
	}
	if r.Backfilled != 1 {
		t.Errorf("%d backfilled, want 1", r.Backfilled)
	}
}

func TestEASYSeveralEndingAtShadowWithEarlyFinisher(t *testing.T) {
	// Estimates are upper bounds: A is estimated to 100 but ends at 40. Jobs ending at the estimated
	// shadow (B and D at 100) are both counted, and when A ends early the head starts early.
	w := machine(12,
		[4]int64{0, 40, 100, 4},  // A
		[4]int64{0, 100, 100, 4}, // B
		[4]int64{0, 100, 100, 4}, // D
		[4]int64{1, 10, 10, 8},   // head: needs A's and B's processors
		[4]int64{1, 5, 5, 1},     // tiny job: machine is full, waits
	)
	r := mustRun(t, w, Config{Policy: EASY()})
	if r.StartPerJob[3] != 100 {
		t.Errorf("head started at %d, want 100 (only 4 idle after A ends at 40)", r.StartPerJob[3])
	}
	if r.StartPerJob[4] != 40 {
		t.Errorf("tiny job started at %d, want 40 (backfilled when A ended)", r.StartPerJob[4])
	}
}

func TestFCFSNeverOvertakes(t *testing.T) {
	w := machine(10,
		[4]int64{0, 100, 100, 8},
		[4]int64{1, 10, 10, 10},
		[4]int64{2, 5, 5, 1},
	)
	r := mustRun(t, w, Config{Policy: FCFS()})
	if r.StartPerJob[2] < r.StartPerJob[1] {
		t.Fatalf("FCFS started job 3 at %d before job 2 at %d", r.StartPerJob[2], r.StartPerJob[1])
	}
	// Reject twin: EASY does let it overtake.
	r = mustRun(t, w, Config{Policy: EASY()})
	if r.StartPerJob[2] != 2 {
		t.Fatalf("EASY started job 3 at %d, want 2", r.StartPerJob[2])
	}
}

func TestMetrics(t *testing.T) {
	// two jobs on 1 processor: waits 0 and 5; bsld max(1,(0+5)/10)=1 and (5+20)/20=1.25
	w := machine(1, [4]int64{0, 5, 5, 1}, [4]int64{0, 20, 20, 1})
	r := mustRun(t, w, Config{Policy: FCFS()})
	if r.MeanWait != 2.5 || r.MaxWait != 5 || r.P50Wait != 0 || r.P95Wait != 5 {
		t.Errorf("waits %+v", r)
	}
	if r.MeanBSLD != 1.125 {
		t.Errorf("bsld %v, want 1.125", r.MeanBSLD)
	}
	if r.Utilization != 1 || r.Makespan != 25 {
		t.Errorf("utilization %v makespan %d", r.Utilization, r.Makespan)
	}
}

func TestInvalidWorkloadRejected(t *testing.T) {
	for name, w := range map[string]*Workload{
		"wider than machine": machine(4, [4]int64{0, 1, 1, 5}),
		"no processors":      machine(4, [4]int64{0, 1, 1, 0}),
		"negative run":       machine(4, [4]int64{0, -1, 1, 1}),
		"unsorted":           machine(4, [4]int64{5, 1, 1, 1}, [4]int64{4, 1, 1, 1}),
		"empty machine":      machine(0),
	} {
		if _, err := Run(w, Config{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
	}
}

func TestConfigByName(t *testing.T) {
	for _, n := range Names() {
		c, ok := ConfigByName(n)
		if !ok || (c.Policy == nil) == (c.Scheduler == nil) {
			t.Errorf("%s: %+v %v", n, c, ok)
		}
		if c.Policy != nil && c.Policy.Name() != n {
			t.Errorf("%s names itself %s", n, c.Policy.Name())
		}
	}
	if _, ok := ConfigByName("lottery"); ok {
		t.Error("unknown policy accepted")
	}
}

// Times near the int64 limit used to wrap around inside Run, which failed with a misleading "jobs
// queued on an idle machine"; Validate and FromTrace now refuse a workload whose schedule cannot fit.
func TestTimesBeyondInt64Refused(t *testing.T) {
	const big = int64(1) << 62
	for name, w := range map[string]*Workload{
		"late submit":       machine(2, [4]int64{1<<63 - 1, 10, 10, 1}),
		"huge run":          machine(2, [4]int64{0, 1<<63 - 1, 1<<63 - 1, 1}, [4]int64{5, 1, 1, 2}),
		"queued huge jobs":  machine(1, [4]int64{0, big, big, 1}, [4]int64{0, big, big, 1}),
		"estimate overflow": machine(1, [4]int64{big, 1, big, 1}, [4]int64{big, 1, big, 1}),
	} {
		if err := w.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate: %v, want ErrInvalid", name, err)
		}
		if _, err := Run(w, Config{Policy: EASY()}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "exceed") {
			t.Errorf("%s: Run: %v", name, err)
		}
	}
	tr, err := swf.Parse(strings.NewReader("; MaxProcs: 2\n1 9223372036854775807 0 10 1 -1 -1 1 10 -1 1 1 1 -1 1 -1 -1 -1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromTrace(tr, LoadOptions{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("FromTrace: %v", err)
	}
	// The largest schedule that fits is still accepted.
	ok := machine(1, [4]int64{0, big, big, 1}, [4]int64{0, big - 1, big - 1, 1})
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
}
