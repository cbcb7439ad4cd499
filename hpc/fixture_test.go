package hpc

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"
)

// key derives a deterministic Ed25519 key from a name (tests only).
func key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("hpc-test-key/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// badKeys are private keys ed25519.Sign would panic on; every signing function must refuse them with
// ErrBadKey instead.
func badKeys() map[string]ed25519.PrivateKey {
	good := key("bad-key-base")
	return map[string]ed25519.PrivateKey{
		"nil":               nil,
		"empty":             {},
		"seed only (short)": good.Seed(),
		"one byte short":    good[:ed25519.PrivateKeySize-1],
		"one byte long":     append(append(ed25519.PrivateKey(nil), good...), 0),
		"double (long)":     append(append(ed25519.PrivateKey(nil), good...), good...),
	}
}

// signHB, signReg, publish and approve sign with keys from key, which are always well formed, so an
// error is a broken test fixture.
func signHB(h Heartbeat, k ed25519.PrivateKey) SignedHeartbeat {
	sh, err := SignHeartbeat(h, k)
	if err != nil {
		panic(err)
	}
	return sh
}

func signReg(r NodeRegistration, k ed25519.PrivateKey) SignedRegistration {
	sr, err := SignRegistration(r, k)
	if err != nil {
		panic(err)
	}
	return sr
}

func publish(t Template, publisher, approver ed25519.PrivateKey) SignedTemplate {
	s, err := PublishTemplate(t, publisher)
	if err == nil && approver != nil {
		err = s.Approve(approver)
	}
	if err != nil {
		panic(err)
	}
	return s
}

// world builds a scheduler with clusters of identical nodes.
type world struct {
	t *testing.T
	s *Scheduler
}

func newWorld(t *testing.T, cfg Config) *world {
	return &world{t: t, s: NewScheduler(cfg)}
}

// cluster adds cluster id with n nodes of capacity c in partition "batch".
func (w *world) cluster(id string, n int, c Resources) *world {
	w.t.Helper()
	prov := key("provider/" + id)
	cl := Cluster{ID: id, Provider: "prov-" + id, Partitions: []Partition{{Name: "batch"}, {Name: "gpu", PriorityBP: 5000}},
		ProviderKey: prov.Public().(ed25519.PublicKey)}
	if err := w.s.AddCluster(cl); err != nil {
		w.t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s-n%d", id, i)
		reg := NodeRegistration{Cluster: id, Node: name, Partition: "batch", Capacity: c,
			NodeKey: key("node/" + name).Public().(ed25519.PublicKey), Operator: "op-" + id}
		if err := w.s.AddNode(signReg(reg, prov)); err != nil {
			w.t.Fatal(err)
		}
	}
	return w
}

func (w *world) tenant(id string, shares int64, q Quota) *world {
	w.t.Helper()
	if err := w.s.AddTenant(Tenant{ID: id, Shares: shares, Quota: q}); err != nil {
		w.t.Fatal(err)
	}
	return w
}

// job returns a spec: nodes × cores, runtime limit.
func job(id, tenant string, nodes, cores, limit int64) JobSpec {
	return JobSpec{ID: id, Tenant: tenant, Account: "acct-" + tenant, Partition: "batch", Nodes: nodes,
		PerNode: Resources{Cores: cores}, RuntimeLimitSeconds: limit, Image: "docker.io/library/busybox"}
}

func (w *world) submit(spec JobSpec, now int64) {
	w.t.Helper()
	if err := w.s.Submit(spec, now); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) state(id string) JobState {
	w.t.Helper()
	j, err := w.s.Job(id)
	if err != nil {
		w.t.Fatal(err)
	}
	return j.State
}

func started(ds []Decision) map[string]Decision {
	m := map[string]Decision{}
	for _, d := range ds {
		if d.Action == ActionStart {
			m[d.Job] = d
		}
	}
	return m
}
