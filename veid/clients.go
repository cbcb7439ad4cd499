package veid

import (
	"crypto/ed25519"
	"slices"
	"sync"
	"time"
)

// KeyState is the state of an approved client's key: pending → active → deprecated → revoked
// (pending and active may also go straight to revoked).
type KeyState string

// Client key states (§3.2).
const (
	KeyPending    KeyState = "pending"
	KeyActive     KeyState = "active"
	KeyDeprecated KeyState = "deprecated"
	KeyRevoked    KeyState = "revoked"
)

var keyTransitions = map[KeyState][]KeyState{
	KeyPending:    {KeyActive, KeyRevoked},
	KeyActive:     {KeyDeprecated, KeyRevoked},
	KeyDeprecated: {KeyRevoked},
}

// ClientKey is one signing key of an approved capture client.
type ClientKey struct {
	ID     KeyID             `json:"id"`
	Public ed25519.PublicKey `json:"public"`
	State  KeyState          `json:"state"`
	Since  time.Time         `json:"since"` // when State was entered
}

// Client is an approved capture application.
type Client struct {
	ID   string      `json:"id"`
	Keys []ClientKey `json:"keys"`
}

// ClientRegistry is the registry of approved capture clients. It is safe for concurrent use.
// Rotation: AddKey (pending), then Activate, which deprecates the previously active key; a deprecated
// key still verifies for Overlap (default ClientKeyOverlap, 7 days).
type ClientRegistry struct {
	Overlap time.Duration

	mu      sync.RWMutex
	clients map[string]*Client
}

// NewClientRegistry returns an empty registry with the default overlap.
func NewClientRegistry() *ClientRegistry {
	return &ClientRegistry{Overlap: ClientKeyOverlap, clients: map[string]*Client{}}
}

// AddKey adds a pending key for a client, creating the client if needed.
func (r *ClientRegistry) AddKey(clientID string, pub ed25519.PublicKey, now time.Time) (KeyID, error) {
	if len(pub) != ed25519.PublicKeySize || clientID == "" || len(clientID) > MaxIDLen {
		return KeyID{}, newErr("BAD_KEY_STATE", ErrBadKeyState, "client id or key size")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.clients[clientID]
	if c == nil {
		c = &Client{ID: clientID}
		r.clients[clientID] = c
	}
	id := KeyIDOf(pub)
	for _, k := range c.Keys {
		if k.ID == id {
			return KeyID{}, newErr("BAD_KEY_STATE", ErrBadKeyState, "key already registered")
		}
	}
	c.Keys = append(c.Keys, ClientKey{ID: id, Public: slices.Clone(pub), State: KeyPending, Since: now})
	return id, nil
}

func (r *ClientRegistry) setState(clientID string, id KeyID, to KeyState, now time.Time) error {
	c := r.clients[clientID]
	if c == nil {
		return newErr("UNKNOWN_CLIENT", ErrUnknownClient, "%q", clientID)
	}
	for i := range c.Keys {
		k := &c.Keys[i]
		if k.ID != id {
			continue
		}
		if !slices.Contains(keyTransitions[k.State], to) {
			return newErr("BAD_KEY_STATE", ErrBadKeyState, "%s → %s", k.State, to)
		}
		k.State, k.Since = to, now
		return nil
	}
	return newErr("UNKNOWN_CLIENT", ErrUnknownClient, "%q has no key %x", clientID, id)
}

// Activate makes a pending key active and deprecates the client's previously active keys (rotation).
func (r *ClientRegistry) Activate(clientID string, id KeyID, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.setState(clientID, id, KeyActive, now); err != nil {
		return err
	}
	for i := range r.clients[clientID].Keys {
		k := &r.clients[clientID].Keys[i]
		if k.ID != id && k.State == KeyActive {
			k.State, k.Since = KeyDeprecated, now
		}
	}
	return nil
}

// Deprecate moves an active key to deprecated; it verifies for the overlap window from now.
func (r *ClientRegistry) Deprecate(clientID string, id KeyID, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.setState(clientID, id, KeyDeprecated, now)
}

// Revoke revokes a key at once; uploads it signed are rejected from now on.
func (r *ClientRegistry) Revoke(clientID string, id KeyID, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.setState(clientID, id, KeyRevoked, now)
}

// Client returns a copy of a client's entry.
func (r *ClientRegistry) Client(clientID string) (Client, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := r.clients[clientID]
	if c == nil {
		return Client{}, false
	}
	return Client{ID: c.ID, Keys: slices.Clone(c.Keys)}, true
}

// KeyFor returns the public key that may verify an upload from clientID signed with key id at now,
// or the error for its state: ErrUnknownClient, ErrClientKeyPending, ErrClientRevoked,
// ErrClientKeyExpired.
func (r *ClientRegistry) KeyFor(clientID string, id KeyID, now time.Time) (ed25519.PublicKey, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := r.clients[clientID]
	if c == nil {
		return nil, newErr("UNKNOWN_CLIENT", ErrUnknownClient, "%q is not an approved client", clientID)
	}
	for _, k := range c.Keys {
		if k.ID != id {
			continue
		}
		switch k.State {
		case KeyActive:
			return k.Public, nil
		case KeyDeprecated:
			if now.Before(k.Since.Add(r.Overlap)) {
				return k.Public, nil
			}
			return nil, newErr("CLIENT_KEY_EXPIRED", ErrClientKeyExpired, "deprecated since %s", k.Since.UTC().Format(time.RFC3339))
		case KeyPending:
			return nil, newErr("CLIENT_KEY_PENDING", ErrClientKeyPending, "")
		default:
			return nil, newErr("CLIENT_REVOKED", ErrClientRevoked, "")
		}
	}
	return nil, newErr("UNKNOWN_CLIENT", ErrUnknownClient, "%q has no key %x", clientID, id)
}
