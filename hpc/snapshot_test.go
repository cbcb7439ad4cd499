package hpc

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestSnapshotRestoreContinuesIdentically(t *testing.T) {
	cfg := DefaultConfig()
	build := func() *world {
		w := newWorld(t, cfg).cluster("c1", 6, Resources{Cores: 4, MemoryMB: 4096}).cluster("c2", 6, Resources{Cores: 4, MemoryMB: 4096}).
			tenant("a", 2, Quota{}).tenant("b", 1, Quota{MaxCores: 24})
		must(t, w.s.SetLatency("c1", "c2", 20))
		return w
	}
	step := func(s *Scheduler, i int64) []Decision {
		ten := "a"
		if i%3 == 0 {
			ten = "b"
		}
		spec := job("j"+itoa(i), ten, 1+i%4, 1+i%4, 60+(i*53)%1200)
		if i%7 == 0 {
			spec.QoS = "high"
		}
		if err := s.Submit(spec, i*40); err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 {
			for _, id := range []string{"j" + itoa(i-3), "j" + itoa(i-4)} {
				if j, err := s.Job(id); err == nil && j.State == Running {
					must(t, s.Complete(id, Completed, i*40))
				}
			}
		}
		return s.Schedule(i * 40)
	}
	orig := build()
	for i := int64(1); i <= 60; i++ {
		step(orig.s, i)
	}
	if orig.s.Running() == 0 || orig.s.Queued() == 0 || orig.s.Stats().Preempted == 0 {
		t.Fatalf("scenario too easy: %d running, %d queued, %+v", orig.s.Running(), orig.s.Queued(), orig.s.Stats())
	}
	raw, err := json.Marshal(orig.s.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var sn Snapshot
	must(t, json.Unmarshal(raw, &sn))
	restored, err := Restore(cfg, sn)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(orig.s.Snapshot(), restored.Snapshot()) {
		t.Fatal("restored snapshot differs")
	}
	for i := int64(61); i <= 120; i++ {
		a, b := step(orig.s, i), step(restored, i)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("step %d: decisions differ:\n%+v\n%+v", i, a, b)
		}
	}
	if !reflect.DeepEqual(orig.s.Snapshot(), restored.Snapshot()) {
		t.Fatal("states diverged")
	}
	// reject twins: a forged registration signature, a running job on an unknown node
	bad := orig.s.Snapshot()
	bad.Nodes[0].Registration.Signature[0] ^= 1
	if _, err := Restore(cfg, bad); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged registration: %v", err)
	}
	bad = orig.s.Snapshot()
	for i := range bad.Jobs {
		if bad.Jobs[i].State == Running {
			bad.Jobs[i].Nodes[0] = "ghost"
			break
		}
	}
	if _, err := Restore(cfg, bad); !errors.Is(err, ErrMalformed) {
		t.Fatalf("running on a ghost node: %v", err)
	}
}

func FuzzRestore(f *testing.F) {
	w := &world{t: &testing.T{}, s: NewScheduler(DefaultConfig())}
	prov := key("provider/c1")
	must := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	must(w.s.AddCluster(Cluster{ID: "c1", Provider: "p", Partitions: []Partition{{Name: "batch"}}, ProviderKey: prov.Public().(ed25519.PublicKey)}))
	must(w.s.AddCluster(Cluster{ID: "c2", Provider: "p", Partitions: []Partition{{Name: "batch"}}, ProviderKey: prov.Public().(ed25519.PublicKey)}))
	must(w.s.SetLatency("c1", "c2", 10))
	for i, c := range []string{"c1", "c1", "c2"} {
		reg := NodeRegistration{Cluster: c, Node: "n" + itoa(int64(i)), Partition: "batch", Capacity: Resources{Cores: 4}, NodeKey: key(itoa(int64(i))).Public().(ed25519.PublicKey)}
		must(w.s.AddNode(signReg(reg, prov)))
	}
	must(w.s.AddTenant(Tenant{ID: "t"}))
	for i := int64(0); i < 6; i++ {
		must(w.s.Submit(job("j"+itoa(i), "t", 1+i%3, 2, 100), i))
	}
	w.s.Schedule(10)
	must(w.s.Submit(job("late", "t", 1, 1, 100), 11))
	raw, err := json.Marshal(w.s.Snapshot())
	must(err)
	f.Add(raw)
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var sn Snapshot
		if json.Unmarshal(b, &sn) != nil {
			return
		}
		s, err := Restore(DefaultConfig(), sn)
		if err != nil {
			return
		}
		s.Schedule(sn.LastRecalc + 100) // a restored scheduler must keep working
	})
}
