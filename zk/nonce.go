package zk

import (
	"sync"
	"time"
)

// NonceStore remembers the nonces of accepted presentations so none is accepted twice.
//
// Use records (audience, nonce) as used until expiry and returns an error wrapping ErrNonceReplayed
// if it was already recorded and has not expired. Implementations must be safe for concurrent use;
// a node backs it with its state, a relying party with its session store.
type NonceStore interface {
	Use(audience string, nonce Scalar, now, expiry time.Time) error
}

// MemoryNonceStore is an in-memory NonceStore for a single process.
type MemoryNonceStore struct {
	mu   sync.Mutex
	seen map[nonceKey]time.Time
}

type nonceKey struct {
	audience string
	nonce    Scalar
}

// NewMemoryNonceStore returns an empty store.
func NewMemoryNonceStore() *MemoryNonceStore {
	return &MemoryNonceStore{seen: map[nonceKey]time.Time{}}
}

// Use implements NonceStore. Expired entries are dropped as it goes.
func (s *MemoryNonceStore) Use(audience string, nonce Scalar, now, expiry time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, exp := range s.seen { // order-independent pruning
		if now.After(exp) {
			delete(s.seen, k)
		}
	}
	k := nonceKey{audience, nonce}
	if _, ok := s.seen[k]; ok {
		return ErrNonceReplayed
	}
	s.seen[k] = expiry
	return nil
}
