package hpc

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateVectors = flag.Bool("update", false, "rewrite testdata/heartbeat_vectors.json")

// heartbeatVector is one wire-form heartbeat and what a controller must conclude from it.
type heartbeatVector struct {
	Name    string `json:"name"`
	NodeKey string `json:"node_public_key"` // hex: the registered key of the node
	Wire    string `json:"wire"`            // hex
	Expect  string `json:"expect"`          // "success", "malformed" or "bad_signature"
	Seq     uint64 `json:"seq,omitempty"`
	Peers   int    `json:"peers,omitempty"`
}

func makeHeartbeatVectors() []heartbeatVector {
	k := key("vector/node")
	pub := hex.EncodeToString(k.Public().(ed25519.PublicKey))
	h := Heartbeat{Cluster: "c1", Node: "n1", Seq: 42, At: 1_800_000_000, Capacity: Resources{Cores: 64, MemoryMB: 262144, GPUs: 4},
		Used: Resources{Cores: 16, MemoryMB: 65536, GPUs: 1}, Health: HealthOK,
		Peers: []PeerLatency{{Peer: "cluster/c2", Millis: 12}, {Peer: "controller", Millis: 1}}}
	good, _ := signHB(h, k).MarshalBinary()
	tampered := append([]byte(nil), good...)
	tampered[len(tampered)-70] ^= 1 // a byte of the body
	other, _ := signHB(h, key("vector/other")).MarshalBinary()
	trailing := append(append([]byte(nil), good[:len(good)-64]...), 0)
	trailing = append(trailing, good[len(good)-64:]...)
	long := append([]byte(nil), good...)
	long[len(heartbeatMagic)] = 0x82 // the cluster id length becomes a two-byte uvarint far beyond the input
	unsorted := h
	unsorted.Peers = []PeerLatency{h.Peers[1], h.Peers[0]}
	uns, _ := signHB(unsorted, k).MarshalBinary()
	zero := h
	zero.Seq = 0
	zs, _ := signHB(zero, k).MarshalBinary()
	v := func(name string, b []byte, expect string) heartbeatVector {
		hv := heartbeatVector{Name: name, NodeKey: pub, Wire: hex.EncodeToString(b), Expect: expect}
		if expect == "success" {
			hv.Seq, hv.Peers = h.Seq, len(h.Peers)
		}
		return hv
	}
	return []heartbeatVector{
		v("valid", good, "success"),
		v("body byte changed", tampered, "bad_signature"),
		v("signed by another key", other, "bad_signature"),
		v("truncated signature", good[:len(good)-1], "malformed"),
		v("trailing byte in body", trailing, "malformed"),
		v("corrupt length of the cluster id", long, "malformed"),
		v("peers out of order", uns, "malformed"),
		v("sequence zero", zs, "malformed"),
		v("empty", nil, "malformed"),
	}
}

func TestHeartbeatVectors(t *testing.T) {
	path := filepath.Join("testdata", "heartbeat_vectors.json")
	if *updateVectors {
		b, _ := json.MarshalIndent(makeHeartbeatVectors(), "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with go test -run HeartbeatVectors -update)", err)
	}
	var vs []heartbeatVector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 9 {
		t.Fatalf("only %d vectors", len(vs))
	}
	seen := map[string]bool{}
	for _, v := range vs {
		seen[v.Expect] = true
		wire, _ := hex.DecodeString(v.Wire)
		pub, _ := hex.DecodeString(v.NodeKey)
		got := "success"
		sh, err := ParseSignedHeartbeat(wire)
		switch {
		case errors.Is(err, ErrMalformed):
			got = "malformed"
		case err != nil:
			t.Fatalf("%s: unexpected error %v", v.Name, err)
		case !ed25519.Verify(pub, sh.Heartbeat.Encode(), sh.Signature):
			got = "bad_signature"
		}
		if got != v.Expect {
			t.Errorf("%s: %s, want %s", v.Name, got, v.Expect)
		}
		if got == "success" && (sh.Heartbeat.Seq != v.Seq || len(sh.Heartbeat.Peers) != v.Peers) {
			t.Errorf("%s: seq %d peers %d", v.Name, sh.Heartbeat.Seq, len(sh.Heartbeat.Peers))
		}
	}
	for _, e := range []string{"success", "malformed", "bad_signature"} {
		if !seen[e] {
			t.Errorf("no vector expects %s", e)
		}
	}
}
