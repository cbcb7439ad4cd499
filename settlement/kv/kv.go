// Package kv is the small key-value store interface the market and settlement state machines run
// over, with an in-memory implementation for tests and the CLI, a write-buffering overlay that makes
// each operation atomic, and a canonical state hash.
//
// A node implements Store over its own database (for example the state of an ABCI application) and
// hands it to settlement.NewLedger and market.New. Everything above this interface is deterministic:
// iteration is in ascending byte order of keys, never in map order.
package kv

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"sort"

	"github.com/google/btree"
)

// Store is an ordered byte-key, byte-value store.
//
// Get returns (nil, false, nil) when the key is absent. Iterate calls fn for every key that starts with
// prefix, in ascending byte order of keys, and stops at the first error fn returns (that error is
// returned). Implementations must not let fn observe writes made during the iteration in a way that
// changes the order; callers of this package never write while iterating. Values passed to Set may be
// retained; values returned by Get and Iterate must not be modified by callers.
type Store interface {
	Get(key []byte) (value []byte, ok bool, err error)
	Set(key, value []byte) error
	Delete(key []byte) error
	Iterate(prefix []byte, fn func(key, value []byte) error) error
}

// ErrStop may be returned by an Iterate callback to stop early; Iterate then returns nil.
var ErrStop = errors.New("kv: stop iteration")

// Mem is an in-memory Store, ordered by a B-tree: Get, Set and Delete cost O(log n) and Iterate
// O(log n + matches). The zero value is not usable; call NewMem.
type Mem struct {
	t *btree.BTreeG[entry]
}

type entry struct {
	k string
	v []byte
}

// NewMem returns an empty in-memory store.
func NewMem() *Mem {
	return &Mem{t: btree.NewG(32, func(a, b entry) bool { return a.k < b.k })}
}

// Get implements Store.
func (s *Mem) Get(key []byte) ([]byte, bool, error) {
	e, ok := s.t.Get(entry{k: string(key)})
	return e.v, ok, nil
}

// Set implements Store.
func (s *Mem) Set(key, value []byte) error {
	s.t.ReplaceOrInsert(entry{k: string(key), v: append([]byte(nil), value...)})
	return nil
}

// Delete implements Store.
func (s *Mem) Delete(key []byte) error {
	s.t.Delete(entry{k: string(key)})
	return nil
}

// Len returns the number of keys.
func (s *Mem) Len() int { return s.t.Len() }

// Iterate implements Store: keys with the prefix, sorted. The matching entries are collected before
// fn is called, so fn may write to the store.
func (s *Mem) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	p := string(prefix)
	var hits []entry
	s.t.AscendGreaterOrEqual(entry{k: p}, func(e entry) bool {
		if len(e.k) < len(p) || e.k[:len(p)] != p {
			return false
		}
		hits = append(hits, e)
		return true
	})
	for _, e := range hits {
		if err := fn([]byte(e.k), e.v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// Hash returns the canonical state hash of everything in s: SHA-256 over every (key, value) pair in
// ascending key order, each encoded as uvarint(len(key)) ‖ key ‖ uvarint(len(value)) ‖ value. Two
// stores with the same contents have the same hash whatever order they were written in.
func Hash(s Store) ([32]byte, error) {
	h := sha256.New()
	var buf [binary.MaxVarintLen64]byte
	err := s.Iterate(nil, func(k, v []byte) error {
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(k)))])
		h.Write(k)
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(v)))])
		h.Write(v)
		return nil
	})
	var out [32]byte
	if err != nil {
		return out, err
	}
	copy(out[:], h.Sum(nil))
	return out, nil
}

// Overlay buffers writes over a base store so that a multi-step operation either commits all its
// writes or none. Reads and iteration see the buffered writes.
type Overlay struct {
	base    Store
	writes  map[string][]byte // nil value = deleted
	deleted map[string]bool
}

// NewOverlay returns an overlay over base with no pending writes.
func NewOverlay(base Store) *Overlay {
	return &Overlay{base: base, writes: map[string][]byte{}, deleted: map[string]bool{}}
}

// Get implements Store.
func (o *Overlay) Get(key []byte) ([]byte, bool, error) {
	k := string(key)
	if o.deleted[k] {
		return nil, false, nil
	}
	if v, ok := o.writes[k]; ok {
		return v, true, nil
	}
	return o.base.Get(key)
}

// Set implements Store.
func (o *Overlay) Set(key, value []byte) error {
	k := string(key)
	delete(o.deleted, k)
	o.writes[k] = append([]byte(nil), value...)
	return nil
}

// Delete implements Store.
func (o *Overlay) Delete(key []byte) error {
	k := string(key)
	delete(o.writes, k)
	o.deleted[k] = true
	return nil
}

// Iterate implements Store, merging the base with the pending writes in key order.
func (o *Overlay) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	type kvp struct {
		k string
		v []byte
	}
	var base []kvp
	if err := o.base.Iterate(prefix, func(k, v []byte) error {
		ks := string(k)
		if o.deleted[ks] {
			return nil
		}
		if _, ok := o.writes[ks]; ok {
			return nil
		}
		base = append(base, kvp{ks, v})
		return nil
	}); err != nil {
		return err
	}
	var mine []kvp
	for k, v := range o.writes {
		if bytes.HasPrefix([]byte(k), prefix) {
			mine = append(mine, kvp{k, v})
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].k < mine[j].k })
	i, j := 0, 0
	for i < len(base) || j < len(mine) {
		var next kvp
		if j >= len(mine) || (i < len(base) && base[i].k < mine[j].k) {
			next = base[i]
			i++
		} else {
			next = mine[j]
			j++
		}
		if err := fn([]byte(next.k), next.v); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// Commit writes the pending writes to the base store in ascending key order and clears them.
func (o *Overlay) Commit() error {
	keys := make([]string, 0, len(o.writes)+len(o.deleted))
	for k := range o.writes {
		keys = append(keys, k)
	}
	for k := range o.deleted {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var err error
		if o.deleted[k] {
			err = o.base.Delete([]byte(k))
		} else {
			err = o.base.Set([]byte(k), o.writes[k])
		}
		if err != nil {
			return err
		}
	}
	o.writes = map[string][]byte{}
	o.deleted = map[string]bool{}
	return nil
}
