package hpc

import (
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"
)

// bigWorld builds clusters×perCluster nodes (64 cores, 256 GB, every 8th node with 4 GPUs), latency
// groups of 5 clusters 5–25 ms apart and 80+ ms between groups, and queues jobs of mixed shapes.
func bigWorld(tb testing.TB, clusters, perCluster, jobs int) *Scheduler {
	s := NewScheduler(DefaultConfig())
	prov := key("provider/bench")
	pub := prov.Public().(ed25519.PublicKey)
	nodeKey := key("node/bench").Public().(ed25519.PublicKey)
	for c := 0; c < clusters; c++ {
		id := fmt.Sprintf("c%03d", c)
		if err := s.AddCluster(Cluster{ID: id, Provider: "p", Partitions: []Partition{{Name: "batch"}}, ProviderKey: pub}); err != nil {
			tb.Fatal(err)
		}
		for n := 0; n < perCluster; n++ {
			capy := Resources{Cores: 64, MemoryMB: 256 << 10}
			if n%8 == 0 {
				capy.GPUs = 4
			}
			reg := NodeRegistration{Cluster: id, Node: fmt.Sprintf("%s-n%03d", id, n), Partition: "batch", Capacity: capy, NodeKey: nodeKey}
			if err := s.AddNode(signReg(reg, prov)); err != nil {
				tb.Fatal(err)
			}
		}
		for o := 0; o < c; o++ {
			lat := int64(80 + (c*7+o*13)%120)
			if c/5 == o/5 {
				lat = int64(5 + (c+o)%20)
			}
			if err := s.SetLatency(fmt.Sprintf("c%03d", o), id, lat); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for t := 0; t < 50; t++ {
		if err := s.AddTenant(Tenant{ID: fmt.Sprintf("t%02d", t), Shares: int64(1 + t%5)}); err != nil {
			tb.Fatal(err)
		}
	}
	x := uint64(12345)
	rnd := func(n uint64) int64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return int64(x % n) }
	for i := 0; i < jobs; i++ {
		spec := JobSpec{ID: fmt.Sprintf("j%06d", i), Tenant: fmt.Sprintf("t%02d", rnd(50)), Account: "a", Partition: "batch",
			Nodes: 1 << rnd(5), PerNode: Resources{Cores: 1 << rnd(7), MemoryMB: 1024 << rnd(6)},
			RuntimeLimitSeconds: 60 + rnd(24*3600), Image: "img"}
		if rnd(10) == 0 {
			spec.PerNode.GPUs = 1 + rnd(4)
		}
		if err := s.Submit(spec, int64(i/100)); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// BenchmarkScheduleDecisions measures scheduling decisions (job starts) per second with 10,000
// nodes and 100,000 queued jobs (TARGETS "hpc": ≥ 1,000/s; Slurm sustains 500 jobs/s, Kubernetes
// 100 pods/s). Each iteration completes the 100 running jobs that end first and runs one pass; the
// first pass (which fills the empty machine) is reported separately.
func BenchmarkScheduleDecisions(b *testing.B) {
	s := bigWorld(b, 100, 100, 100_000)
	now := int64(1000)
	t0 := time.Now()
	first := len(started(s.Schedule(now)))
	fill := time.Since(t0)
	b.ReportMetric(float64(first)/fill.Seconds(), "fill-decisions/s")
	b.ResetTimer()
	decisions := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer() // choosing which jobs end is the harness, not the scheduler
		rs := s.byEstEnd()
		b.StartTimer()
		for k := 0; k < 100 && k < len(rs); k++ { // the jobs' ends, as the controller reports them
			now = max(now, rs[k].estEnd-1)
			if err := s.Complete(rs[k].Spec.ID, Completed, now); err != nil {
				b.Fatal(err)
			}
		}
		decisions += len(started(s.Schedule(now)))
	}
	b.ReportMetric(float64(decisions)/b.Elapsed().Seconds(), "decisions/s")
	b.ReportMetric(float64(s.Queued()), "queued")
}
