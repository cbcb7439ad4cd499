package sim

import (
	"errors"
	"testing"
)

// three sites: a and b are 10 ms apart, c is 120 ms from both.
func threeSites() Config {
	return Config{
		Policy: EASY(),
		Sites:  []Site{{"a", 4}, {"b", 4}, {"c", 8}},
		LatencyMillis: [][]int64{
			{0, 10, 120},
			{10, 0, 120},
			{120, 120, 0},
		},
	}
}

func TestSitesSingleSiteBestFit(t *testing.T) {
	alloc, lat := placeLatencyAware(3, []int64{4, 4, 8}, threeSites().LatencyMillis)
	if lat != 0 || alloc[0] != 3 || alloc[1] != 0 || alloc[2] != 0 {
		t.Fatalf("alloc %v lat %d, want 3 on the smallest site that fits", alloc, lat)
	}
}

func TestSitesGroupsNearbySites(t *testing.T) {
	// 8 processors fit site c alone; 9 do not fit anywhere alone; with c partly busy, a+b (10 ms)
	// is the low-latency group.
	alloc, lat := placeLatencyAware(8, []int64{4, 4, 5}, threeSites().LatencyMillis)
	if lat != 10 || alloc[0] != 4 || alloc[1] != 4 || alloc[2] != 0 {
		t.Fatalf("alloc %v lat %d, want a+b at 10 ms", alloc, lat)
	}
	alloc, lat = placeLatencyAware(12, []int64{4, 4, 8}, threeSites().LatencyMillis)
	if lat != 120 {
		t.Fatalf("alloc %v lat %d, want a spanning allocation at 120 ms", alloc, lat)
	}
}

func TestSitesSpanningPenalty(t *testing.T) {
	cfg := threeSites()
	// 12 processors cannot avoid the far site: run time grows by 120 ms × 1% = 120%.
	w := machine(16, [4]int64{0, 100, 100, 12})
	r := mustRun(t, w, cfg)
	if r.SpanningJobs != 1 || r.Makespan != 220 {
		t.Fatalf("spanning %d makespan %d, want 1 and 220", r.SpanningJobs, r.Makespan)
	}
	// Reject twin: 8 processors fit site c (or a+b at 10 ms): no penalty.
	w = machine(16, [4]int64{0, 100, 100, 8})
	r = mustRun(t, w, cfg)
	if r.SpanningJobs != 0 || r.Makespan != 100 {
		t.Fatalf("spanning %d makespan %d, want 0 and 100", r.SpanningJobs, r.Makespan)
	}
}

func TestSitesValidation(t *testing.T) {
	w := machine(16, [4]int64{0, 1, 1, 1})
	bad := []Config{
		{Sites: []Site{{"a", 8}, {"b", 4}}, LatencyMillis: [][]int64{{0, 1}, {1, 0}}},  // sum 12 ≠ 16
		{Sites: []Site{{"a", 8}, {"b", 8}}, LatencyMillis: [][]int64{{0, 1}, {2, 0}}},  // asymmetric
		{Sites: []Site{{"a", 8}, {"b", 8}}, LatencyMillis: [][]int64{{0, 1}}},          // short matrix
		{Sites: []Site{{"a", 16}, {"b", 0}}, LatencyMillis: [][]int64{{0, 1}, {1, 0}}}, // empty site
		{Sites: []Site{{"a", 8}, {"b", 8}}, LatencyMillis: [][]int64{{5, 1}, {1, 0}}},  // diagonal
	}
	for i, c := range bad {
		if _, err := Run(w, c); !errors.Is(err, ErrInvalid) {
			t.Errorf("config %d: err %v, want ErrInvalid", i, err)
		}
	}
	ok := Config{Sites: []Site{{"a", 8}, {"b", 8}}, LatencyMillis: [][]int64{{0, 1}, {1, 0}}}
	if _, err := Run(w, ok); err != nil {
		t.Errorf("valid sites rejected: %v", err)
	}
}

// SplitEven splits procs into n sites with a uniform latency; the decentralization cost on a real
// trace is the bsld difference against the single machine.
func TestSplitEven(t *testing.T) {
	sites, lat, err := SplitEven(100, 3, 80)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 3 || sites[0].Procs+sites[1].Procs+sites[2].Procs != 100 || lat[0][1] != 80 || lat[1][1] != 0 {
		t.Fatalf("sites %v lat %v", sites, lat)
	}
	if _, _, err := SplitEven(2, 3, 10); !errors.Is(err, ErrInvalid) {
		t.Fatalf("3 sites of 2 processors: err %v", err)
	}
}
