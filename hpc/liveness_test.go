package hpc

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// registry returns a cluster "c1" registry with nodes n1 and n2 registered at time 0.
func registry(t *testing.T) *Registry {
	t.Helper()
	prov := key("provider/c1")
	c := Cluster{ID: "c1", Provider: "p", Partitions: []Partition{{Name: "batch"}}, ProviderKey: prov.Public().(ed25519.PublicKey)}
	r, err := NewRegistry(c, Timers{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"n1", "n2"} {
		reg := NodeRegistration{Cluster: "c1", Node: n, Partition: "batch", Capacity: Resources{Cores: 8},
			NodeKey: key("node/" + n).Public().(ed25519.PublicKey)}
		if err := r.Register(signReg(reg, prov), 0); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func hb(node string, seq uint64, at int64) Heartbeat {
	return Heartbeat{Cluster: "c1", Node: node, Seq: seq, At: at, Capacity: Resources{Cores: 8}, Health: HealthOK,
		Peers: []PeerLatency{{Peer: "c2", Millis: 12}, {Peer: "controller", Millis: 1}}}
}

func TestHeartbeatAcceptAndRejects(t *testing.T) {
	r := registry(t)
	good := signHB(hb("n1", 1, 10), key("node/n1"))
	c, err := r.Accept(good, 10)
	if err != nil || c == nil || c.To != Alive {
		t.Fatalf("accept: %v %+v", err, c)
	}
	cases := []struct {
		name string
		sh   SignedHeartbeat
		want error
	}{
		{"replayed", good, ErrReplay},
		{"stale sequence", signHB(hb("n1", 1, 11), key("node/n1")), ErrReplay},
		{"signed by another node", signHB(hb("n1", 2, 11), key("node/n2")), ErrBadSignature},
		{"wrong key", signHB(hb("n1", 2, 11), key("intruder")), ErrBadSignature},
		{"unknown node", signHB(hb("n9", 1, 11), key("node/n9")), ErrUnknownNode},
		{"old timestamp", signHB(hb("n1", 2, 11-DefaultMaxSkewSeconds-1), key("node/n1")), ErrReplay},
		{"other cluster", signHB(func() Heartbeat { h := hb("n1", 2, 11); h.Cluster = "c2"; return h }(), key("node/n1")), ErrUnknownNode},
	}
	for _, c := range cases {
		_, err := r.Accept(c.sh, 11)
		var he *HeartbeatError
		if !errors.Is(err, c.want) || !errors.As(err, &he) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
	tampered := signHB(hb("n1", 3, 12), key("node/n1"))
	tampered.Heartbeat.Used.Cores = 7
	if _, err := r.Accept(tampered, 12); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
	// the next sequence, even after a gap, is accepted
	if _, err := r.Accept(signHB(hb("n1", 5, 13), key("node/n1")), 13); err != nil {
		t.Fatalf("seq 5 after 1: %v", err)
	}
	st, _ := r.Node("n1")
	if st.LastSeq != 5 || st.Last.Peers[0].Millis != 12 {
		t.Fatalf("status %+v", st)
	}
}

func TestLivenessTimersOnSchedule(t *testing.T) {
	r := registry(t)
	if _, err := r.Accept(signHB(hb("n1", 1, 100), key("node/n1")), 100); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Accept(signHB(hb("n2", 1, 100), key("node/n2")), 100); err != nil {
		t.Fatal(err)
	}
	// n2 keeps heartbeating every 30 s; n1 falls silent after 100.
	seq := uint64(1)
	want := map[int64]Liveness{100 + StaleAfterSeconds - 1: Alive, 100 + StaleAfterSeconds: Stale,
		100 + OfflineAfterSeconds - 1: Stale, 100 + OfflineAfterSeconds: Offline,
		100 + DeregisterAfterSeconds - 1: Offline, 100 + DeregisterAfterSeconds: Deregistered}
	for now := int64(100); now <= 100+DeregisterAfterSeconds; now++ {
		if (now-100)%HeartbeatIntervalSeconds == 0 && now > 100 {
			seq++
			if _, err := r.Accept(signHB(hb("n2", seq, now), key("node/n2")), now); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range r.Tick(now) {
			if c.Node != "n1" {
				t.Fatalf("n2 changed: %+v", c)
			}
		}
		if l, ok := want[now]; ok {
			if st, _ := r.Node("n1"); st.Liveness != l {
				t.Fatalf("at %d n1 is %s, want %s", now, st.Liveness, l)
			}
		}
	}
	if st, _ := r.Node("n2"); st.Liveness != Alive {
		t.Fatalf("n2 %s", st.Liveness)
	}
	// a deregistered node's heartbeats are refused until it registers again
	if _, err := r.Accept(signHB(hb("n1", 2, 100+DeregisterAfterSeconds), key("node/n1")), 100+DeregisterAfterSeconds); !errors.Is(err, ErrDeregistered) {
		t.Fatalf("deregistered heartbeat: %v", err)
	}
	if _, err := r.NodeByKey(key("node/n1").Public().(ed25519.PublicKey)); !errors.Is(err, ErrDeregistered) {
		t.Fatalf("NodeByKey: %v", err)
	}
	if Stale.SchedulerState(false) != NodeDraining || Offline.SchedulerState(false) != NodeDown || Alive.SchedulerState(true) != NodeDraining || Alive.SchedulerState(false) != NodeUp {
		t.Fatal("scheduler state mapping")
	}
}

func TestRegistrationSignature(t *testing.T) {
	r := registry(t)
	reg := NodeRegistration{Cluster: "c1", Node: "n3", Partition: "batch", Capacity: Resources{Cores: 8},
		NodeKey: key("node/n3").Public().(ed25519.PublicKey)}
	if err := r.Register(signReg(reg, key("provider/other")), 0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("registration signed by another provider: %v", err)
	}
	sr := signReg(reg, key("provider/c1"))
	sr.Registration.Capacity.Cores = 64
	if err := r.Register(sr, 0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered registration: %v", err)
	}
	if err := r.Register(signReg(reg, key("provider/c1")), 0); err != nil {
		t.Fatalf("valid registration: %v", err)
	}
	reg.Partition = "nope"
	if err := r.Register(signReg(reg, key("provider/c1")), 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown partition: %v", err)
	}
}

func TestHeartbeatWireRoundTrip(t *testing.T) {
	sh := signHB(hb("n1", 7, 99), key("node/n1"))
	b, _ := sh.MarshalBinary()
	got, err := ParseSignedHeartbeat(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := got.MarshalBinary()
	if string(b) != string(b2) || !ed25519.Verify(key("node/n1").Public().(ed25519.PublicKey), got.Heartbeat.Encode(), got.Signature) {
		t.Fatal("round trip changed the heartbeat")
	}
	for i := 0; i < len(b)-64; i++ {
		if _, err := ParseSignedHeartbeat(b[:i]); err == nil {
			t.Fatalf("truncated to %d bytes accepted", i)
		}
	}
	unsorted := hb("n1", 1, 1)
	unsorted.Peers[0], unsorted.Peers[1] = unsorted.Peers[1], unsorted.Peers[0]
	ub, _ := signHB(unsorted, key("node/n1")).MarshalBinary()
	if _, err := ParseSignedHeartbeat(ub); !errors.Is(err, ErrMalformed) {
		t.Fatalf("unsorted peers: %v", err)
	}
}

func FuzzParseSignedHeartbeat(f *testing.F) {
	seeds := 0
	for i, h := range []Heartbeat{hb("n1", 1, 10), hb("n2", 1<<40, -5), {Cluster: "c", Node: "n", Seq: 1, Health: HealthFailing}} {
		b, _ := signHB(h, key("node/"+h.Node)).MarshalBinary()
		f.Add(b)
		seeds = i + 1
	}
	// The published vectors (testdata/heartbeat_vectors.json): valid, tampered and malformed wire forms.
	raw, err := os.ReadFile(filepath.Join("testdata", "heartbeat_vectors.json"))
	if err != nil {
		f.Fatal(err)
	}
	var vs []heartbeatVector
	if err := json.Unmarshal(raw, &vs); err != nil {
		f.Fatal(err)
	}
	for _, v := range vs {
		b, err := hex.DecodeString(v.Wire)
		if err != nil {
			f.Fatalf("vector %q: %v", v.Name, err)
		}
		f.Add(b)
		seeds++
	}
	if seeds < 4 {
		f.Fatal("no seeds")
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sh, err := ParseSignedHeartbeat(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		again, _ := sh.MarshalBinary()
		if string(again) != string(b) {
			t.Fatal("accepted a non-canonical encoding")
		}
	})
}

func TestSignRegistrationAndHeartbeatBadKey(t *testing.T) {
	reg := NodeRegistration{Cluster: "c1", Node: "n3", Partition: "batch", Capacity: Resources{Cores: 8},
		NodeKey: key("node/n3").Public().(ed25519.PublicKey)}
	if _, err := SignRegistration(reg, key("provider/c1")); err != nil {
		t.Fatalf("well-formed key: %v", err)
	}
	if _, err := SignHeartbeat(hb("n1", 1, 10), key("node/n1")); err != nil {
		t.Fatalf("well-formed key: %v", err)
	}
	for name, k := range badKeys() {
		t.Run(name, func(t *testing.T) {
			if sr, err := SignRegistration(reg, k); !errors.Is(err, ErrBadKey) || sr.Signature != nil {
				t.Errorf("SignRegistration: %v, want ErrBadKey and no signature", err)
			}
			if sh, err := SignHeartbeat(hb("n1", 1, 10), k); !errors.Is(err, ErrBadKey) || sh.Signature != nil {
				t.Errorf("SignHeartbeat: %v, want ErrBadKey and no signature", err)
			}
		})
	}
}

// A registry whose stored node key is not 32 bytes (not reachable through Register) refuses the
// heartbeat with ErrBadSignature instead of panicking in ed25519.Verify.
func TestAcceptMalformedStoredNodeKey(t *testing.T) {
	r := registry(t)
	r.nodes["n1"].Registration.NodeKey = r.nodes["n1"].Registration.NodeKey[:16]
	if _, err := r.Accept(signHB(hb("n1", 1, 10), key("node/n1")), 10); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("got %v, want ErrBadSignature", err)
	}
}
