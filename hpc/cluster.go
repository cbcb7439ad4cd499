package hpc

import (
	"crypto/ed25519"
	"fmt"
)

// Resources is what a node offers or a job asks of each of its nodes.
type Resources struct {
	Cores    int64 `json:"cores"`
	MemoryMB int64 `json:"memory_mb"`
	GPUs     int64 `json:"gpus"`
}

// Fits reports whether r fits in free.
func (r Resources) Fits(free Resources) bool {
	return r.Cores <= free.Cores && r.MemoryMB <= free.MemoryMB && r.GPUs <= free.GPUs
}

func (r Resources) add(o Resources) Resources {
	return Resources{r.Cores + o.Cores, r.MemoryMB + o.MemoryMB, r.GPUs + o.GPUs}
}

func (r Resources) sub(o Resources) Resources {
	return Resources{r.Cores - o.Cores, r.MemoryMB - o.MemoryMB, r.GPUs - o.GPUs}
}

func (r Resources) valid() bool { return r.Cores >= 0 && r.MemoryMB >= 0 && r.GPUs >= 0 }

// Partition is a named set of nodes of one hardware class with its own limits (§8.1).
type Partition struct {
	Name              string `json:"name"`
	HardwareClass     string `json:"hardware_class"` // e.g. "cpu-avx512", "gpu-a100"
	MaxRuntimeSeconds int64  `json:"max_runtime_s"`  // 0 means MaxRuntimeSeconds
	PriorityBP        int64  `json:"priority_bp"`    // partition factor of the priority, 0..BP
}

// Cluster is what a provider registers (§8.1): its partitions and the provider's key, which signs
// each node's registration.
type Cluster struct {
	ID          string            `json:"id"`
	Provider    string            `json:"provider"`
	Region      string            `json:"region"`
	Partitions  []Partition       `json:"partitions"`
	ProviderKey ed25519.PublicKey `json:"provider_key"`
}

// Partition returns the partition named name.
func (c *Cluster) Partition(name string) (Partition, bool) {
	for _, p := range c.Partitions {
		if p.Name == name {
			return p, true
		}
	}
	return Partition{}, false
}

// Validate checks the cluster's fields.
func (c *Cluster) Validate() error {
	if !validID(c.ID) || !validID(c.Provider) {
		return invalidf("cluster id %q or provider %q is empty or longer than %d bytes", c.ID, c.Provider, MaxIDLen)
	}
	if len(c.ProviderKey) != ed25519.PublicKeySize {
		return invalidf("cluster %s: provider key must be an Ed25519 public key", c.ID)
	}
	if len(c.Partitions) == 0 {
		return invalidf("cluster %s has no partition", c.ID)
	}
	for i, p := range c.Partitions {
		if !validID(p.Name) || p.MaxRuntimeSeconds < 0 || p.MaxRuntimeSeconds > MaxRuntimeSeconds || p.PriorityBP < 0 || p.PriorityBP > BP {
			return invalidf("cluster %s: partition %q: name, max runtime 0..%d s, priority 0..%d bp", c.ID, p.Name, MaxRuntimeSeconds, BP)
		}
		for _, q := range c.Partitions[:i] {
			if q.Name == p.Name {
				return invalidf("cluster %s: partition %q twice", c.ID, p.Name)
			}
		}
	}
	return nil
}

func validID(s string) bool { return s != "" && len(s) <= MaxIDLen }

// NodeRegistration binds a node's own key to a cluster, a partition and a capacity. The cluster's
// provider signs it; the controller accepts heartbeats only from registered keys (§8.1).
type NodeRegistration struct {
	Cluster   string            `json:"cluster"`
	Node      string            `json:"node"`
	Partition string            `json:"partition"`
	Capacity  Resources         `json:"capacity"`
	NodeKey   ed25519.PublicKey `json:"node_key"`
	Operator  string            `json:"operator"` // account paid for the node's contribution
	IssuedAt  int64             `json:"issued_at"`
}

const registrationMagic = "virtengine/hpc/node-registration/v1\x00"

// Encode returns the canonical bytes the provider signs.
func (r NodeRegistration) Encode() []byte {
	e := enc{b: make([]byte, 0, 160)}
	e.b = append(e.b, registrationMagic...)
	e.str(r.Cluster)
	e.str(r.Node)
	e.str(r.Partition)
	e.i64(r.Capacity.Cores)
	e.i64(r.Capacity.MemoryMB)
	e.i64(r.Capacity.GPUs)
	e.bytes(r.NodeKey)
	e.str(r.Operator)
	e.i64(r.IssuedAt)
	return e.b
}

// SignedRegistration is a registration with the provider's Ed25519 signature over Encode().
type SignedRegistration struct {
	Registration NodeRegistration `json:"registration"`
	Signature    []byte           `json:"signature"`
}

// SignRegistration signs r with the provider's key. A key that is not a 64-byte Ed25519 private key
// gives ErrBadKey.
func SignRegistration(r NodeRegistration, provider ed25519.PrivateKey) (SignedRegistration, error) {
	if err := checkPrivateKey("provider", provider); err != nil {
		return SignedRegistration{}, fmt.Errorf("registration of node %s: %w", r.Node, err)
	}
	return SignedRegistration{Registration: r, Signature: ed25519.Sign(provider, r.Encode())}, nil
}

// Verify checks the registration against its cluster: the provider's signature, the partition and
// the node key.
func (s SignedRegistration) Verify(c *Cluster) error {
	r := s.Registration
	if r.Cluster != c.ID {
		return invalidf("node %s registered for cluster %s, not %s", r.Node, r.Cluster, c.ID)
	}
	if !validID(r.Node) || len(r.NodeKey) != ed25519.PublicKeySize || !r.Capacity.valid() || r.Capacity.Cores == 0 {
		return invalidf("node %q: id, Ed25519 key and a positive core count are required", r.Node)
	}
	if _, ok := c.Partition(r.Partition); !ok {
		return invalidf("node %s: cluster %s has no partition %q", r.Node, c.ID, r.Partition)
	}
	if len(c.ProviderKey) != ed25519.PublicKeySize || !ed25519.Verify(c.ProviderKey, r.Encode(), s.Signature) {
		return fmt.Errorf("%w: registration of node %s is not signed by the provider of cluster %s", ErrBadSignature, r.Node, c.ID)
	}
	return nil
}
