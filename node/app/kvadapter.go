package app

import (
	"sort"
	"strings"

	skv "github.com/virtengine/sdk/settlement/kv"
)

type pair struct {
	k string
	v []byte
}

// scan returns the live pairs under prefix in ascending key order, merging a cache chain with the
// database below it.
func scan(s kv, prefix string) ([]pair, error) {
	switch t := s.(type) {
	case dbView:
		it, err := t.db.Iterator([]byte(prefix), prefixEnd([]byte(prefix)))
		if err != nil {
			return nil, err
		}
		defer it.Close()
		var out []pair
		for ; it.Valid(); it.Next() {
			out = append(out, pair{string(it.Key()), append([]byte(nil), it.Value()...)})
		}
		return out, it.Error()
	case *cache:
		base, err := scan(t.parent, prefix)
		if err != nil {
			return nil, err
		}
		m := make(map[string][]byte, len(base))
		for _, p := range base {
			m[p.k] = p.v
		}
		for k, v := range t.writes {
			if strings.HasPrefix(k, prefix) {
				m[k] = v
			}
		}
		out := make([]pair, 0, len(m))
		for k, v := range m {
			if v != nil {
				out = append(out, pair{k, v})
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].k < out[j].k })
		return out, nil
	}
	panic("app: scan over an unknown store")
}

func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// moduleStore gives the market, settlement and HPC state machines a kv.Store over the application's
// state, under their own key prefix.
type moduleStore struct {
	s      kv
	prefix string
}

const pfxMarket = "m/" // market and settlement share one store, as their packages expect

func (m moduleStore) Get(key []byte) ([]byte, bool, error) { return m.s.get(m.prefix + string(key)) }
func (m moduleStore) Set(key, value []byte) error {
	m.s.set(m.prefix+string(key), append([]byte(nil), value...))
	return nil
}
func (m moduleStore) Delete(key []byte) error { m.s.del(m.prefix + string(key)); return nil }
func (m moduleStore) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	ps, err := scan(m.s, m.prefix+string(prefix))
	if err != nil {
		return err
	}
	for _, p := range ps {
		if err := fn([]byte(p.k[len(m.prefix):]), p.v); err != nil {
			if err == skv.ErrStop {
				return nil
			}
			return err
		}
	}
	return nil
}

var _ skv.Store = moduleStore{}
