package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/virtengine/sdk/hpc"
)

// Peer latency probes (PROTOCOL.md, "Peer probes"): a signed echo over plain UDP between node agents.
// The prober signs a request naming itself, the peer and a fresh nonce; the peer answers only a
// request signed by a node it was told about, with a reply naming both and the nonce, signed by its
// own node key. A reply that is not signed by the key the prober expects for that peer is ignored, so
// no third party can answer for a peer (faster or slower than it is). The reply is no larger than
// the request: the responder amplifies nothing.

const (
	msgProbe      byte = 0x21
	msgProbeReply byte = 0x22
	probeMagic         = "virtengine/hpc/probe/v1\x00"
	probeNonce         = 16
	// MaxProbeBytes bounds a probe datagram.
	MaxProbeBytes = 1 + len(probeMagic) + 2*(2+hpc.MaxIDLen) + probeNonce + ed25519.SignatureSize
	// DefaultProbeSamples is how many recent round trips the estimate per peer is the median of.
	DefaultProbeSamples = 5
	// DefaultProbeTimeout bounds the wait for one probe's reply.
	DefaultProbeTimeout = time.Second
	// MaxProbePeers bounds the peers a prober probes (a heartbeat carries at most hpc.MaxHeartbeatPeers).
	MaxProbePeers = hpc.MaxHeartbeatPeers - 1
)

// ProbePeer is a node a prober measures: its id, its registered node key and its probe address.
type ProbePeer struct {
	Node string
	Key  ed25519.PublicKey
	Addr string // UDP host:port
}

// ProberConfig configures a prober.
type ProberConfig struct {
	Node   string
	Key    ed25519.PrivateKey // the node's key: it signs the probes and the replies
	Listen string             // UDP address for probes and replies ("127.0.0.1:0" picks a port)
	// Static peers are always probed (peers in other clusters, given by the operator); the controller
	// adds its cluster's other nodes (SetPeers).
	Static []ProbePeer
	// Samples is how many recent round trips the estimate is the median of; 0 is DefaultProbeSamples.
	Samples int
	// Timeout bounds one probe; 0 is DefaultProbeTimeout.
	Timeout time.Duration
	// ReplyDelay holds every reply this node sends for that long: a test hook that makes the node look
	// far away (no tc on the test machines).
	ReplyDelay time.Duration
}

// Prober measures the round trip to peer agents and answers their probes.
type Prober struct {
	cfg  ProberConfig
	conn *net.UDPConn
	wg   sync.WaitGroup

	mu       sync.Mutex
	learned  []ProbePeer
	samples  map[string][]time.Duration // node → latest round trips, oldest first
	keys     map[string]string          // node → the key its samples were measured with
	pending  map[[probeNonce]byte]chan probeReply
	rejected int
}

type probeReply struct {
	from string
	at   time.Time
}

// NewProber listens on cfg.Listen and starts answering probes.
func NewProber(cfg ProberConfig) (*Prober, error) {
	if len(cfg.Key) != ed25519.PrivateKeySize || cfg.Node == "" || len(cfg.Node) > hpc.MaxIDLen {
		return nil, fmt.Errorf("%w: prober needs the node id and its Ed25519 key", hpc.ErrInvalid)
	}
	if cfg.Samples <= 0 {
		cfg.Samples = DefaultProbeSamples
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultProbeTimeout
	}
	for _, p := range cfg.Static {
		if err := p.check(cfg.Node); err != nil {
			return nil, err
		}
	}
	ua, err := net.ResolveUDPAddr("udp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("agent: probe address %q: %w", cfg.Listen, err)
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("agent: probe listen %s: %w", cfg.Listen, err)
	}
	p := &Prober{cfg: cfg, conn: conn, samples: map[string][]time.Duration{}, keys: map[string]string{},
		pending: map[[probeNonce]byte]chan probeReply{}}
	p.wg.Add(1)
	go p.readLoop()
	return p, nil
}

func (pp ProbePeer) check(self string) error {
	if pp.Node == "" || len(pp.Node) > hpc.MaxIDLen || pp.Node == self || len(pp.Key) != ed25519.PublicKeySize || pp.Addr == "" {
		return fmt.Errorf("%w: probe peer %q needs an id other than this node's, a 32-byte key and an address", hpc.ErrInvalid, pp.Node)
	}
	return nil
}

// Addr is the address the prober listens on (what the agent announces to its controller).
func (p *Prober) Addr() string { return p.conn.LocalAddr().String() }

// Close stops the prober.
func (p *Prober) Close() error {
	err := p.conn.Close()
	p.wg.Wait()
	return err
}

// SetPeers replaces the peers learned from the controller (the static ones stay). Samples of a peer
// that leaves, or whose key changes, are dropped.
func (p *Prober) SetPeers(peers []ProbePeer) {
	var ok []ProbePeer
	for _, pp := range peers {
		if pp.check(p.cfg.Node) == nil {
			ok = append(ok, pp)
		}
	}
	p.mu.Lock()
	p.learned = ok
	cur := map[string]string{}
	for _, pp := range p.peersLocked() {
		cur[pp.Node] = string(pp.Key)
	}
	for n := range p.samples {
		if k, in := cur[n]; !in || k != p.keys[n] {
			delete(p.samples, n)
			delete(p.keys, n)
		}
	}
	p.mu.Unlock()
}

// peersLocked returns the peers to probe: static first, then learned ones not shadowed, by node id.
func (p *Prober) peersLocked() []ProbePeer {
	seen := map[string]bool{}
	var out []ProbePeer
	for _, src := range [][]ProbePeer{p.cfg.Static, p.learned} {
		for _, pp := range src {
			if !seen[pp.Node] {
				seen[pp.Node] = true
				out = append(out, pp)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Node < out[b].Node })
	if len(out) > MaxProbePeers {
		out = out[:MaxProbePeers]
	}
	return out
}

// Peers returns the peers the prober measures.
func (p *Prober) Peers() []ProbePeer {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peersLocked()
}

// Rejected counts the datagrams ignored: malformed, unsigned or wrongly signed probes and replies,
// replies to no probe.
func (p *Prober) Rejected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rejected
}

// ProbeAll probes every peer once, concurrently, and records the round trips that got a valid reply.
func (p *Prober) ProbeAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, pp := range p.Peers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if rtt, err := p.Probe(ctx, pp); err == nil {
				p.record(pp, rtt)
			}
		}()
	}
	wg.Wait()
}

func (p *Prober) record(pp ProbePeer, rtt time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys[pp.Node] != string(pp.Key) {
		p.samples[pp.Node] = nil
		p.keys[pp.Node] = string(pp.Key)
	}
	s := append(p.samples[pp.Node], rtt)
	if len(s) > p.cfg.Samples {
		s = s[len(s)-p.cfg.Samples:]
	}
	p.samples[pp.Node] = s
}

// ErrNoReply reports a probe that got no validly signed reply in time.
var ErrNoReply = errors.New("agent: no signed probe reply")

// Probe measures one round trip to pp: the time from sending a signed probe to receiving the reply
// signed by pp.Key. Replies not signed by pp.Key are ignored (counted in Rejected).
func (p *Prober) Probe(ctx context.Context, pp ProbePeer) (time.Duration, error) {
	ua, err := net.ResolveUDPAddr("udp", pp.Addr)
	if err != nil {
		return 0, fmt.Errorf("agent: probe address of %s: %w", pp.Node, err)
	}
	var nonce [probeNonce]byte
	rand.Read(nonce[:])
	ch := make(chan probeReply, 1)
	p.mu.Lock()
	p.pending[nonce] = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.pending, nonce)
		p.mu.Unlock()
	}()
	msg := signProbe(msgProbe, p.cfg.Node, pp.Node, nonce, p.cfg.Key)
	t := time.NewTimer(p.cfg.Timeout)
	defer t.Stop()
	began := time.Now()
	if _, err := p.conn.WriteToUDP(msg, ua); err != nil {
		return 0, fmt.Errorf("agent: probe %s: %w", pp.Node, err)
	}
	for {
		select {
		case r := <-ch:
			// the nonce is ours; the reply must come from pp, signed by its key (checked in readLoop
			// against the key registered for r.from, so check the name here)
			if r.from != pp.Node {
				p.reject()
				continue
			}
			return r.at.Sub(began), nil
		case <-t.C:
			return 0, fmt.Errorf("%w from %s at %s within %v", ErrNoReply, pp.Node, pp.Addr, p.cfg.Timeout)
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (p *Prober) reject() {
	p.mu.Lock()
	p.rejected++
	p.mu.Unlock()
}

// Latencies returns, per peer with at least one sample, the median of its latest round trips in
// milliseconds under the scheduler's peer name (hpc.PeerNode).
func (p *Prober) Latencies() []hpc.PeerLatency {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []hpc.PeerLatency
	for _, pp := range p.peersLocked() {
		s := p.samples[pp.Node]
		if len(s) == 0 {
			continue
		}
		s = slices.Clone(s)
		slices.Sort(s)
		out = append(out, hpc.PeerLatency{Peer: hpc.PeerNode(pp.Node), Millis: s[len(s)/2].Milliseconds()})
	}
	return out
}

// Run probes every peer each interval until ctx ends.
func (p *Prober) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		p.ProbeAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// keyOf returns the key of a peer by node id.
func (p *Prober) keyOf(node string) ed25519.PublicKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pp := range p.peersLocked() {
		if pp.Node == node {
			return pp.Key
		}
	}
	return nil
}

func (p *Prober) readLoop() {
	defer p.wg.Done()
	buf := make([]byte, MaxProbeBytes+1)
	for {
		n, from, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		at := time.Now()
		typ, sender, to, nonce, ok := parseProbe(buf[:n])
		var key ed25519.PublicKey
		if ok && to == p.cfg.Node {
			key = p.keyOf(sender)
		}
		if key == nil || !verifyProbe(buf[:n], key) {
			p.reject() // malformed, not for us, from a node we were not told about, or forged
			continue
		}
		switch typ {
		case msgProbe:
			reply := signProbe(msgProbeReply, p.cfg.Node, sender, nonce, p.cfg.Key)
			if d := p.cfg.ReplyDelay; d > 0 {
				p.wg.Add(1)
				go func() {
					defer p.wg.Done()
					time.Sleep(d)
					p.conn.WriteToUDP(reply, from)
				}()
			} else {
				p.conn.WriteToUDP(reply, from)
			}
		case msgProbeReply:
			p.mu.Lock()
			ch := p.pending[nonce]
			if ch == nil {
				p.rejected++
			}
			p.mu.Unlock()
			if ch != nil {
				select {
				case ch <- probeReply{from: sender, at: at}:
				default:
				}
			}
		}
	}
}

// signProbe encodes a probe or a reply: type, magic, sender, recipient (each a u16 length and bytes),
// nonce, then the sender's signature over all of it.
func signProbe(typ byte, from, to string, nonce [probeNonce]byte, key ed25519.PrivateKey) []byte {
	b := []byte{typ}
	b = append(b, probeMagic...)
	for _, s := range []string{from, to} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	b = append(b, nonce[:]...)
	return append(b, ed25519.Sign(key, b)...)
}

func parseProbe(b []byte) (typ byte, from, to string, nonce [probeNonce]byte, ok bool) {
	if len(b) > MaxProbeBytes || len(b) < 1+len(probeMagic)+4+probeNonce+ed25519.SignatureSize ||
		(b[0] != msgProbe && b[0] != msgProbeReply) || !bytes.Equal(b[1:1+len(probeMagic)], []byte(probeMagic)) {
		return
	}
	typ = b[0]
	r := b[1+len(probeMagic) : len(b)-ed25519.SignatureSize]
	var ss [2]string
	for i := range ss {
		if len(r) < 2 {
			return
		}
		n := int(binary.BigEndian.Uint16(r))
		if n == 0 || n > hpc.MaxIDLen || len(r) < 2+n {
			return
		}
		ss[i], r = string(r[2:2+n]), r[2+n:]
	}
	if len(r) != probeNonce {
		return
	}
	copy(nonce[:], r)
	return typ, ss[0], ss[1], nonce, true
}

func verifyProbe(b []byte, key ed25519.PublicKey) bool {
	if len(key) != ed25519.PublicKeySize || len(b) < ed25519.SignatureSize {
		return false
	}
	body, sig := b[:len(b)-ed25519.SignatureSize], b[len(b)-ed25519.SignatureSize:]
	return ed25519.Verify(key, body, sig)
}
