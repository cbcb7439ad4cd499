package hpc

import (
	"crypto/ed25519"
	"fmt"
	"sort"
)

// Health is a node's self-reported health.
type Health uint8

// Health values.
const (
	HealthOK       Health = 1
	HealthDegraded Health = 2 // running, but should take no new work
	HealthFailing  Health = 3
)

func (h Health) String() string {
	switch h {
	case HealthOK:
		return "ok"
	case HealthDegraded:
		return "degraded"
	case HealthFailing:
		return "failing"
	}
	return fmt.Sprintf("health(%d)", uint8(h))
}

// PeerLatency is a round-trip time the node measured to a peer (its controller, another node or
// another cluster), in milliseconds.
type PeerLatency struct {
	Peer   string `json:"peer"`
	Millis int64  `json:"ms"`
}

// Heartbeat is what a node agent sends its controller every HeartbeatIntervalSeconds (§8.1). Seq
// rises by at least one per heartbeat; the controller refuses any Seq it has already seen or passed.
type Heartbeat struct {
	Cluster  string        `json:"cluster"`
	Node     string        `json:"node"`
	Seq      uint64        `json:"seq"`
	At       int64         `json:"at"` // the agent's clock, Unix seconds
	Capacity Resources     `json:"capacity"`
	Used     Resources     `json:"used"`
	Health   Health        `json:"health"`
	Peers    []PeerLatency `json:"peers,omitempty"` // sorted by Peer, unique
}

// Limits of a heartbeat's encoding.
const (
	MaxHeartbeatPeers = 256
	MaxHeartbeatBytes = 64 << 10
)

const heartbeatMagic = "virtengine/hpc/heartbeat/v1\x00"

// Encode returns the canonical bytes the node signs: magic, cluster, node, seq, at, capacity (3×i64),
// used (3×i64), health (u8), peer count (u64) and each peer (string, i64).
func (h *Heartbeat) Encode() []byte {
	e := enc{b: make([]byte, 0, 128+len(h.Peers)*24)}
	e.b = append(e.b, heartbeatMagic...)
	e.str(h.Cluster)
	e.str(h.Node)
	e.u64(h.Seq)
	e.i64(h.At)
	for _, r := range []Resources{h.Capacity, h.Used} {
		e.i64(r.Cores)
		e.i64(r.MemoryMB)
		e.i64(r.GPUs)
	}
	e.u8(uint8(h.Health))
	e.u64(uint64(len(h.Peers)))
	for _, p := range h.Peers {
		e.str(p.Peer)
		e.i64(p.Millis)
	}
	return e.b
}

// SortPeers puts Peers in canonical order (the encoding requires it).
func (h *Heartbeat) SortPeers() {
	sort.Slice(h.Peers, func(a, b int) bool { return h.Peers[a].Peer < h.Peers[b].Peer })
}

func (h *Heartbeat) validate() error {
	switch {
	case !validID(h.Cluster) || !validID(h.Node):
		return fmt.Errorf("%w: heartbeat without cluster or node", ErrMalformed)
	case h.Seq == 0:
		return fmt.Errorf("%w: heartbeat sequence numbers start at 1", ErrMalformed)
	case h.Health < HealthOK || h.Health > HealthFailing:
		return fmt.Errorf("%w: health %d", ErrMalformed, h.Health)
	case !h.Capacity.valid() || !h.Used.valid():
		return fmt.Errorf("%w: negative resources", ErrMalformed)
	case len(h.Peers) > MaxHeartbeatPeers:
		return fmt.Errorf("%w: %d peers, at most %d", ErrMalformed, len(h.Peers), MaxHeartbeatPeers)
	}
	for i, p := range h.Peers {
		if !validID(p.Peer) || p.Millis < 0 || (i > 0 && h.Peers[i-1].Peer >= p.Peer) {
			return fmt.Errorf("%w: peers must be named, sorted, unique, with latency ≥ 0", ErrMalformed)
		}
	}
	return nil
}

// SignedHeartbeat is a heartbeat and the node key's Ed25519 signature over its encoding.
type SignedHeartbeat struct {
	Heartbeat Heartbeat
	Signature []byte
}

// SignHeartbeat signs h with the node's key. A key that is not a 64-byte Ed25519 private key gives
// ErrBadKey.
func SignHeartbeat(h Heartbeat, node ed25519.PrivateKey) (SignedHeartbeat, error) {
	if err := checkPrivateKey("node", node); err != nil {
		return SignedHeartbeat{}, fmt.Errorf("heartbeat of node %s: %w", h.Node, err)
	}
	return SignedHeartbeat{Heartbeat: h, Signature: ed25519.Sign(node, h.Encode())}, nil
}

// MarshalBinary returns the wire form: the encoding, then the 64-byte signature.
func (s SignedHeartbeat) MarshalBinary() ([]byte, error) {
	return append(s.Heartbeat.Encode(), s.Signature...), nil
}

// ParseSignedHeartbeat parses the wire form strictly (one encoding per heartbeat; every malformed
// input is an error wrapping ErrMalformed, never a panic). It does not verify the signature.
func ParseSignedHeartbeat(b []byte) (SignedHeartbeat, error) {
	var s SignedHeartbeat
	if len(b) > MaxHeartbeatBytes || len(b) < ed25519.SignatureSize {
		return s, fmt.Errorf("%w: heartbeat of %d bytes", ErrMalformed, len(b))
	}
	body, sig := b[:len(b)-ed25519.SignatureSize], b[len(b)-ed25519.SignatureSize:]
	d := dec{b: body}
	d.magic(heartbeatMagic)
	h := &s.Heartbeat
	h.Cluster = d.str(MaxIDLen)
	h.Node = d.str(MaxIDLen)
	h.Seq = d.u64()
	h.At = d.i64()
	for _, r := range []*Resources{&h.Capacity, &h.Used} {
		r.Cores, r.MemoryMB, r.GPUs = d.i64(), d.i64(), d.i64()
	}
	h.Health = Health(d.u8())
	n := d.u64()
	if n > MaxHeartbeatPeers {
		return s, fmt.Errorf("%w: %d peers", ErrMalformed, n)
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		h.Peers = append(h.Peers, PeerLatency{Peer: d.str(MaxIDLen), Millis: d.i64()})
	}
	if err := d.done(); err != nil {
		return s, err
	}
	if err := h.validate(); err != nil {
		return s, err
	}
	s.Signature = append([]byte(nil), sig...)
	return s, nil
}
