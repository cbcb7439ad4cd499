package bidengine

import (
	"sort"

	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/settlement/kv"
)

// Book is an in-memory index of open orders by category and region, for providers that follow the
// chain's events instead of querying the store on every scan. It implements Source. Not safe for
// concurrent writes.
type Book struct {
	idx map[bookKey][]*market.Order // each slice sorted by order id
	loc map[string]bookKey
}

type bookKey struct {
	c market.Category
	r string
}

// NewBook returns an empty book.
func NewBook() *Book { return &Book{idx: map[bookKey][]*market.Order{}, loc: map[string]bookKey{}} }

// Add indexes an open order (replacing one with the same id).
func (b *Book) Add(o *market.Order) {
	b.Remove(o.ID)
	k := bookKey{o.Category, o.Region}
	s := b.idx[k]
	i := sort.Search(len(s), func(i int) bool { return s[i].ID >= o.ID })
	s = append(s, nil)
	copy(s[i+1:], s[i:])
	s[i] = o
	b.idx[k] = s
	b.loc[o.ID] = k
}

// Remove drops an order (matched, cancelled).
func (b *Book) Remove(id string) {
	k, ok := b.loc[id]
	if !ok {
		return
	}
	s := b.idx[k]
	i := sort.Search(len(s), func(i int) bool { return s[i].ID >= id })
	if i < len(s) && s[i].ID == id {
		b.idx[k] = append(s[:i], s[i+1:]...)
	}
	delete(b.loc, id)
}

// Len is the number of orders in the book.
func (b *Book) Len() int { return len(b.loc) }

// OpenOrders implements Source: orders of the category in the region, by id.
func (b *Book) OpenOrders(c market.Category, region string, fn func(*market.Order) error) error {
	for _, o := range b.idx[bookKey{c, region}] {
		if err := fn(o); err != nil {
			if err == kv.ErrStop {
				return nil
			}
			return err
		}
	}
	return nil
}
