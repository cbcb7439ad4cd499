package agent

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/virtengine/sdk/hpc"
)

func key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("hpc-agent-test/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// signHB signs h with k, failing the test on an error.
func signHB(t *testing.T, h hpc.Heartbeat, k ed25519.PrivateKey) hpc.SignedHeartbeat {
	t.Helper()
	sh, err := hpc.SignHeartbeat(h, k)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

// next is a.NextHeartbeat, failing the test on an error.
func next(t *testing.T, a *Agent) hpc.SignedHeartbeat {
	t.Helper()
	sh, err := a.NextHeartbeat()
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     *testing.T
	clock *fakeClock
	ctrl  *Controller
	addr  string
	mu    sync.Mutex
	seen  []hpc.Change
}

// newEnv starts a controller for cluster c1 with nodes n1 and n2 registered, on loopback UDP.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, clock: &fakeClock{t: time.Unix(1_800_000_000, 0)}}
	prov := key("provider")
	reg, err := hpc.NewRegistry(hpc.Cluster{ID: "c1", Provider: "p", Partitions: []hpc.Partition{{Name: "batch"}},
		ProviderKey: prov.Public().(ed25519.PublicKey)}, hpc.Timers{})
	if err != nil {
		t.Fatal(err)
	}
	e.ctrl, err = NewController(ControllerConfig{Key: key("controller"), Registry: reg, Clock: e.clock.Now,
		OnChange: func(c hpc.Change) { e.mu.Lock(); e.seen = append(e.seen, c); e.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"n1", "n2"} {
		r := hpc.NodeRegistration{Cluster: "c1", Node: n, Partition: "batch", Capacity: hpc.Resources{Cores: 16},
			NodeKey: key("node/" + n).Public().(ed25519.PublicKey)}
		sr, err := hpc.SignRegistration(r, prov)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ctrl.Register(sr); err != nil {
			t.Fatal(err)
		}
	}
	addr, err := e.ctrl.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = addr.String()
	t.Cleanup(func() { e.ctrl.Close() })
	return e
}

func (e *env) agent(node string, k ed25519.PrivateKey, ctrlKey ed25519.PublicKey) *Agent {
	e.t.Helper()
	a, err := NewAgent(AgentConfig{Cluster: "c1", Node: node, Key: k, Controller: e.addr, ControllerKey: ctrlKey,
		Capacity: hpc.Resources{Cores: 16}, Clock: e.clock.Now, FirstSeq: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { a.Close() })
	return a
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestHeartbeatsOverDTLS(t *testing.T) {
	e := newEnv(t)
	a := e.agent("n1", key("node/n1"), e.ctrl.PublicKey())
	if err := a.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		ack, err := a.Beat(ctx(t))
		if err != nil || ack.Seq != uint64(i+1) || ack.Liveness != hpc.Alive || ack.Drain {
			t.Fatalf("beat %d: %+v %v", i, ack, err)
		}
		e.clock.Add(30 * time.Second)
	}
	st := e.ctrl.Status()
	if st[0].Registration.Node != "n1" || st[0].LastSeq != 3 || st[0].Liveness != hpc.Alive {
		t.Fatalf("status %+v", st[0])
	}
	if p := st[0].Last.Peers; len(p) != 1 || p[0].Peer != "controller" || p[0].Millis < 1 {
		t.Fatalf("measured latency not reported: %+v", p)
	}
	// drain reaches the agent in its next ack
	if err := e.ctrl.Drain("n1", true); err != nil {
		t.Fatal(err)
	}
	if ack, err := a.Beat(ctx(t)); err != nil || !ack.Drain {
		t.Fatalf("drain not acknowledged: %+v %v", ack, err)
	}
}

func TestDTLSRejectsWrongKeys(t *testing.T) {
	e := newEnv(t)
	// a node presenting a key no provider registered cannot complete the handshake
	if err := e.agent("n1", key("intruder"), e.ctrl.PublicKey()).Connect(ctx(t)); err == nil {
		t.Fatal("unregistered node key completed the handshake")
	}
	// an agent refuses a controller whose key is not the pinned one
	if err := e.agent("n1", key("node/n1"), key("other-controller").Public().(ed25519.PublicKey)).Connect(ctx(t)); !errors.Is(err, ErrPeerKey) {
		t.Fatalf("wrong controller key: %v", err)
	}
	// reject twin: the right keys connect
	if err := e.agent("n1", key("node/n1"), e.ctrl.PublicKey()).Connect(ctx(t)); err != nil {
		t.Fatalf("valid keys: %v", err)
	}
}

func rejectCode(t *testing.T, err error) byte {
	t.Helper()
	var rej *RejectError
	if !errors.As(err, &rej) || !errors.Is(err, ErrRejected) {
		t.Fatalf("err %v, want a rejection", err)
	}
	return rej.Code
}

func TestDTLSRejectsReplayStaleAndForeignHeartbeats(t *testing.T) {
	e := newEnv(t)
	a := e.agent("n1", key("node/n1"), e.ctrl.PublicKey())
	if err := a.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	first := next(t, a)
	if _, err := a.Send(ctx(t), first); err != nil {
		t.Fatal(err)
	}
	second := next(t, a)
	third := next(t, a)
	if _, err := a.Send(ctx(t), third); err != nil {
		t.Fatal(err)
	}
	if c := rejectCode(t, func() error { _, err := a.Send(ctx(t), first); return err }()); c != CodeReplay {
		t.Errorf("replayed heartbeat: code %d", c)
	}
	if c := rejectCode(t, func() error { _, err := a.Send(ctx(t), second); return err }()); c != CodeReplay {
		t.Errorf("out-of-order heartbeat: code %d", c)
	}
	// a heartbeat for n1 signed by n2's key
	h := next(t, a).Heartbeat
	forged := signHB(t, h, key("node/n2"))
	if c := rejectCode(t, func() error { _, err := a.Send(ctx(t), forged); return err }()); c != CodeBadSignature {
		t.Errorf("heartbeat signed by another node: code %d", c)
	}
	// n2's own valid heartbeat sent over n1's authenticated connection
	h2 := hpc.Heartbeat{Cluster: "c1", Node: "n2", Seq: 1, At: e.clock.Now().Unix(), Capacity: hpc.Resources{Cores: 16}, Health: hpc.HealthOK}
	if c := rejectCode(t, func() error { _, err := a.Send(ctx(t), signHB(t, h2, key("node/n2"))); return err }()); c != CodeWrongNode {
		t.Errorf("other node's heartbeat on n1's connection: code %d", c)
	}
	// reject twin: the connection still works for n1's next heartbeat
	if _, err := a.Beat(ctx(t)); err != nil {
		t.Fatalf("valid heartbeat after rejections: %v", err)
	}
}

func TestSilentNodeGoesStaleOfflineDeregistered(t *testing.T) {
	e := newEnv(t)
	a := e.agent("n1", key("node/n1"), e.ctrl.PublicKey())
	if err := a.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Beat(ctx(t)); err != nil {
		t.Fatal(err)
	}
	state := func() hpc.Liveness {
		for _, s := range e.ctrl.Status() {
			if s.Registration.Node == "n1" {
				return s.Liveness
			}
		}
		return 0
	}
	steps := []struct {
		after time.Duration
		want  hpc.Liveness
	}{
		{119 * time.Second, hpc.Alive},
		{1 * time.Second, hpc.Stale},   // 120 s
		{179 * time.Second, hpc.Stale}, // 299 s
		{1 * time.Second, hpc.Offline}, // 300 s
		{3299 * time.Second, hpc.Offline},
		{1 * time.Second, hpc.Deregistered}, // 3600 s
	}
	for _, s := range steps {
		e.clock.Add(s.after)
		e.ctrl.Tick()
		if got := state(); got != s.want {
			t.Fatalf("after +%v: %s, want %s", s.after, got, s.want)
		}
	}
	e.mu.Lock()
	var path []hpc.Liveness
	for _, c := range e.seen {
		if c.Node == "n1" {
			path = append(path, c.To)
		}
	}
	e.mu.Unlock()
	want := []hpc.Liveness{hpc.Alive, hpc.Stale, hpc.Offline, hpc.Deregistered}
	if len(path) != len(want) {
		t.Fatalf("changes %v, want %v", path, want)
	}
	for i := range want {
		if path[i] != want[i] {
			t.Fatalf("changes %v, want %v", path, want)
		}
	}
	// a deregistered node is refused on its open connection and at a new handshake
	if c := rejectCode(t, func() error { _, err := a.Beat(ctx(t)); return err }()); c != CodeDeregistered {
		t.Errorf("deregistered node's heartbeat: code %d", c)
	}
	if err := e.agent("n1", key("node/n1"), e.ctrl.PublicKey()).Connect(ctx(t)); err == nil {
		t.Fatal("deregistered node completed a handshake")
	}
}

// An Agent not made by NewAgent has no key: NextHeartbeat and Beat refuse with hpc.ErrBadKey, no panic,
// and consume no sequence number.
func TestNextHeartbeatWithoutKey(t *testing.T) {
	for name, k := range map[string]ed25519.PrivateKey{"nil": nil, "short": key("n").Seed(), "long": append(key("n"), 0)} {
		a := &Agent{cfg: AgentConfig{Key: k, Cluster: "c1", Node: "n1", Clock: time.Now}, seq: 41}
		if _, err := a.NextHeartbeat(); !errors.Is(err, hpc.ErrBadKey) {
			t.Errorf("%s: NextHeartbeat: %v, want hpc.ErrBadKey", name, err)
		}
		if _, err := a.Beat(ctx(t)); !errors.Is(err, hpc.ErrBadKey) {
			t.Errorf("%s: Beat: %v, want hpc.ErrBadKey", name, err)
		}
		if a.seq != 41 {
			t.Errorf("%s: sequence consumed: %d", name, a.seq)
		}
	}
	a, err := NewAgent(AgentConfig{Key: key("node/n1"), ControllerKey: key("controller").Public().(ed25519.PublicKey),
		Cluster: "c1", Node: "n1", Controller: "127.0.0.1:1", FirstSeq: 7})
	if err != nil {
		t.Fatal(err)
	}
	if sh := next(t, a); sh.Heartbeat.Seq != 7 || !ed25519.Verify(key("node/n1").Public().(ed25519.PublicKey), sh.Heartbeat.Encode(), sh.Signature) {
		t.Fatalf("heartbeat %+v", sh.Heartbeat)
	}
}
