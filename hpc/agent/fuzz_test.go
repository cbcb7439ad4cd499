package agent

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/virtengine/sdk/hpc"
)

// The agent's wire messages (PROTOCOL.md) come from the network: a peers list from the controller, a
// probe or probe reply from any UDP sender, and every message an authenticated node sends the
// controller. Each parser either refuses its input or accepts exactly what the encoder produces.

func FuzzParsePeers(f *testing.F) {
	seeds := [][]byte{
		encodePeers(nil),
		encodePeers([]ProbePeer{{Node: "n2", Key: key("node/n2").Public().(ed25519.PublicKey), Addr: "127.0.0.1:9000"}}),
		encodePeers([]ProbePeer{
			{Node: "n1", Key: key("node/n1").Public().(ed25519.PublicKey), Addr: "[::1]:7000"},
			{Node: "n3", Key: key("node/n3").Public().(ed25519.PublicKey), Addr: ""},
		}),
		encodeNack(0, CodeUnknownNode, "node key is not registered"),
		{msgPeers}, {msgPeers, 0xff, 0xff},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		peers, err := parsePeers(b)
		if err != nil {
			var rej *RejectError
			if !errors.As(err, &rej) && !errors.Is(err, hpc.ErrMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(peers) > MaxProbePeers {
			t.Fatalf("accepted %d peers", len(peers))
		}
		for _, p := range peers {
			if len(p.Key) != ed25519.PublicKeySize || len(p.Node) > hpc.MaxIDLen || len(p.Addr) > MaxProbeAddrBytes {
				t.Fatalf("accepted an out-of-bounds peer %+v", p)
			}
		}
		if again := encodePeers(peers); !bytes.Equal(again, b) {
			t.Fatalf("peers do not round-trip: %x → %x", b, again)
		}
	})
}

// probeBody re-encodes the signed part of a probe from its fields (signProbe without the signature).
func probeBody(typ byte, from, to string, nonce [probeNonce]byte) []byte {
	b := append([]byte{typ}, probeMagic...)
	for _, s := range []string{from, to} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	return append(b, nonce[:]...)
}

func FuzzParseProbe(f *testing.F) {
	var nonce [probeNonce]byte
	copy(nonce[:], "0123456789abcdef")
	long := string(bytes.Repeat([]byte{'n'}, hpc.MaxIDLen))
	for _, s := range [][]byte{
		signProbe(msgProbe, "n1", "n2", nonce, key("node/n1")),
		signProbe(msgProbeReply, "n2", "n1", nonce, key("node/n2")),
		signProbe(msgProbe, long, long, nonce, key("node/n1")),
		{msgProbe}, {},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, from, to, n, ok := parseProbe(b)
		if !ok {
			return
		}
		if typ != msgProbe && typ != msgProbeReply || from == "" || to == "" || len(from) > hpc.MaxIDLen || len(to) > hpc.MaxIDLen {
			t.Fatalf("accepted type %d from %q to %q", typ, from, to)
		}
		if len(b) > MaxProbeBytes || len(b) < ed25519.SignatureSize {
			t.Fatalf("accepted a probe of %d bytes", len(b))
		}
		if body := probeBody(typ, from, to, n); !bytes.Equal(body, b[:len(b)-ed25519.SignatureSize]) {
			t.Fatalf("probe does not round-trip: %x → %x", b, body)
		}
	})
}

// fuzzController is a controller (not listening) for cluster c1 with nodes n1 and n2; n2 announced a
// probe address, so n1's announce is answered with a peers list.
func fuzzController(t testing.TB) *Controller {
	t.Helper()
	prov := key("provider")
	reg, err := hpc.NewRegistry(hpc.Cluster{ID: "c1", Provider: "p", Partitions: []hpc.Partition{{Name: "batch"}},
		ProviderKey: prov.Public().(ed25519.PublicKey)}, hpc.Timers{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	c, err := NewController(ControllerConfig{Key: key("controller"), Registry: reg, Clock: func() time.Time { return now },
		OnHeartbeat: func(hpc.Heartbeat) {}, OnChange: func(hpc.Change) {}})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"n1", "n2"} {
		sr, err := hpc.SignRegistration(hpc.NodeRegistration{Cluster: "c1", Node: n, Partition: "batch",
			Capacity: hpc.Resources{Cores: 16}, NodeKey: key("node/" + n).Public().(ed25519.PublicKey)}, prov)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Register(sr); err != nil {
			t.Fatal(err)
		}
	}
	c.probe["n2"] = "127.0.0.1:9002"
	return c
}

// onlyNumericAddr reports whether an announce body's address could only be an IP literal: the
// controller resolves announced addresses, and a host name would make the fuzzer query DNS.
func onlyNumericAddr(body []byte) bool {
	for _, c := range body {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return false
		}
	}
	return true
}

// FuzzControllerHandle feeds the controller every message an authenticated node could send: it
// never panics, and its reply is always a well-formed ack, nack or (for an announce) peers list.
func FuzzControllerHandle(f *testing.F) {
	c0 := fuzzController(f)
	now := c0.cfg.Clock().Unix()
	hb := func(node string, seq uint64, peers ...hpc.PeerLatency) []byte {
		sh, err := hpc.SignHeartbeat(hpc.Heartbeat{Cluster: "c1", Node: node, Seq: seq, At: now,
			Capacity: hpc.Resources{Cores: 16}, Health: hpc.HealthOK, Peers: peers}, key("node/"+node))
		if err != nil {
			f.Fatal(err)
		}
		w, _ := sh.MarshalBinary()
		return append([]byte{msgHeartbeat}, w...)
	}
	for _, s := range [][]byte{
		hb("n1", 1), hb("n1", 7, hpc.PeerLatency{Peer: "n2", Millis: 3}), hb("n2", 1),
		appendStr16([]byte{msgAnnounce}, "127.0.0.1:9001"), appendStr16([]byte{msgAnnounce}, ""),
		appendStr16([]byte{msgAnnounce}, "[::1]:9001"), {msgAnnounce}, {msgHeartbeat}, {}, {0xff},
	} {
		f.Add(s)
	}
	pub := key("node/n1").Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, msg []byte) {
		announce := len(msg) >= 1 && msg[0] == msgAnnounce
		if announce && !onlyNumericAddr(msg[1:]) {
			t.Skip("host names resolve through DNS")
		}
		c := fuzzController(t)
		reply := c.handle(pub, msg)
		if len(reply) > MaxMessageBytes {
			t.Fatalf("reply of %d bytes", len(reply))
		}
		var rej *RejectError
		if announce {
			peers, err := parsePeers(reply)
			if err != nil && !errors.As(err, &rej) {
				t.Fatalf("announce reply %x: %v", reply, err)
			}
			if err == nil && !reflect.DeepEqual(encodePeers(peers), reply) {
				t.Fatal("announce reply does not round-trip")
			}
			return
		}
		ack, err := parseReply(reply)
		switch {
		case errors.As(err, &rej):
			if rej.Code < CodeMalformed || rej.Code > CodeWrongNode {
				t.Fatalf("nack code %d", rej.Code)
			}
		case err != nil:
			t.Fatalf("reply %x: %v", reply, err)
		default:
			// Only a heartbeat signed by n1's key is acked.
			sh, perr := hpc.ParseSignedHeartbeat(msg[1:])
			if perr != nil || sh.Heartbeat.Node != "n1" || ack.Seq != sh.Heartbeat.Seq ||
				!ed25519.Verify(pub, sh.Heartbeat.Encode(), sh.Signature) {
				t.Fatalf("acked %x (%v)", msg, perr)
			}
		}
	})
}
