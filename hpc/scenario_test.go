package hpc

import (
	"crypto/ed25519"
	"errors"
	"reflect"
	"slices"
	"testing"
)

func TestQuotaHoldsTenantNotOthers(t *testing.T) {
	// 4 nodes × 4 cores. Tenant a may run 8 cores: its third 4-core job waits though nodes are idle,
	// and tenant b's job behind it starts.
	w := newWorld(t, fcfsConfig()).cluster("c1", 4, Resources{Cores: 4}).
		tenant("a", 1, Quota{MaxCores: 8}).tenant("b", 1, Quota{})
	w.submit(job("a1", "a", 1, 4, 100), 0)
	w.submit(job("a2", "a", 1, 4, 100), 0)
	w.submit(job("a3", "a", 1, 4, 100), 0)
	w.submit(job("b1", "b", 1, 4, 100), 0)
	st := started(w.s.Schedule(0))
	if len(st) != 3 || !has(st, "a1", "a2", "b1") {
		t.Fatalf("started %v, want a1 a2 b1", keys(st))
	}
	e, _ := w.s.Explain("a3")
	if e.State != "queued" || e.Message != "tenant a quota: 8 of 8 cores in use" {
		t.Fatalf("explain %+v", e)
	}
	// reject twin of the quota: once a1 ends, a3 runs
	if err := w.s.Complete("a1", Completed, 50); err != nil {
		t.Fatal(err)
	}
	if !has(started(w.s.Schedule(50)), "a3") {
		t.Fatal("a3 did not start once its tenant was under quota")
	}
}

func TestPreemptionByQoS(t *testing.T) {
	// 2 nodes × 4 cores, both full with normal jobs; an urgent job needing one node preempts the most
	// recently started normal job only; a high job cannot preempt another high job.
	w := newWorld(t, fcfsConfig()).cluster("c1", 2, Resources{Cores: 4}).tenant("t", 1, Quota{})
	w.submit(job("n1", "t", 1, 4, 1000), 0)
	w.s.Schedule(0)
	w.submit(job("n2", "t", 1, 4, 1000), 10)
	w.s.Schedule(10)
	u := job("u", "t", 1, 4, 100)
	u.QoS = "urgent"
	w.submit(u, 20)
	ds := w.s.Schedule(20)
	var pre, start *Decision
	for i := range ds {
		switch ds[i].Action {
		case ActionPreempt:
			pre = &ds[i]
		case ActionStart:
			start = &ds[i]
		}
	}
	if pre == nil || pre.Job != "n2" || pre.PreemptedBy != "u" || start == nil || start.Job != "u" || !slices.Equal(start.Victims, []string{"n2"}) {
		t.Fatalf("decisions %+v", ds)
	}
	if w.state("n1") != Running || w.state("n2") != Queued {
		t.Fatalf("n1 %s n2 %s", w.state("n1"), w.state("n2"))
	}
	j, _ := w.s.Job("n2")
	if j.Preempted != 1 || j.Submitted != 10 {
		t.Fatalf("n2 preempted %d submitted %d: it keeps its age", j.Preempted, j.Submitted)
	}
	// reject twin: a high job cannot preempt the urgent job nor a non-preemptible high job
	h := job("h", "t", 1, 4, 100)
	h.QoS = "high"
	w.submit(h, 30)
	for _, d := range w.s.Schedule(30) {
		if d.Action == ActionPreempt && d.Job == "u" {
			t.Fatal("high preempted urgent")
		}
		if d.Action == ActionStart && d.Job == "h" && !slices.Equal(d.Victims, []string{"n1"}) {
			t.Fatalf("h started with victims %v", d.Victims)
		}
	}
	// normal jobs never preempt
	w2 := newWorld(t, fcfsConfig()).cluster("c1", 1, Resources{Cores: 4}).tenant("t", 1, Quota{})
	s1 := job("s1", "t", 1, 4, 1000)
	s1.QoS = "scavenger"
	w2.submit(s1, 0)
	w2.s.Schedule(0)
	w2.submit(job("n", "t", 1, 4, 100), 1)
	for _, d := range w2.s.Schedule(1) {
		if d.Action == ActionPreempt {
			t.Fatal("a normal job preempted")
		}
	}
}

func TestFairShareOrdersTenants(t *testing.T) {
	// Equal shares. Tenant heavy has used 3600 core-seconds; light nothing. With only the fair-share
	// weight, light's job (submitted later) ranks first: F(light) = 10000·5000/(5000+0) = 10000,
	// F(heavy) = 10000·5000/(5000+10000) = 3333.
	cfg := Config{Weights: Weights{FairShare: 10000}, StarvationSeconds: -1, PriorityRecalcSeconds: -1}
	w := newWorld(t, cfg).cluster("c1", 1, Resources{Cores: 1}).tenant("heavy", 1, Quota{}).tenant("light", 1, Quota{})
	w.submit(job("h0", "heavy", 1, 1, 3600), 0)
	w.s.Schedule(0)
	if err := w.s.Complete("h0", Completed, 3600); err != nil {
		t.Fatal(err)
	}
	w.submit(job("h1", "heavy", 1, 1, 60), 3600)
	w.submit(job("l1", "light", 1, 1, 60), 3601)
	st := started(w.s.Schedule(3601))
	if !has(st, "l1") || has(st, "h1") {
		t.Fatalf("started %v, want l1 first", keys(st))
	}
	if f := st["l1"].Factors.FairShare; f != 10000 {
		t.Errorf("light fair share %d, want 10000", f)
	}
	e, _ := w.s.Explain("h1")
	if e.Factors.FairShare != 3333 {
		t.Errorf("heavy fair share %d, want 3333", e.Factors.FairShare)
	}
	// reject twin: with fair share weighted 0, submission order wins
	cfg.Weights = Weights{}
	w = newWorld(t, cfg).cluster("c1", 1, Resources{Cores: 1}).tenant("heavy", 1, Quota{}).tenant("light", 1, Quota{})
	w.submit(job("h0", "heavy", 1, 1, 3600), 0)
	w.s.Schedule(0)
	w.s.Complete("h0", Completed, 3600)
	w.submit(job("h1", "heavy", 1, 1, 60), 3600)
	w.submit(job("l1", "light", 1, 1, 60), 3601)
	if st := started(w.s.Schedule(3601)); !has(st, "h1") {
		t.Fatalf("started %v, want h1", keys(st))
	}
}

func TestFairShareDecays(t *testing.T) {
	cfg := Config{FairShareHalfLifeSeconds: 1000, StarvationSeconds: -1}
	w := newWorld(t, cfg).cluster("c1", 1, Resources{Cores: 1}).tenant("a", 1, Quota{}).tenant("b", 1, Quota{})
	w.s.Schedule(0)
	w.submit(job("a0", "a", 1, 1, 400), 0)
	w.s.Schedule(0)
	w.s.Complete("a0", Completed, 400)
	if u := w.s.tenants["a"].usage; u != 400 {
		t.Fatalf("usage %d", u)
	}
	w.s.Schedule(2100) // two half-lives
	if u := w.s.tenants["a"].usage; u != 100 {
		t.Fatalf("usage after two half-lives %d, want 100", u)
	}
}

func TestLatencyAwarePlacement(t *testing.T) {
	// Clusters: near1 and near2 are 10 ms apart, far is 120 ms from both; 4 one-core nodes each.
	w := newWorld(t, fcfsConfig()).cluster("near1", 4, core).cluster("near2", 4, core).cluster("far", 4, core).tenant("t", 1, Quota{})
	must(t, w.s.SetLatency("near1", "near2", 10))
	must(t, w.s.SetLatency("near1", "far", 120))
	must(t, w.s.SetLatency("near2", "far", 120))
	// 3 nodes fit one cluster: best fit is the first of equals
	w.submit(job("small", "t", 3, 1, 100), 0)
	// 5 nodes: near1 has 1 left, so the group is near2 + near1 (10 ms), not far
	w.submit(job("mid", "t", 5, 1, 100), 0)
	st := started(w.s.Schedule(0))
	if d := st["small"]; !slices.Equal(d.Clusters, []string{"near1"}) {
		t.Fatalf("small on %v", d.Clusters)
	}
	d := st["mid"]
	if len(d.Clusters) != 2 || !slices.Contains(d.Clusters, "near1") || !slices.Contains(d.Clusters, "near2") || d.MaxLatencyMillis != 10 {
		t.Fatalf("mid on %v at %d ms: %s", d.Clusters, d.MaxLatencyMillis, d.Reason)
	}
	t.Log(d.Reason)
	// reject twin: once small ends, near1 has 3 idle nodes and far 4: 5 nodes within 50 ms is
	// impossible, so a job of 5 nodes waits unless it allows spanning
	must(t, w.s.Complete("small", Completed, 1))
	w.submit(job("wide", "t", 5, 1, 100), 1)
	if st := started(w.s.Schedule(1)); has(st, "wide") {
		t.Fatalf("wide spanned 120 ms without allowing it: %+v", st["wide"])
	}
	sp := job("wide-ok", "t", 5, 1, 100)
	sp.AllowSpanning = true
	must(t, w.s.Cancel("wide", 2))
	w.submit(sp, 2)
	st = started(w.s.Schedule(2))
	if d := st["wide-ok"]; d.MaxLatencyMillis != 120 {
		t.Fatalf("spanning job: %+v", d)
	}
}

func TestNodeDownRequeuesAndDrainStopsNewWork(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("c1", 2, core).tenant("t", 1, Quota{})
	w.submit(job("a", "t", 1, 1, 100), 0)
	w.s.Schedule(0)
	j, _ := w.s.Job("a")
	ds, err := w.s.SetNodeState(j.Nodes[0], NodeDown, 5)
	if err != nil || len(ds) != 1 || ds[0].Action != ActionRequeue || w.state("a") != Queued {
		t.Fatalf("%+v %v %s", ds, err, w.state("a"))
	}
	other := "c1-n0"
	if j.Nodes[0] == other {
		other = "c1-n1"
	}
	if _, err := w.s.SetNodeState(other, NodeDraining, 5); err != nil {
		t.Fatal(err)
	}
	if st := started(w.s.Schedule(5)); len(st) != 0 {
		t.Fatalf("started on a draining or down node: %v", keys(st))
	}
	if _, err := w.s.SetNodeState(other, NodeUp, 6); err != nil {
		t.Fatal(err)
	}
	if st := started(w.s.Schedule(6)); !has(st, "a") {
		t.Fatal("a did not restart on the restored node")
	}
}

func TestDeterministic(t *testing.T) {
	run := func() []Decision {
		w := newWorld(t, DefaultConfig()).cluster("c1", 8, Resources{Cores: 4, MemoryMB: 4096}).cluster("c2", 8, Resources{Cores: 4, MemoryMB: 4096}).
			tenant("a", 2, Quota{}).tenant("b", 1, Quota{MaxCores: 32})
		must(t, w.s.SetLatency("c1", "c2", 20))
		var all []Decision
		for i := int64(0); i < 200; i++ {
			ten := "a"
			if i%3 == 0 {
				ten = "b"
			}
			w.submit(job(string(rune('A'+i%26))+itoa(i), ten, 1+i%5, 1+i%4, 60+(i*37)%900), i*7)
			all = append(all, w.s.Schedule(i*7)...)
		}
		return all
	}
	a, b := run(), run()
	if len(a) != len(b) {
		t.Fatalf("%d vs %d decisions", len(a), len(b))
	}
	for i := range a {
		if a[i].Job != b[i].Job || a[i].Action != b[i].Action || !slices.Equal(a[i].Nodes, b[i].Nodes) {
			t.Fatalf("decision %d differs: %+v vs %+v", i, a[i], b[i])
		}
	}
}

func itoa(i int64) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func has(m map[string]Decision, ids ...string) bool {
	for _, id := range ids {
		if _, ok := m[id]; !ok {
			return false
		}
	}
	return true
}

func keys(m map[string]Decision) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestLivenessChangesReachScheduler(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("c1", 1, core).tenant("t", 1, Quota{})
	w.submit(job("a", "t", 1, 1, 100), 0)
	w.s.Schedule(0)
	ds, err := w.s.ApplyChange(Change{Node: "c1-n0", From: Stale, To: Offline, At: 300}, false)
	if err != nil || len(ds) != 1 || ds[0].Action != ActionRequeue {
		t.Fatalf("offline: %+v %v", ds, err)
	}
	if st := started(w.s.Schedule(301)); len(st) != 0 {
		t.Fatal("started on an offline node")
	}
	if _, err := w.s.ApplyChange(Change{Node: "c1-n0", From: Offline, To: Alive, At: 400}, false); err != nil {
		t.Fatal(err)
	}
	if st := started(w.s.Schedule(400)); !has(st, "a") {
		t.Fatal("a did not restart once the node was alive")
	}
	if _, err := w.s.ApplyChange(Change{Node: "ghost", To: Alive}, false); !errors.Is(err, ErrUnknownNode) {
		t.Fatalf("unknown node: %v", err)
	}
}

func TestHeartbeatLatencyDrivesGrouping(t *testing.T) {
	w := newWorld(t, fcfsConfig()).cluster("a", 2, core).cluster("b", 2, core).tenant("t", 1, Quota{})
	// no latency known between a and b: a 3-node job cannot be grouped
	if err := w.s.Submit(job("x", "t", 3, 1, 100), 0); !errors.Is(err, ErrUnschedulable) {
		t.Fatalf("without latency: %v", err)
	}
	ign := w.s.ObserveHeartbeat(Heartbeat{Cluster: "a", Node: "a-n0", Peers: []PeerLatency{
		{Peer: "controller", Millis: 1}, {Peer: PeerNode("b-n0"), Millis: 30}, {Peer: PeerNode("zz"), Millis: 1}}})
	if !reflect.DeepEqual(ign, []string{"node/zz"}) {
		t.Fatalf("ignored %v, want the unknown node only", ign)
	}
	w.submit(job("x", "t", 3, 1, 100), 0)
	if d := started(w.s.Schedule(0))["x"]; d.MaxLatencyMillis != 30 || len(d.Clusters) != 2 {
		t.Fatalf("x: %+v", d)
	}
	// reject twins: a measured 80 ms is beyond the group bound
	far := func(reports ...Heartbeat) error {
		w2 := newWorld(t, fcfsConfig()).cluster("a", 2, core).cluster("b", 2, core).tenant("t", 1, Quota{})
		for _, h := range reports {
			w2.s.ObserveHeartbeat(h)
		}
		return w2.s.Submit(job("x", "t", 3, 1, 100), 0)
	}
	if err := far(Heartbeat{Cluster: "a", Node: "a-n0", Peers: []PeerLatency{{Peer: PeerNode("b-n0"), Millis: 80}}}); !errors.Is(err, ErrUnschedulable) {
		t.Fatalf("80 ms apart: %v", err)
	}
	// a node claiming to be near cannot outvote its peer's measurement: the pair takes the larger
	if err := far(Heartbeat{Cluster: "a", Node: "a-n0", Peers: []PeerLatency{{Peer: PeerNode("b-n0"), Millis: 1}}},
		Heartbeat{Cluster: "b", Node: "b-n0", Peers: []PeerLatency{{Peer: PeerNode("a-n0"), Millis: 80}}}); !errors.Is(err, ErrUnschedulable) {
		t.Fatalf("one side claims 1 ms, the other measures 80: %v", err)
	}
	// reports from a node of another cluster than the heartbeat names, or from an unknown node, teach nothing
	if err := far(Heartbeat{Cluster: "b", Node: "a-n0", Peers: []PeerLatency{{Peer: PeerNode("b-n0"), Millis: 1}}},
		Heartbeat{Cluster: "a", Node: "ghost", Peers: []PeerLatency{{Peer: PeerNode("b-n0"), Millis: 1}}}); !errors.Is(err, ErrUnschedulable) {
		t.Fatalf("foreign reports: %v", err)
	}
	// the cluster latency is the median over measured node pairs: one outlier pair does not decide it
	w3 := newWorld(t, fcfsConfig()).cluster("a", 2, core).cluster("b", 2, core).tenant("t", 1, Quota{})
	for _, r := range [][3]any{{"a-n0", "b-n0", int64(20)}, {"a-n1", "b-n1", int64(25)}, {"a-n0", "b-n1", int64(900)}} {
		w3.s.ObserveHeartbeat(Heartbeat{Cluster: "a", Node: r[0].(string), Peers: []PeerLatency{{Peer: PeerNode(r[1].(string)), Millis: r[2].(int64)}}})
	}
	w3.submit(job("x", "t", 3, 1, 100), 0)
	if d := started(w3.s.Schedule(0))["x"]; d.MaxLatencyMillis != 25 {
		t.Fatalf("median of 20, 25, 900: %+v", d)
	}
}

// TestRemoteNodeIsNotGrouped: inside one cluster, a node that its cluster-mates measure 80 ms away
// (and that measures them 80 ms away) takes no place in a multi-node allocation, but still runs
// single-node jobs; its twin, the same cluster without measurements, places the job on it.
func TestRemoteNodeIsNotGrouped(t *testing.T) {
	world := func() *world {
		return newWorld(t, fcfsConfig()).cluster("a", 3, core).tenant("t", 1, Quota{})
	}
	twin := world()
	twin.submit(job("x", "t", 2, 1, 100), 0)
	if d := started(twin.s.Schedule(0))["x"]; !reflect.DeepEqual(d.Nodes, []string{"a-n0", "a-n1"}) {
		t.Fatalf("without measurements: %+v", d)
	}

	w := world()
	slow := int64(80)
	w.s.ObserveHeartbeat(Heartbeat{Cluster: "a", Node: "a-n1", Peers: []PeerLatency{{Peer: PeerNode("a-n0"), Millis: slow}, {Peer: PeerNode("a-n2"), Millis: 1}}})
	w.s.ObserveHeartbeat(Heartbeat{Cluster: "a", Node: "a-n2", Peers: []PeerLatency{{Peer: PeerNode("a-n0"), Millis: slow}, {Peer: PeerNode("a-n1"), Millis: 1}}})
	// a-n0 claims to be near: its mates' measurements win
	w.s.ObserveHeartbeat(Heartbeat{Cluster: "a", Node: "a-n0", Peers: []PeerLatency{{Peer: PeerNode("a-n1"), Millis: 1}, {Peer: PeerNode("a-n2"), Millis: 1}}})
	for id, want := range map[string]bool{"a-n0": true, "a-n1": false, "a-n2": false} {
		if r, err := w.s.Remote(id); err != nil || r != want {
			t.Fatalf("Remote(%s) = %v %v, want %v", id, r, err, want)
		}
	}
	// snapshot and restore keep the measurements
	sn := w.s.Snapshot()
	if len(sn.NodeRTT) != 6 {
		t.Fatalf("snapshot round trips %+v", sn.NodeRTT)
	}
	r, err := Restore(fcfsConfig(), sn)
	if err != nil {
		t.Fatal(err)
	}
	if rem, _ := r.Remote("a-n0"); !rem {
		t.Fatal("restored scheduler forgot a-n0 is remote")
	}
	w.submit(job("x", "t", 2, 1, 100), 0)
	w.submit(job("y", "t", 1, 1, 100), 0)
	got := started(w.s.Schedule(0))
	if d := got["x"]; !reflect.DeepEqual(d.Nodes, []string{"a-n1", "a-n2"}) {
		t.Fatalf("x placed on %v, want a-n1, a-n2 (a-n0 is 80 ms from them)", d.Nodes)
	}
	if d := got["y"]; !reflect.DeepEqual(d.Nodes, []string{"a-n0"}) {
		t.Fatalf("single-node y placed on %v, want the remote a-n0", d.Nodes)
	}
	// once a-n0 is measured near again it is grouped again
	for _, m := range []string{"a-n1", "a-n2"} {
		w.s.ObserveHeartbeat(Heartbeat{Cluster: "a", Node: m, Peers: []PeerLatency{{Peer: PeerNode("a-n0"), Millis: 2}}})
	}
	if rem, _ := w.s.Remote("a-n0"); rem {
		t.Fatal("a-n0 still remote after near measurements")
	}
}

func TestPartitionRuntimeLimit(t *testing.T) {
	// cluster "short" caps its batch partition at 1 h; "long" does not
	w := newWorld(t, fcfsConfig()).tenant("t", 1, Quota{})
	prov := key("provider/pl")
	for _, c := range []Cluster{
		{ID: "short", Provider: "p", Partitions: []Partition{{Name: "batch", MaxRuntimeSeconds: 3600}}, ProviderKey: prov.Public().(ed25519.PublicKey)},
		{ID: "long", Provider: "p", Partitions: []Partition{{Name: "batch"}}, ProviderKey: prov.Public().(ed25519.PublicKey)},
	} {
		must(t, w.s.AddCluster(c))
		reg := NodeRegistration{Cluster: c.ID, Node: c.ID + "-n0", Partition: "batch", Capacity: core, NodeKey: key(c.ID).Public().(ed25519.PublicKey)}
		must(t, w.s.AddNode(signReg(reg, prov)))
	}
	w.submit(job("day", "t", 1, 1, 86400), 0)
	w.submit(job("hour", "t", 1, 1, 3600), 0)
	st := started(w.s.Schedule(0))
	if !slices.Equal(st["day"].Clusters, []string{"long"}) || !slices.Equal(st["hour"].Clusters, []string{"short"}) {
		t.Fatalf("day on %v, hour on %v", st["day"].Clusters, st["hour"].Clusters)
	}
	// reject twin: a second day-long job cannot use the short cluster's idle node
	w.submit(job("day2", "t", 1, 1, 86400), 1)
	must(t, w.s.Complete("hour", Completed, 1))
	if st := started(w.s.Schedule(1)); has(st, "day2") {
		t.Fatalf("day2 started on %v", st["day2"].Clusters)
	}
}
