package hpc

import (
	"crypto/ed25519"
	"fmt"
	"sort"
)

// Liveness is what a controller knows of a node from its heartbeats (§8.1).
type Liveness uint8

// Liveness states. A registered node that has not heartbeated yet counts from its registration.
const (
	Registered   Liveness = iota + 1 // no heartbeat yet
	Alive                            // heartbeated within StaleAfter
	Stale                            // silent for StaleAfter: takes no new jobs
	Offline                          // silent for OfflineAfter: its jobs are requeued
	Deregistered                     // silent for DeregisterAfter: removed; must register again
)

var livenessNames = [...]string{"", "registered", "alive", "stale", "offline", "deregistered"}

func (l Liveness) String() string {
	if int(l) < len(livenessNames) && l > 0 {
		return livenessNames[l]
	}
	return fmt.Sprintf("liveness(%d)", uint8(l))
}

// SchedulerState maps a node's liveness (and whether it drains) to what the scheduler may do with it.
func (l Liveness) SchedulerState(draining bool) NodeState {
	switch {
	case l == Offline || l == Deregistered:
		return NodeDown
	case l == Stale || draining:
		return NodeDraining
	}
	return NodeUp
}

// Timers are the liveness thresholds in seconds; zero fields take the §8.1 defaults.
type Timers struct {
	StaleAfter, OfflineAfter, DeregisterAfter int64
	// MaxSkew bounds how far a heartbeat's own timestamp may be from the controller's clock: an older
	// heartbeat is a replay even with a fresh sequence number.
	MaxSkew int64
}

// DefaultMaxSkewSeconds is the default Timers.MaxSkew: one heartbeat interval.
const DefaultMaxSkewSeconds = HeartbeatIntervalSeconds

func (t Timers) withDefaults() Timers {
	if t.StaleAfter <= 0 {
		t.StaleAfter = StaleAfterSeconds
	}
	if t.OfflineAfter <= 0 {
		t.OfflineAfter = OfflineAfterSeconds
	}
	if t.DeregisterAfter <= 0 {
		t.DeregisterAfter = DeregisterAfterSeconds
	}
	if t.MaxSkew <= 0 {
		t.MaxSkew = DefaultMaxSkewSeconds
	}
	return t
}

// NodeStatus is a node as its controller sees it.
type NodeStatus struct {
	Registration NodeRegistration `json:"registration"`
	Liveness     Liveness         `json:"-"`
	State        string           `json:"state"`
	Draining     bool             `json:"draining"`
	LastSeq      uint64           `json:"last_seq"`
	LastSeen     int64            `json:"last_seen"` // controller time of the last accepted heartbeat
	Since        int64            `json:"since"`     // when the node entered its state
	Last         *Heartbeat       `json:"last,omitempty"`
}

// Change is a liveness transition.
type Change struct {
	Node     string   `json:"node"`
	From, To Liveness `json:"-"`
	At       int64    `json:"at"`
	Reason   string   `json:"reason"`
}

// Registry is a cluster controller's view of its nodes: registrations signed by the provider and the
// heartbeats the nodes signed. It is transport-free and deterministic (time passed in); package
// hpc/agent puts it behind DTLS. Not safe for concurrent use.
type Registry struct {
	cluster Cluster
	timers  Timers
	nodes   map[string]*NodeStatus
	byKey   map[string]string // node key → node id
}

// NewRegistry returns an empty registry for cluster c.
func NewRegistry(c Cluster, t Timers) (*Registry, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Registry{cluster: c, timers: t.withDefaults(), nodes: map[string]*NodeStatus{}, byKey: map[string]string{}}, nil
}

// Cluster returns the registry's cluster.
func (r *Registry) Cluster() Cluster { return r.cluster }

// Register admits a node whose registration the provider signed. A deregistered node may register
// again (with a fresh sequence space: its old heartbeats stay refused by their timestamps).
func (r *Registry) Register(sr SignedRegistration, now int64) error {
	if err := sr.Verify(&r.cluster); err != nil {
		return err
	}
	reg := sr.Registration
	if old, ok := r.nodes[reg.Node]; ok && old.Liveness != Deregistered {
		return fmt.Errorf("%w: node %s", ErrExists, reg.Node)
	}
	if id, ok := r.byKey[string(reg.NodeKey)]; ok && id != reg.Node && r.nodes[id].Liveness != Deregistered {
		return fmt.Errorf("%w: key of node %s already registered as %s", ErrExists, reg.Node, id)
	}
	r.nodes[reg.Node] = &NodeStatus{Registration: reg, Liveness: Registered, State: Registered.String(), LastSeen: now, Since: now}
	r.byKey[string(reg.NodeKey)] = reg.Node
	return nil
}

// NodeByKey returns the node registered with an Ed25519 public key (the DTLS peer's key).
func (r *Registry) NodeByKey(pub ed25519.PublicKey) (string, error) {
	id, ok := r.byKey[string(pub)]
	if !ok {
		return "", fmt.Errorf("%w: no node is registered with key %x", ErrUnknownNode, []byte(pub))
	}
	if r.nodes[id].Liveness == Deregistered {
		return "", fmt.Errorf("%w: node %s", ErrDeregistered, id)
	}
	return id, nil
}

// Accept verifies and records a heartbeat received at now. It refuses, with a *HeartbeatError: an
// unknown or deregistered node; a signature not made by the node's registered key (a heartbeat
// signed by another node); a sequence number not above the last accepted one (a replay, or an old
// heartbeat arriving late); a timestamp more than MaxSkew from now.
func (r *Registry) Accept(sh SignedHeartbeat, now int64) (*Change, error) {
	h := &sh.Heartbeat
	fail := func(err error, why string) (*Change, error) {
		return nil, &HeartbeatError{Node: h.Node, Seq: h.Seq, Err: err, Why: why}
	}
	if err := h.validate(); err != nil {
		return fail(ErrMalformed, err.Error())
	}
	if h.Cluster != r.cluster.ID {
		return fail(ErrUnknownNode, "heartbeat for cluster "+h.Cluster)
	}
	n, ok := r.nodes[h.Node]
	if !ok {
		return fail(ErrUnknownNode, "not registered")
	}
	if n.Liveness == Deregistered {
		return fail(ErrDeregistered, "register the node again")
	}
	// the length check first: ed25519.Verify panics on a key of another size.
	if len(n.Registration.NodeKey) != ed25519.PublicKeySize || !ed25519.Verify(n.Registration.NodeKey, h.Encode(), sh.Signature) {
		return fail(ErrBadSignature, "not signed by the node's registered key")
	}
	if h.Seq <= n.LastSeq {
		why := "sequence already seen (replay)"
		if h.Seq < n.LastSeq {
			why = fmt.Sprintf("sequence below the last accepted %d (old or out of order)", n.LastSeq)
		}
		return fail(ErrReplay, why)
	}
	if h.At < now-r.timers.MaxSkew || h.At > now+r.timers.MaxSkew {
		return fail(ErrReplay, fmt.Sprintf("timestamp %d is more than %d s from the controller's %d", h.At, r.timers.MaxSkew, now))
	}
	copyHB := *h
	copyHB.Peers = append([]PeerLatency(nil), h.Peers...)
	n.LastSeq, n.LastSeen, n.Last = h.Seq, now, &copyHB
	if n.Liveness != Alive {
		c := &Change{Node: h.Node, From: n.Liveness, To: Alive, At: now, Reason: "heartbeat"}
		n.Liveness, n.State, n.Since = Alive, Alive.String(), now
		return c, nil
	}
	return nil, nil
}

// Drain marks a node draining (no new jobs; running jobs finish) or undrains it.
func (r *Registry) Drain(node string, drain bool) error {
	n, ok := r.nodes[node]
	if !ok {
		return fmt.Errorf("%w: node %s", ErrUnknownNode, node)
	}
	n.Draining = drain
	return nil
}

// Tick applies the timers at now and returns the transitions, in node order. Silence is measured
// from the last accepted heartbeat (or the registration).
func (r *Registry) Tick(now int64) []Change {
	var out []Change
	for _, id := range r.ids() {
		n := r.nodes[id]
		if n.Liveness == Deregistered {
			continue
		}
		silent := now - n.LastSeen
		to := n.Liveness
		switch {
		case silent >= r.timers.DeregisterAfter:
			to = Deregistered
		case silent >= r.timers.OfflineAfter:
			to = Offline
		case silent >= r.timers.StaleAfter:
			to = Stale
		}
		if to != n.Liveness && to > n.Liveness {
			out = append(out, Change{Node: id, From: n.Liveness, To: to, At: now,
				Reason: fmt.Sprintf("no heartbeat for %d s", silent)})
			n.Liveness, n.State, n.Since = to, to.String(), now
		}
	}
	return out
}

// Status returns every node in id order.
func (r *Registry) Status() []NodeStatus {
	var out []NodeStatus
	for _, id := range r.ids() {
		out = append(out, *r.nodes[id])
	}
	return out
}

// Node returns one node's status.
func (r *Registry) Node(id string) (NodeStatus, error) {
	n, ok := r.nodes[id]
	if !ok {
		return NodeStatus{}, fmt.Errorf("%w: node %s", ErrUnknownNode, id)
	}
	return *n, nil
}

func (r *Registry) ids() []string {
	ids := make([]string, 0, len(r.nodes))
	for id := range r.nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
