package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/pion/dtls/v2"

	"github.com/virtengine/sdk/hpc"
)

// AgentConfig configures a node agent.
type AgentConfig struct {
	Cluster, Node string
	Key           ed25519.PrivateKey // the node's key, the one its registration names
	Controller    string             // UDP address of the controller
	ControllerKey ed25519.PublicKey  // pinned: any other controller key fails the handshake
	// Status reports the node's capacity, usage and health at each heartbeat; nil reports Capacity,
	// nothing used, healthy.
	Status   func() (capacity, used hpc.Resources, health hpc.Health)
	Capacity hpc.Resources
	// Peers, if set, returns latencies measured to other peers; the agent adds its own measured
	// round trip to the controller as peer "controller".
	Peers func() []hpc.PeerLatency
	// Prober, if set, measures the round trips to the other nodes: Run announces its address to the
	// controller after each heartbeat, learns the cluster's other nodes from the answer, probes them
	// every ProbeInterval, and the heartbeats report the medians as peers hpc.PeerNode(id).
	Prober *Prober
	// ProbeAdvertise is the probe address announced to the controller; "" is Prober.Addr().
	ProbeAdvertise string
	// ProbeInterval between probe rounds; 0 means Interval / 3 (so each heartbeat has fresh samples).
	ProbeInterval time.Duration
	// Interval between heartbeats; 0 means hpc.HeartbeatIntervalSeconds.
	Interval time.Duration
	// Clock gives the heartbeat timestamps; nil is time.Now.
	Clock func() time.Time
	// FirstSeq is the first sequence number (default 1). An agent restarting keeps its sequence
	// rising by starting from the Unix time in milliseconds, as NewAgent does when FirstSeq is 0.
	FirstSeq uint64
	// ReplyTimeout bounds the wait for an Ack; 0 means 5 s.
	ReplyTimeout time.Duration
}

// Agent is a node agent: it keeps a DTLS connection to its controller and heartbeats on it.
type Agent struct {
	cfg  AgentConfig
	mu   sync.Mutex
	conn *dtls.Conn
	xmu  sync.Mutex // one request and its answer at a time on conn
	seq  uint64
	rtt  time.Duration
}

// NewAgent returns an agent; call Connect, then Beat or Run.
func NewAgent(cfg AgentConfig) (*Agent, error) {
	if len(cfg.Key) != ed25519.PrivateKeySize || len(cfg.ControllerKey) != ed25519.PublicKeySize || cfg.Node == "" || cfg.Cluster == "" || cfg.Controller == "" {
		return nil, fmt.Errorf("%w: agent needs cluster, node, its Ed25519 key, the controller address and key", hpc.ErrInvalid)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = hpc.HeartbeatIntervalSeconds * time.Second
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = DefaultReplyTimeout
	}
	if cfg.ProbeInterval <= 0 {
		cfg.ProbeInterval = max(cfg.Interval/3, time.Millisecond)
	}
	seq := cfg.FirstSeq
	if seq == 0 {
		seq = uint64(cfg.Clock().UnixMilli())
	}
	return &Agent{cfg: cfg, seq: seq - 1}, nil
}

// Connect performs the DTLS handshake with the controller (mutual authentication).
func (a *Agent) Connect(ctx context.Context) error {
	ua, err := net.ResolveUDPAddr("udp", a.cfg.Controller)
	if err != nil {
		return fmt.Errorf("agent: controller address %q: %w", a.cfg.Controller, err)
	}
	cert, err := Certificate(a.cfg.Key, a.cfg.Node, a.cfg.Clock().Add(-certificateBackdate), CertificateValidity)
	if err != nil {
		return err
	}
	cfg := &dtls.Config{
		Certificates:         []tls.Certificate{cert},
		ExtendedMasterSecret: dtls.RequireExtendedMasterSecret,
		// The controller is authenticated by its pinned key, not by a CA chain.
		InsecureSkipVerify: true,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			pub, err := PeerKey(raw)
			if err != nil {
				return err
			}
			if !bytes.Equal(pub, a.cfg.ControllerKey) {
				return fmt.Errorf("%w: controller key %x is not the pinned %x", ErrPeerKey, []byte(pub), []byte(a.cfg.ControllerKey))
			}
			return nil
		},
	}
	conn, err := dtls.DialWithContext(ctx, "udp", ua, cfg)
	if err != nil {
		return fmt.Errorf("agent: DTLS handshake with %s: %w", a.cfg.Controller, err)
	}
	a.mu.Lock()
	if a.conn != nil {
		a.conn.Close()
	}
	a.conn = conn
	a.mu.Unlock()
	return nil
}

// Close closes the connection.
func (a *Agent) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn == nil {
		return nil
	}
	err := a.conn.Close()
	a.conn = nil
	return err
}

// NextHeartbeat builds and signs the next heartbeat (its sequence number is consumed). An agent
// without a well-formed key (one not made by NewAgent) gives hpc.ErrBadKey and consumes nothing.
func (a *Agent) NextHeartbeat() (hpc.SignedHeartbeat, error) {
	if len(a.cfg.Key) != ed25519.PrivateKeySize {
		return hpc.SignedHeartbeat{}, fmt.Errorf("%w: agent key is %d bytes, want %d (create the agent with NewAgent)", hpc.ErrBadKey, len(a.cfg.Key), ed25519.PrivateKeySize)
	}
	a.mu.Lock()
	a.seq++
	seq, rtt := a.seq, a.rtt
	a.mu.Unlock()
	capy, used, health := a.cfg.Capacity, hpc.Resources{}, hpc.HealthOK
	if a.cfg.Status != nil {
		capy, used, health = a.cfg.Status()
	}
	var peers []hpc.PeerLatency
	if a.cfg.Peers != nil {
		peers = a.cfg.Peers()
	}
	if a.cfg.Prober != nil {
		measured := a.cfg.Prober.Latencies() // measured wins over a same-named configured peer
		names := map[string]bool{}
		for _, p := range measured {
			names[p.Peer] = true
		}
		peers = slices.DeleteFunc(slices.Clone(peers), func(p hpc.PeerLatency) bool { return names[p.Peer] })
		peers = append(peers, measured...)
	}
	if rtt > 0 {
		peers = append(peers, hpc.PeerLatency{Peer: "controller", Millis: rtt.Milliseconds()})
	}
	h := hpc.Heartbeat{Cluster: a.cfg.Cluster, Node: a.cfg.Node, Seq: seq, At: a.cfg.Clock().Unix(),
		Capacity: capy, Used: used, Health: health, Peers: peers}
	h.SortPeers()
	return hpc.SignHeartbeat(h, a.cfg.Key)
}

// Send sends a signed heartbeat (any: tests replay old ones) and waits for the controller's answer.
// A refusal is a *RejectError.
func (a *Agent) Send(ctx context.Context, sh hpc.SignedHeartbeat) (Ack, error) {
	a.mu.Lock()
	conn := a.conn
	a.mu.Unlock()
	if conn == nil {
		return Ack{}, fmt.Errorf("agent: not connected; call Connect first")
	}
	wire, _ := sh.MarshalBinary()
	msg := append([]byte{msgHeartbeat}, wire...)
	if len(msg) > MaxMessageBytes {
		return Ack{}, fmt.Errorf("%w: heartbeat of %d bytes exceeds %d", hpc.ErrInvalid, len(msg), MaxMessageBytes)
	}
	began := time.Now()
	reply, err := a.exchange(ctx, conn, msg)
	if err != nil {
		return Ack{}, err
	}
	ack, err := parseReply(reply)
	if err != nil {
		return ack, err
	}
	a.mu.Lock()
	a.rtt = max(time.Since(began), time.Millisecond)
	a.mu.Unlock()
	return ack, nil
}

// exchange writes one message to the controller and reads its answer.
func (a *Agent) exchange(ctx context.Context, conn *dtls.Conn, msg []byte) ([]byte, error) {
	a.xmu.Lock()
	defer a.xmu.Unlock()
	deadline := time.Now().Add(a.cfg.ReplyTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	if _, err := conn.Write(msg); err != nil {
		return nil, fmt.Errorf("agent: send to the controller: %w", err)
	}
	buf := make([]byte, MaxMessageBytes)
	n, err := conn.Read(buf)
	if err != nil {
		return nil, fmt.Errorf("agent: no answer from the controller: %w", err)
	}
	return buf[:n], nil
}

// SyncPeers announces the prober's address to the controller and gives the prober the cluster's
// other nodes the controller answers with (their registered keys and announced addresses).
func (a *Agent) SyncPeers(ctx context.Context) error {
	if a.cfg.Prober == nil {
		return fmt.Errorf("%w: agent has no prober", hpc.ErrInvalid)
	}
	a.mu.Lock()
	conn := a.conn
	a.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("agent: not connected; call Connect first")
	}
	addr := a.cfg.ProbeAdvertise
	if addr == "" {
		addr = a.cfg.Prober.Addr()
	}
	reply, err := a.exchange(ctx, conn, appendStr16([]byte{msgAnnounce}, addr))
	if err != nil {
		return err
	}
	peers, err := parsePeers(reply)
	if err != nil {
		return err
	}
	a.cfg.Prober.SetPeers(peers)
	return nil
}

// Beat sends the next heartbeat.
func (a *Agent) Beat(ctx context.Context) (Ack, error) {
	sh, err := a.NextHeartbeat()
	if err != nil {
		return Ack{}, err
	}
	return a.Send(ctx, sh)
}

// Run connects and heartbeats every Interval until ctx ends, reconnecting after a failure. onAck,
// if set, sees every answer or error.
func (a *Agent) Run(ctx context.Context, onAck func(Ack, error)) error {
	t := time.NewTicker(a.cfg.Interval)
	defer t.Stop()
	defer a.Close()
	if a.cfg.Prober != nil {
		pctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); a.cfg.Prober.Run(pctx, a.cfg.ProbeInterval) }()
		defer func() { stop(); <-done }()
	}
	connected := false
	for {
		if !connected {
			if err := a.Connect(ctx); err != nil {
				if onAck != nil {
					onAck(Ack{}, err)
				}
			} else {
				connected = true
			}
		}
		if connected {
			ack, err := a.Beat(ctx)
			if onAck != nil {
				onAck(ack, err)
			}
			var rej *RejectError
			if err != nil && !errors.As(err, &rej) {
				connected = false // transport failure: handshake again
			} else if err == nil && a.cfg.Prober != nil {
				_ = a.SyncPeers(ctx) // a failure keeps the last peer list; the next heartbeat retries
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
