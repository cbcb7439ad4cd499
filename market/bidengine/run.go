package bidengine

import (
	"context"
	"fmt"
	"time"

	"github.com/virtengine/sdk/market"
)

// Run watches src: every interval it scans for orders to bid on and hands each bid to place (which
// submits it, e.g. as a transaction). A bid place refuses releases its capacity. now gives the
// block time the engine reasons in. Run returns ctx's error when ctx ends.
func (e *Engine) Run(ctx context.Context, src Source, interval time.Duration, now func() int64, place func(market.BidRequest) error) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		reqs, err := e.Scan(src, now())
		if err != nil {
			return err
		}
		for _, r := range reqs {
			if err := place(r); err != nil {
				e.Lost(r.OrderID)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Event is one thing a Runner did, for its log. It carries order and offering ids and prices only,
// never customers' data.
type Event struct {
	Kind       string // EventBid, EventSkip, EventRefused, EventPrices, EventPricesKept, EventSourceError
	OrderID    string
	OfferingID string
	Price      uint64 // bid: the formula's price per hour
	MaxPrice   uint64 // the order's maximum
	MarkupBps  uint64
	Reason     string // skip, refusal or error: what happened and what to do
}

// Event kinds.
const (
	EventBid         = "bid"
	EventSkip        = "skip"
	EventRefused     = "refused"      // the market refused a bid; its capacity was released
	EventPrices      = "prices"       // a new prices file is in force
	EventPricesKept  = "prices_kept"  // the prices file is unusable; the old prices stay
	EventSourceError = "source_error" // the source could not be refreshed; retried next interval
)

// Runner drives an engine against a live source (a node): every Interval it reloads the prices
// file if it changed, refreshes the source, decides on every open order and places the bids. It
// logs every decision; a skip is logged again only when its reason changes. Errors from the source
// or from placing are logged and retried, so a runner keeps going until its context ends.
type Runner struct {
	Engine   *Engine
	Source   Source
	Refresh  func(ctx context.Context) error // optional: brings Source up to date before a scan
	Now      func() int64                    // block time the engine reasons in
	Place    func(ctx context.Context, r market.BidRequest) error
	Prices   *PriceFile      // optional: checked before every scan
	Reload   <-chan struct{} // optional: forces a prices reload (e.g. on SIGHUP)
	Interval time.Duration
	Log      func(Event)

	lastSkip map[string]string
}

// Run runs until ctx ends and returns ctx's error.
func (r *Runner) Run(ctx context.Context) error {
	if r.Engine == nil || r.Source == nil || r.Now == nil || r.Place == nil {
		return fmt.Errorf("%w: a runner needs an engine, a source, a clock and a way to place bids", ErrConfig)
	}
	if r.Interval <= 0 {
		r.Interval = time.Second
	}
	if r.Log == nil {
		r.Log = func(Event) {}
	}
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	force := false
	for {
		r.Step(ctx, force)
		force = false
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.Reload:
			force = true
		case <-t.C:
		}
	}
}

// Step is one round of Run: prices, refresh, decisions, bids. force reloads the prices file even
// if it looks unchanged.
func (r *Runner) Step(ctx context.Context, force bool) {
	if r.Prices != nil {
		changed, err := r.Prices.Check(r.Engine, force)
		switch {
		case err != nil:
			r.Log(Event{Kind: EventPricesKept, Reason: err.Error()})
		case changed:
			p := r.Engine.Prices()
			r.Log(Event{Kind: EventPrices, MarkupBps: p.DefaultMarkupBps, Reason: "prices reloaded from " + r.Prices.Path})
		}
	}
	if r.Refresh != nil {
		if err := r.Refresh(ctx); err != nil {
			r.Log(Event{Kind: EventSourceError, Reason: err.Error() + " (retrying next interval)"})
			return
		}
	}
	var bids []Decision
	seen := map[string]string{}
	err := r.Engine.ScanFunc(r.Source, r.Now(), func(d Decision) {
		if d.Bid {
			bids = append(bids, d)
			return
		}
		reason := SkipReason(d.Skip)
		seen[d.OrderID] = reason
		if r.lastSkip[d.OrderID] != reason {
			r.Log(Event{Kind: EventSkip, OrderID: d.OrderID, MaxPrice: d.MaxPrice, Reason: reason})
		}
	})
	r.lastSkip = seen // forget orders that left the book
	if err != nil {
		r.Log(Event{Kind: EventSourceError, Reason: err.Error() + " (retrying next interval)"})
	}
	for _, d := range bids {
		if err := r.Place(ctx, d.Request); err != nil {
			r.Engine.Lost(d.OrderID)
			r.Log(Event{Kind: EventRefused, OrderID: d.OrderID, OfferingID: d.Request.OfferingID, Price: d.Price, MaxPrice: d.MaxPrice,
				MarkupBps: d.Request.MarkupBps, Reason: err.Error() + " (capacity released; retried next interval)"})
			continue
		}
		r.lastSkip[d.OrderID] = SkipReason(SkipAlreadyBid) // the bid event says it already
		r.Log(Event{Kind: EventBid, OrderID: d.OrderID, OfferingID: d.Request.OfferingID, Price: d.Price, MaxPrice: d.MaxPrice, MarkupBps: d.Request.MarkupBps})
	}
}
