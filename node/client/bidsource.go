package client

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/market/bidengine"
	"github.com/virtengine/sdk/node/tx"
)

// OrderFeed is a bid engine's view of a node's open orders (it implements bidengine.Source). The
// node has no query that lists open orders, so the feed follows the chain: Sync finds the orders
// created since the last sync by their order_created transaction events (the node's tx index), then
// re-reads every order it follows (/market/order/ID) and keeps the open ones in a book.
//
// An order the provider bid on leaves the feed when it closes without the provider (another bid won,
// the customer cancelled): Release is called so the engine frees its capacity. An order the provider
// won is followed until it ends (terminated, failed, cancelled), then released.
type OrderFeed struct {
	c        *Client
	provider string
	// Release frees an order's capacity in the engine (bidengine.Engine.Closed); optional.
	Release func(orderID string)

	book      *bidengine.Book
	follow    map[string]bool
	next      int64 // first height not yet searched for new orders
	blockTime int64
}

// NewOrderFeed follows the orders on c's node for provider (its address), from the chain's start.
func NewOrderFeed(c *Client, provider string) *OrderFeed {
	return &OrderFeed{c: c, provider: provider, book: bidengine.NewBook(), follow: map[string]bool{}, next: 1}
}

// maxPerPage is CometBFT's largest tx_search page.
const maxPerPage = 100

// Sync brings the feed up to the node's last committed height.
func (f *OrderFeed) Sync(ctx context.Context) error {
	h, err := f.c.Height(ctx)
	if err != nil {
		return fmt.Errorf("order feed: node height: %w", err)
	}
	if h >= f.next {
		q := fmt.Sprintf("order_created.order EXISTS AND tx.height >= %d AND tx.height <= %d", f.next, h)
		for page := 1; ; page++ {
			pp := maxPerPage
			res, err := f.c.RPC.TxSearch(ctx, q, false, &page, &pp, "asc")
			if err != nil {
				return fmt.Errorf("order feed: searching new orders (is the node's tx index on?): %w", err)
			}
			for _, r := range res.Txs {
				for _, ev := range r.TxResult.Events {
					if ev.Type != "order_created" {
						continue
					}
					for _, a := range ev.Attributes {
						if a.Key == "order" {
							f.follow[a.Value] = true
						}
					}
				}
			}
			if page*maxPerPage >= res.TotalCount || len(res.Txs) == 0 {
				break
			}
		}
		f.next = h + 1
	}
	ids := make([]string, 0, len(f.follow))
	for id := range f.follow {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := f.refresh(ctx, id); err != nil {
			return err
		}
	}
	if st, err := f.c.RPC.Status(ctx); err == nil {
		f.blockTime = st.SyncInfo.LatestBlockTime.Unix()
	}
	return nil
}

func (f *OrderFeed) refresh(ctx context.Context, id string) error {
	var o market.Order
	if err := f.c.Query(ctx, "/market/order/"+id, &o); err != nil {
		var qe *QueryError
		if errors.As(err, &qe) { // the node answered: no such order (a transport error is retried)
			f.drop(id)
			return nil
		}
		return fmt.Errorf("order feed: reading order %s: %w", id, err)
	}
	switch o.State {
	case market.OrderOpen:
		f.book.Add(&o)
		return nil
	case market.OrderPendingPayment:
		f.book.Remove(id) // may open later
		return nil
	case market.OrderTerminated, market.OrderFailed, market.OrderCancelled:
		f.drop(id)
		return nil
	}
	// Matched and later: still ours while our lease runs.
	f.book.Remove(id)
	if o.LeaseID != "" {
		var l market.Lease
		if err := f.c.Query(ctx, "/market/lease/"+o.LeaseID, &l); err != nil {
			return fmt.Errorf("order feed: reading lease %s: %w", o.LeaseID, err)
		}
		if l.Provider == f.provider && l.State == market.LeaseActive {
			return nil
		}
	}
	f.drop(id)
	return nil
}

func (f *OrderFeed) drop(id string) {
	f.book.Remove(id)
	delete(f.follow, id)
	if f.Release != nil {
		f.Release(id)
	}
}

// OpenOrders implements bidengine.Source over the last Sync.
func (f *OrderFeed) OpenOrders(c market.Category, region string, fn func(*market.Order) error) error {
	return f.book.OpenOrders(c, region, fn)
}

// Open is the number of open orders in the feed.
func (f *OrderFeed) Open() int { return f.book.Len() }

// BlockTime is the latest block's time (Unix seconds) at the last Sync: the clock the market's
// rate limit counts in.
func (f *OrderFeed) BlockTime() int64 { return f.blockTime }

// ProviderOfferings returns provider's active offerings on the node, by id.
func (c *Client) ProviderOfferings(ctx context.Context, provider string) ([]*market.Offering, error) {
	var all []*market.Offering
	if err := c.Query(ctx, "/market/offerings", &all); err != nil {
		return nil, fmt.Errorf("client: reading offerings: %w", err)
	}
	var out []*market.Offering
	for _, o := range all {
		if o.Provider == provider && o.State == market.OfferingActive {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// PlaceBid submits a bid engine's request as a market/bid transaction signed by key (the
// provider) and waits until it is committed.
func (c *Client) PlaceBid(ctx context.Context, key tx.Signer, r market.BidRequest) (*Result, error) {
	if r.Provider != "" && r.Provider != key.PubKey().Address().String() {
		return nil, fmt.Errorf("client: the bid is for provider %s but the key is %s; run the bidder with the provider's key", r.Provider, key.PubKey().Address())
	}
	return c.Submit(ctx, key, &tx.MsgBid{OrderID: r.OrderID, OfferingID: r.OfferingID, MarkupBps: r.MarkupBps})
}
