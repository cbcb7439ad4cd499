package agent

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/pion/dtls/v2"
	"github.com/pion/transport/v2/udp"

	"github.com/virtengine/sdk/hpc"
)

// ControllerConfig configures a cluster controller.
type ControllerConfig struct {
	Key      ed25519.PrivateKey // the controller's key; agents pin its public key
	Registry *hpc.Registry      // the cluster's registered nodes
	// Clock gives the time; nil is time.Now. Tests pass a fake clock.
	Clock func() time.Time
	// OnChange, if set, receives every liveness change (from heartbeats and from Tick), in order.
	OnChange func(hpc.Change)
	// HandshakeTimeout bounds a DTLS handshake; 0 means 10 s.
	HandshakeTimeout time.Duration
	// OnHeartbeat, if set, receives every accepted heartbeat (its peer latencies are for placement:
	// pass it to hpc.Scheduler.ObserveHeartbeat, which ignores peers it does not know).
	OnHeartbeat func(hpc.Heartbeat)
}

// Controller is a cluster controller: it accepts DTLS connections from registered nodes and records
// their heartbeats in the registry.
type Controller struct {
	cfg   ControllerConfig
	mu    sync.Mutex // guards cfg.Registry
	ln    net.Listener
	wg    sync.WaitGroup
	conns map[net.Conn]struct{}
	probe map[string]string // node → the probe address it announced on its authenticated connection
	stop  context.CancelFunc
	ctx   context.Context
}

// NewController returns a controller; call Listen to serve.
func NewController(cfg ControllerConfig) (*Controller, error) {
	if len(cfg.Key) != ed25519.PrivateKeySize || cfg.Registry == nil {
		return nil, fmt.Errorf("%w: controller needs an Ed25519 key and a registry", hpc.ErrInvalid)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	return &Controller{cfg: cfg, conns: map[net.Conn]struct{}{}, probe: map[string]string{}}, nil
}

// PublicKey is the key agents pin.
func (c *Controller) PublicKey() ed25519.PublicKey { return c.cfg.Key.Public().(ed25519.PublicKey) }

// Listen starts serving on a UDP address ("127.0.0.1:0" picks a port) and returns the bound address.
func (c *Controller) Listen(addr string) (net.Addr, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("agent: listen address %q: %w", addr, err)
	}
	lc := udp.ListenConfig{AcceptFilter: func(p []byte) bool {
		return len(p) >= 13 && p[0] == 22 // a DTLS handshake record (RFC 6347 §4.1)
	}}
	ln, err := lc.Listen("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("agent: listen %s: %w", addr, err)
	}
	c.ln = ln
	c.ctx, c.stop = context.WithCancel(context.Background())
	c.wg.Add(1)
	go c.acceptLoop()
	return ln.Addr(), nil
}

// Close stops the controller and closes every connection.
func (c *Controller) Close() error {
	if c.ln == nil {
		return nil
	}
	c.stop()
	err := c.ln.Close()
	c.mu.Lock()
	for conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
	return err
}

func (c *Controller) dtlsConfig() (*dtls.Config, error) {
	cert, err := Certificate(c.cfg.Key, "virtengine-hpc-controller", c.cfg.Clock().Add(-certificateBackdate), CertificateValidity)
	if err != nil {
		return nil, err
	}
	return &dtls.Config{
		Certificates:         []tls.Certificate{cert},
		ClientAuth:           dtls.RequireAnyClientCert,
		ExtendedMasterSecret: dtls.RequireExtendedMasterSecret,
		// Mutual authentication: only a registered, not deregistered node key completes the handshake.
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			pub, err := PeerKey(raw)
			if err != nil {
				return err
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if _, err := c.cfg.Registry.NodeByKey(pub); err != nil {
				return fmt.Errorf("%w: %v", ErrPeerKey, err)
			}
			return nil
		},
	}, nil
}

func (c *Controller) acceptLoop() {
	defer c.wg.Done()
	for {
		raw, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.serve(raw)
		}()
	}
}

func (c *Controller) serve(raw net.Conn) {
	cfg, err := c.dtlsConfig()
	if err != nil {
		raw.Close()
		return
	}
	hctx, cancel := context.WithTimeout(c.ctx, c.cfg.HandshakeTimeout)
	conn, err := dtls.ServerWithContext(hctx, raw, cfg)
	cancel()
	if err != nil {
		raw.Close()
		return
	}
	c.mu.Lock()
	if c.ctx.Err() != nil {
		c.mu.Unlock()
		conn.Close()
		return
	}
	c.conns[conn] = struct{}{}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.conns, conn)
		c.mu.Unlock()
		conn.Close()
	}()
	pub, err := PeerKey(conn.ConnectionState().PeerCertificates)
	if err != nil {
		return
	}
	buf := make([]byte, MaxMessageBytes)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return
		}
		reply := c.handle(pub, buf[:n])
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}

// handle processes one message from the node authenticated with key pub and returns the reply.
func (c *Controller) handle(pub ed25519.PublicKey, msg []byte) []byte {
	if len(msg) >= 1 && msg[0] == msgAnnounce {
		return c.announce(pub, msg[1:])
	}
	if len(msg) < 1 || msg[0] != msgHeartbeat {
		return encodeNack(0, CodeMalformed, "expected a heartbeat message")
	}
	sh, err := hpc.ParseSignedHeartbeat(msg[1:])
	if err != nil {
		return encodeNack(0, CodeMalformed, err.Error())
	}
	now := c.cfg.Clock().Unix()
	c.mu.Lock()
	id, err := c.cfg.Registry.NodeByKey(pub)
	if err != nil {
		c.mu.Unlock()
		return encodeNack(sh.Heartbeat.Seq, nackCode(err), err.Error())
	}
	if id != sh.Heartbeat.Node {
		c.mu.Unlock()
		return encodeNack(sh.Heartbeat.Seq, CodeWrongNode, fmt.Sprintf("connection authenticated node %s, heartbeat names %s", id, sh.Heartbeat.Node))
	}
	change, err := c.cfg.Registry.Accept(sh, now)
	var st hpc.NodeStatus
	if err == nil {
		st, _ = c.cfg.Registry.Node(id)
	}
	c.mu.Unlock()
	if err != nil {
		return encodeNack(sh.Heartbeat.Seq, nackCode(err), err.Error())
	}
	if change != nil && c.cfg.OnChange != nil {
		c.cfg.OnChange(*change)
	}
	if c.cfg.OnHeartbeat != nil {
		h := sh.Heartbeat
		h.Peers = append([]hpc.PeerLatency(nil), h.Peers...)
		c.cfg.OnHeartbeat(h)
	}
	return encodeAck(Ack{Seq: sh.Heartbeat.Seq, Liveness: st.Liveness, Drain: st.Draining})
}

// announce records the probe address of the node authenticated with pub and answers with the other
// nodes of the cluster that announced one (not deregistered), by node id: the peers it should probe.
func (c *Controller) announce(pub ed25519.PublicKey, body []byte) []byte {
	addr, rest, ok := readStr16(body, MaxProbeAddrBytes)
	if !ok || len(rest) != 0 {
		return encodeNack(0, CodeMalformed, "announce: u16 length and a probe address")
	}
	if addr != "" {
		if _, err := net.ResolveUDPAddr("udp", addr); err != nil {
			return encodeNack(0, CodeMalformed, "announce: "+err.Error())
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	self, err := c.cfg.Registry.NodeByKey(pub)
	if err != nil {
		return encodeNack(0, nackCode(err), err.Error())
	}
	if addr == "" {
		delete(c.probe, self)
	} else {
		c.probe[self] = addr
	}
	var peers []ProbePeer
	size := 3
	for _, st := range c.cfg.Registry.Status() {
		id := st.Registration.Node
		a, ok := c.probe[id]
		if id == self || !ok || st.Liveness == hpc.Deregistered {
			continue
		}
		size += 4 + len(id) + ed25519.PublicKeySize + len(a)
		if len(peers) == MaxProbePeers || size > MaxMessageBytes {
			break // one record holds the reply; the rest of a very large cluster is not probed
		}
		peers = append(peers, ProbePeer{Node: id, Key: st.Registration.NodeKey, Addr: a})
	}
	return encodePeers(peers)
}

// Tick applies the liveness timers at the clock's time and returns the changes.
func (c *Controller) Tick() []hpc.Change {
	c.mu.Lock()
	ch := c.cfg.Registry.Tick(c.cfg.Clock().Unix())
	c.mu.Unlock()
	if c.cfg.OnChange != nil {
		for _, x := range ch {
			c.cfg.OnChange(x)
		}
	}
	return ch
}

// Drain asks a node to drain (it learns it from its next Ack) and stops new work on it.
func (c *Controller) Drain(node string, drain bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg.Registry.Drain(node, drain)
}

// Status returns every node's status.
func (c *Controller) Status() []hpc.NodeStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg.Registry.Status()
}

// Register admits a node registration signed by the cluster's provider.
func (c *Controller) Register(sr hpc.SignedRegistration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cfg.Registry.Register(sr, c.cfg.Clock().Unix())
}
