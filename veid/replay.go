package veid

import (
	"crypto/sha256"
	"sync"
	"time"
)

// ReplayCache remembers capture salts for a window and refuses a salt seen before. Its size is
// bounded: when it is full of entries still inside the window it fails closed with
// ErrReplayCacheFull instead of forgetting a live salt. It is safe for concurrent use.
//
// Entries expire in insertion order, which assumes the times passed in do not go backwards by more
// than the window (block time in the node).
type ReplayCache struct {
	window time.Duration
	max    int

	mu    sync.Mutex
	seen  map[[32]byte]time.Time // salt hash → expiry
	order [][32]byte             // insertion order, for expiry sweeps
}

// NewReplayCache returns a cache with the given window and maximum number of live entries;
// zero values select ReplayWindow and DefaultReplayCacheSize.
func NewReplayCache(window time.Duration, max int) *ReplayCache {
	if window <= 0 {
		window = ReplayWindow
	}
	if max <= 0 {
		max = DefaultReplayCacheSize
	}
	return &ReplayCache{window: window, max: max, seen: map[[32]byte]time.Time{}}
}

func (c *ReplayCache) sweep(now time.Time) {
	for len(c.order) > 0 {
		k := c.order[0]
		if exp, ok := c.seen[k]; ok && now.Before(exp) {
			return
		}
		delete(c.seen, k)
		c.order = c.order[1:]
	}
}

// Seen reports whether salt is remembered at now, without adding it.
func (c *ReplayCache) Seen(salt []byte, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	_, ok := c.seen[sha256.Sum256(salt)]
	return ok
}

// Add remembers salt until now+window. It returns ErrSaltReused if the salt is already remembered
// and ErrReplayCacheFull if the cache holds its maximum of live entries.
func (c *ReplayCache) Add(salt []byte, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	k := sha256.Sum256(salt)
	if _, ok := c.seen[k]; ok {
		return newErr("SALT_REUSED", ErrSaltReused, "")
	}
	if len(c.seen) >= c.max {
		return newErr("REPLAY_CACHE_FULL", ErrReplayCacheFull, "%d live entries; retry shortly", c.max)
	}
	c.seen[k] = now.Add(c.window)
	c.order = append(c.order, k)
	return nil
}

// Len returns the number of remembered salts.
func (c *ReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}
