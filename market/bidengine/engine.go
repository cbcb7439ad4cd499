package bidengine

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/settlement"
)

// ErrConfig is wrapped by configuration and price-file errors.
var ErrConfig = errors.New("bidengine: bad configuration")

// Capacity is what a provider can run in one region, per resource, in the orders' whole units.
// A resource absent from Capacity (zero) is not limited (for example network transfer).
type Capacity [settlement.NumResources]uint64

// Config describes the provider.
type Config struct {
	Provider  string
	Offerings []*market.Offering  // the provider's active offerings
	Capacity  map[string]Capacity // per region
	// MaxBidsPerWindow and Window mirror the market's rate limit; zero means the market defaults.
	MaxBidsPerWindow int
	Window           int64
}

// Source lists open orders; *market.Market, *Book and node/client's OrderFeed implement it.
type Source interface {
	OpenOrders(category market.Category, region string, fn func(*market.Order) error) error
}

// Skip reasons, counted in Stats.
const (
	SkipAlreadyBid = iota
	SkipNoPrice
	SkipCapacity
	SkipAboveMax
	SkipBelowMin
	SkipRateLimit
	SkipOwnOrder
	numSkips
)

// Stats counts decisions since the engine started.
type Stats struct {
	Seen, Bids int64
	Skipped    [numSkips]int64
}

type reservation struct {
	region string
	amount Capacity
}

// Engine decides which orders to bid on. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	prices atomic.Pointer[Prices]

	mu       sync.Mutex
	used     map[string]Capacity    // reserved per region
	reserved map[string]reservation // by order id
	winStart int64
	winCount int
	stats    Stats
}

// New returns an engine for cfg with the initial prices.
func New(cfg Config, p Prices) (*Engine, error) {
	if cfg.Provider == "" || len(cfg.Offerings) == 0 {
		return nil, fmt.Errorf("%w: a provider and at least one offering are needed", ErrConfig)
	}
	for _, o := range cfg.Offerings {
		if o.Provider != cfg.Provider {
			return nil, fmt.Errorf("%w: offering %q belongs to %s, not %s", ErrConfig, o.ID, o.Provider, cfg.Provider)
		}
	}
	if cfg.MaxBidsPerWindow <= 0 {
		cfg.MaxBidsPerWindow = market.MaxBidsPerWindow
	}
	if cfg.Window <= 0 {
		cfg.Window = market.BidRateWindow
	}
	e := &Engine{cfg: cfg, used: map[string]Capacity{}, reserved: map[string]reservation{}}
	if err := e.SetPrices(p); err != nil {
		return nil, err
	}
	return e, nil
}

// SkipReason names a skip reason for logs; it says what would change the decision.
func SkipReason(skip int) string {
	switch skip {
	case SkipAlreadyBid:
		return "already bid on this order"
	case SkipNoPrice:
		return "no active offering of this provider serves the order's category and region at a valid quote"
	case SkipCapacity:
		return "not enough free capacity in the region (raise --capacity or wait for leases to end)"
	case SkipAboveMax:
		return "the formula's price is above the order's maximum (lower the markup in the prices file)"
	case SkipBelowMin:
		return "the formula's price is below the offering's minimum bid (raise the markup)"
	case SkipRateLimit:
		return "the market's bid rate limit is reached for this window; retried in the next one"
	case SkipOwnOrder:
		return "the order is the provider's own"
	}
	return "unknown"
}

// Decision is the engine's verdict on one order: a bid (Request, at Price per hour, never above
// MaxPrice) or a skip with its reason.
type Decision struct {
	OrderID  string
	Bid      bool
	Request  market.BidRequest // when Bid
	Price    uint64            // when Bid: the formula's price per hour
	MaxPrice uint64            // the order's maximum
	Skip     int               // when not Bid: a Skip… constant
}

// Decide says whether to bid on one order and with what request; skip is the reason when it does
// not. A positive decision reserves the order's resources; call Lost or Closed to release them.
func (e *Engine) Decide(o *market.Order, now int64) (req market.BidRequest, ok bool, skip int) {
	d := e.Evaluate(o, now)
	return d.Request, d.Bid, d.Skip
}

// Evaluate is Decide with the quoted price, for logs. A bid reserves the order's resources.
func (e *Engine) Evaluate(o *market.Order, now int64) Decision {
	e.mu.Lock()
	defer e.mu.Unlock()
	req, price, ok, skip := e.decide(o, now)
	return Decision{OrderID: o.ID, Bid: ok, Request: req, Price: price, MaxPrice: o.MaxPrice, Skip: skip}
}

func (e *Engine) decide(o *market.Order, now int64) (market.BidRequest, uint64, bool, int) {
	e.stats.Seen++
	if _, dup := e.reserved[o.ID]; dup {
		return e.skip(SkipAlreadyBid)
	}
	if o.Customer == e.cfg.Provider {
		return e.skip(SkipOwnOrder)
	}
	p := e.prices.Load()
	best, bestPrice, reason := (*market.Offering)(nil), uint64(0), SkipNoPrice
	for _, off := range e.cfg.Offerings {
		if off.Category != o.Category || !serves(off, o.Region) || (o.OfferingID != "" && o.OfferingID != off.ID) {
			continue
		}
		price, _, err := market.Quote(off, o, p.markup(o.Category))
		if err != nil {
			continue
		}
		switch {
		case price > o.MaxPrice:
			reason = SkipAboveMax
		case price < off.MinBid:
			reason = SkipBelowMin
		case best == nil || price < bestPrice:
			best, bestPrice = off, price
		}
	}
	if best == nil {
		return e.skip(reason)
	}
	capa, limited := e.cfg.Capacity[o.Region]
	used := e.used[o.Region]
	var need Capacity
	for _, q := range o.Resources {
		need[q.Resource] = q.Amount
		// used ≤ capa holds for limited resources; compare with the room left so a huge amount
		// cannot wrap used+amount around to a small number.
		if limited && capa[q.Resource] > 0 && (used[q.Resource] > capa[q.Resource] || q.Amount > capa[q.Resource]-used[q.Resource]) {
			return e.skip(SkipCapacity)
		}
	}
	if !limited {
		return e.skip(SkipCapacity)
	}
	start := now - now%e.cfg.Window
	if start != e.winStart {
		e.winStart, e.winCount = start, 0
	}
	if e.winCount >= e.cfg.MaxBidsPerWindow {
		return e.skip(SkipRateLimit)
	}
	e.winCount++
	for r, n := range need {
		used[r] += n
	}
	e.used[o.Region] = used
	e.reserved[o.ID] = reservation{region: o.Region, amount: need}
	e.stats.Bids++
	return market.BidRequest{OrderID: o.ID, OfferingID: best.ID, Provider: e.cfg.Provider, MarkupBps: p.markup(o.Category)}, bestPrice, true, -1
}

func (e *Engine) skip(reason int) (market.BidRequest, uint64, bool, int) {
	e.stats.Skipped[reason]++
	return market.BidRequest{}, 0, false, reason
}

func serves(off *market.Offering, region string) bool {
	for _, r := range off.Regions {
		if r == region {
			return true
		}
	}
	return false
}

// Scan walks the open orders of every category and region the provider's offerings serve, in the
// source's order, and returns the bids to place. Each returned bid has reserved its capacity.
func (e *Engine) Scan(src Source, now int64) ([]market.BidRequest, error) {
	var out []market.BidRequest
	err := e.ScanFunc(src, now, func(d Decision) {
		if d.Bid {
			out = append(out, d.Request)
		}
	})
	return out, err
}

// ScanFunc is Scan reporting every decision, bids and skips, to fn in the source's order.
func (e *Engine) ScanFunc(src Source, now int64, fn func(Decision)) error {
	type cr struct {
		c market.Category
		r string
	}
	var seen []cr
	for _, off := range e.cfg.Offerings {
		for _, r := range off.Regions {
			k := cr{off.Category, r}
			dup := false
			for _, s := range seen {
				if s == k {
					dup = true
				}
			}
			if dup {
				continue
			}
			seen = append(seen, k)
			err := src.OpenOrders(k.c, k.r, func(o *market.Order) error {
				fn(e.Evaluate(o, now))
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Lost releases the capacity reserved for an order whose bid lost, was refused or withdrawn.
func (e *Engine) Lost(orderID string) { e.release(orderID) }

// Closed releases the capacity of an order whose lease ended.
func (e *Engine) Closed(orderID string) { e.release(orderID) }

func (e *Engine) release(orderID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.reserved[orderID]
	if !ok {
		return
	}
	u := e.used[r.region]
	for i, n := range r.amount {
		u[i] -= n
	}
	e.used[r.region] = u
	delete(e.reserved, orderID)
}

// Used returns the capacity reserved in a region.
func (e *Engine) Used(region string) Capacity {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.used[region]
}

// Stats returns the decision counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}
