package agent

import (
	"crypto/ed25519"
	"errors"
	"net"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/virtengine/sdk/hpc"
)

const farDelay = 80 * time.Millisecond // beyond hpc.LatencyGroupMillis

// TestMeasuredPeerLatencyDrivesPlacement: three real agents on loopback learn each other from the
// controller, probe each other with signed echoes, and report the medians in their signed heartbeats;
// the controller feeds the heartbeats to a scheduler. n1 answers probes 80 ms late, so the scheduler
// never groups it: a 2-node job runs on n2 and n3 (without measurements it would take n1 and n2,
// see hpc.TestRemoteNodeIsNotGrouped). n3 also claims 1 ms to n1 and a latency to a node that does
// not exist: the first is outvoted by n1's mates' measurements, the second is ignored.
func TestMeasuredPeerLatencyDrivesPlacement(t *testing.T) {
	prov := key("provider")
	cl := hpc.Cluster{ID: "c1", Provider: "p", Partitions: []hpc.Partition{{Name: "batch"}}, ProviderKey: prov.Public().(ed25519.PublicKey)}
	reg, err := hpc.NewRegistry(cl, hpc.Timers{})
	if err != nil {
		t.Fatal(err)
	}
	sched := hpc.NewScheduler(hpc.Config{StarvationSeconds: -1})
	if err := sched.AddCluster(cl); err != nil {
		t.Fatal(err)
	}
	if err := sched.AddTenant(hpc.Tenant{ID: "t", Shares: 1}); err != nil {
		t.Fatal(err)
	}
	nodes := []string{"n1", "n2", "n3"}
	for _, n := range nodes {
		sr, err := hpc.SignRegistration(hpc.NodeRegistration{Cluster: "c1", Node: n, Partition: "batch", Capacity: hpc.Resources{Cores: 1},
			NodeKey: key("node/" + n).Public().(ed25519.PublicKey)}, prov)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.Register(sr, time.Now().Unix()); err != nil {
			t.Fatal(err)
		}
		if err := sched.AddNode(sr); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	ignored := map[string][]string{}
	ctrl, err := NewController(ControllerConfig{Key: key("controller"), Registry: reg, OnHeartbeat: func(h hpc.Heartbeat) {
		mu.Lock()
		defer mu.Unlock()
		if ign := sched.ObserveHeartbeat(h); len(ign) > 0 {
			ignored[h.Node] = append(ignored[h.Node], ign...)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := ctrl.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ctrl.Close()

	agents := map[string]*Agent{}
	probers := map[string]*Prober{}
	for _, n := range nodes {
		pc := ProberConfig{Node: n, Key: key("node/" + n), Listen: "127.0.0.1:0", Samples: 3}
		if n == "n1" {
			pc.ReplyDelay = farDelay
		}
		p, err := NewProber(pc)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		cfg := AgentConfig{Cluster: "c1", Node: n, Key: key("node/" + n), Controller: addr.String(), ControllerKey: ctrl.PublicKey(),
			Capacity: hpc.Resources{Cores: 1}, FirstSeq: 1, Prober: p}
		if n == "n3" {
			cfg.Peers = func() []hpc.PeerLatency {
				return []hpc.PeerLatency{{Peer: hpc.PeerNode("ghost"), Millis: 1}, {Peer: hpc.PeerNode("n1"), Millis: 1}}
			}
		}
		a, err := NewAgent(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if err := a.Connect(ctx(t)); err != nil {
			t.Fatal(err)
		}
		agents[n], probers[n] = a, p
	}
	// two rounds of announcements: the first agent learns the others on the second
	for round := 0; round < 2; round++ {
		for _, n := range nodes {
			if err := agents[n].SyncPeers(ctx(t)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range nodes {
		var got []string
		for _, p := range probers[n].Peers() {
			got = append(got, p.Node)
			if p.Addr != probers[p.Node].Addr() {
				t.Fatalf("%s learned %s at %s, it listens on %s", n, p.Node, p.Addr, probers[p.Node].Addr())
			}
		}
		want := slices.DeleteFunc(slices.Clone(nodes), func(x string) bool { return x == n })
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s probes %v, want %v", n, got, want)
		}
	}
	for i := 0; i < 3; i++ {
		for _, n := range nodes {
			probers[n].ProbeAll(ctx(t))
		}
	}
	for _, n := range nodes {
		if ack, err := agents[n].Beat(ctx(t)); err != nil || ack.Liveness != hpc.Alive {
			t.Fatalf("%s beat: %+v %v", n, ack, err)
		}
	}
	lat := map[string]map[string]int64{}
	for _, st := range ctrl.Status() {
		lat[st.Registration.Node] = map[string]int64{}
		for _, p := range st.Last.Peers {
			lat[st.Registration.Node][p.Peer] = p.Millis
		}
	}
	if l := lat["n2"]; l["node/n1"] < farDelay.Milliseconds() || l["node/n3"] >= hpc.LatencyGroupMillis {
		t.Fatalf("n2 measured %v: want n1 ≥ %d ms, n3 < %d ms", l, farDelay.Milliseconds(), hpc.LatencyGroupMillis)
	}
	if l := lat["n1"]; l["node/n2"] >= hpc.LatencyGroupMillis || l["node/n3"] >= hpc.LatencyGroupMillis {
		t.Fatalf("n1's own probes are not delayed, it measured %v", l)
	}
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(ignored, map[string][]string{"n3": {"node/ghost"}}) {
		t.Fatalf("ignored peers %v, want n3's node/ghost only", ignored)
	}
	for n, want := range map[string]bool{"n1": true, "n2": false, "n3": false} {
		if r, err := sched.Remote(n); err != nil || r != want {
			t.Fatalf("Remote(%s) = %v %v, want %v", n, r, err, want)
		}
	}
	spec := hpc.JobSpec{ID: "x", Tenant: "t", Account: "a", Partition: "batch", Nodes: 2, PerNode: hpc.Resources{Cores: 1},
		RuntimeLimitSeconds: 100, Image: "docker.io/library/busybox"}
	if err := sched.Submit(spec, 0); err != nil {
		t.Fatal(err)
	}
	var placed []string
	for _, d := range sched.Schedule(0) {
		if d.Action == hpc.ActionStart && d.Job == "x" {
			placed = d.Nodes
		}
	}
	if !reflect.DeepEqual(placed, []string{"n2", "n3"}) {
		t.Fatalf("x placed on %v, want n2 and n3 (n1 answers %v late)", placed, farDelay)
	}
}

// TestForgedProbeRepliesAreIgnored: an impostor answering n2's probes for n1, with a reply signed by
// another key or not signed at all, gives n2 no sample; a probe from a node n2 was not told about
// gets no answer. The twin: the real n1 answers and is measured.
func TestForgedProbeRepliesAreIgnored(t *testing.T) {
	imp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	go func() {
		buf := make([]byte, MaxProbeBytes)
		for {
			n, from, err := imp.ReadFromUDP(buf)
			if err != nil {
				return
			}
			_, sender, _, nonce, ok := parseProbe(buf[:n])
			if !ok {
				continue
			}
			forged := signProbe(msgProbeReply, "n1", sender, nonce, key("impostor"))
			imp.WriteToUDP(forged, from)
			unsigned := slices.Clone(forged)
			clear(unsigned[len(unsigned)-ed25519.SignatureSize:])
			imp.WriteToUDP(unsigned, from)
		}
	}()
	n1Pub := key("node/n1").Public().(ed25519.PublicKey)
	n2Pub := key("node/n2").Public().(ed25519.PublicKey)
	p2, err := NewProber(ProberConfig{Node: "n2", Key: key("node/n2"), Listen: "127.0.0.1:0", Timeout: 300 * time.Millisecond,
		Static: []ProbePeer{{Node: "n1", Key: n1Pub, Addr: imp.LocalAddr().String()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if _, err := p2.Probe(ctx(t), p2.Peers()[0]); !errors.Is(err, ErrNoReply) {
		t.Fatalf("probe answered by an impostor: %v", err)
	}
	p2.ProbeAll(ctx(t))
	if l := p2.Latencies(); len(l) != 0 {
		t.Fatalf("impostor's replies measured: %v", l)
	}
	if p2.Rejected() < 4 {
		t.Fatalf("%d datagrams rejected, want the 4 forged replies", p2.Rejected())
	}

	// a node n2 was not told about gets no answer
	stranger, err := NewProber(ProberConfig{Node: "n9", Key: key("node/n9"), Listen: "127.0.0.1:0", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	if _, err := stranger.Probe(ctx(t), ProbePeer{Node: "n2", Key: n2Pub, Addr: p2.Addr()}); !errors.Is(err, ErrNoReply) {
		t.Fatalf("n2 answered a stranger: %v", err)
	}

	// twin: the real n1, which knows n2, answers with its own key and is measured
	p1, err := NewProber(ProberConfig{Node: "n1", Key: key("node/n1"), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer p1.Close()
	p2.SetPeers([]ProbePeer{{Node: "n1", Key: n1Pub, Addr: p1.Addr()}}) // static n1 (the impostor) still wins
	if got := p2.Peers(); len(got) != 1 || got[0].Addr != imp.LocalAddr().String() {
		t.Fatalf("peers %+v: the static entry must shadow the learned one", got)
	}
	p3, err := NewProber(ProberConfig{Node: "n2", Key: key("node/n2"), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer p3.Close()
	p1.SetPeers([]ProbePeer{{Node: "n2", Key: n2Pub, Addr: p3.Addr()}})
	p3.SetPeers([]ProbePeer{{Node: "n1", Key: n1Pub, Addr: p1.Addr()}})
	p3.ProbeAll(ctx(t))
	if l := p3.Latencies(); len(l) != 1 || l[0].Peer != "node/n1" || l[0].Millis >= hpc.LatencyGroupMillis {
		t.Fatalf("real n1 measured %v", l)
	}
}
