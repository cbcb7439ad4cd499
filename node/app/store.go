package app

import (
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	dbm "github.com/cometbft/cometbft-db"
)

// kv is the key-value view the state machine reads and writes. Keys are strings for map use; values
// are canonical CBOR.
type kv interface {
	get(key string) ([]byte, bool, error)
	set(key string, val []byte)
	del(key string)
}

// dbView reads committed state straight from the database.
type dbView struct{ db dbm.DB }

func (d dbView) get(key string) ([]byte, bool, error) {
	v, err := d.db.Get([]byte(key))
	if err != nil {
		return nil, false, err
	}
	return v, v != nil, nil
}
func (dbView) set(string, []byte) { panic("app: write to committed state outside a cache") }
func (dbView) del(string)         { panic("app: write to committed state outside a cache") }

// cache buffers writes over a parent; write pushes them down, dropping discards them. A transaction
// runs in a cache over the block's cache, so a failing message leaves no trace but its fee.
type cache struct {
	parent kv
	writes map[string][]byte // nil value = deleted
}

func newCache(parent kv) *cache { return &cache{parent: parent, writes: map[string][]byte{}} }

func (c *cache) get(key string) ([]byte, bool, error) {
	if v, ok := c.writes[key]; ok {
		return v, v != nil, nil
	}
	return c.parent.get(key)
}
func (c *cache) set(key string, val []byte) {
	if val == nil {
		val = []byte{}
	}
	c.writes[key] = val
}
func (c *cache) del(key string) { c.writes[key] = nil }

// write pushes the buffered writes to the parent in sorted key order (determinism does not depend on
// it, but it keeps logs and tests stable).
func (c *cache) write() {
	for _, k := range c.sortedKeys() {
		if v := c.writes[k]; v == nil {
			c.parent.del(k)
		} else {
			c.parent.set(k, v)
		}
	}
	c.writes = map[string][]byte{}
}

func (c *cache) sortedKeys() []string {
	keys := make([]string, 0, len(c.writes))
	for k := range c.writes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Metadata keys. They live in the same database and are written in the same batch as the state, so
// state, height and app hash are committed atomically (a kill at any moment leaves either the old
// triple or the new one).
const (
	metaHeight  = "\x00meta/height"
	metaAppHash = "\x00meta/apphash"
	metaTime    = "\x00meta/time"   // block time of the last commit (Unix ns), for CheckTx's dry runs
	metaLtHash  = "\x00meta/lthash" // the state digest (lthash.go) of the committed state
)

// commitBatch writes the block's writes plus the new height and app hash in one synced batch.
func commitBatch(db dbm.DB, c *cache, height int64, appHash []byte, blockTime time.Time, lt *ltHash) error {
	b := db.NewBatch()
	defer b.Close()
	for _, k := range c.sortedKeys() {
		var err error
		if v := c.writes[k]; v == nil {
			err = b.Delete([]byte(k))
		} else {
			err = b.Set([]byte(k), v)
		}
		if err != nil {
			return err
		}
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(height))
	if err := b.Set([]byte(metaHeight), n[:]); err != nil {
		return err
	}
	if err := b.Set([]byte(metaAppHash), appHash); err != nil {
		return err
	}
	binary.BigEndian.PutUint64(n[:], uint64(blockTime.UnixNano()))
	if err := b.Set([]byte(metaTime), n[:]); err != nil {
		return err
	}
	if err := b.Set([]byte(metaLtHash), lt.bytes()); err != nil {
		return err
	}
	if err := b.WriteSync(); err != nil {
		return fmt.Errorf("app: commit height %d: %w", height, err)
	}
	return nil
}

func loadTime(db dbm.DB) time.Time {
	b, err := db.Get([]byte(metaTime))
	if err != nil || len(b) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC()
}

func loadMeta(db dbm.DB) (int64, []byte, error) {
	hb, err := db.Get([]byte(metaHeight))
	if err != nil {
		return 0, nil, err
	}
	if hb == nil {
		return 0, nil, nil
	}
	if len(hb) != 8 {
		return 0, nil, fmt.Errorf("app: corrupt height record")
	}
	ah, err := db.Get([]byte(metaAppHash))
	if err != nil {
		return 0, nil, err
	}
	return int64(binary.BigEndian.Uint64(hb)), ah, nil
}
