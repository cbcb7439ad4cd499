package market

import (
	"encoding/json"
	"fmt"
)

// BidRequest is a provider's bid on an order from one of its offerings.
type BidRequest struct {
	OrderID    string
	OfferingID string
	Provider   string // must own the offering
	MarkupBps  uint64
}

// PlaceBid bids on an open order. Refused: an offering that is not active or does not match the
// order (category, region, resources), a customer who does not meet the offering's requirements, a
// price below the offering's minimum or above the order's maximum (*PriceError), a second open bid
// by the same provider, and more than the rate limit of bids per window (ErrRateLimited).
func (m *Market) PlaceBid(req BidRequest, now int64) (*Bid, error) {
	var out *Bid
	err := m.update(func(t *txn) error {
		off, err := t.offering(req.OfferingID)
		if err != nil {
			return err
		}
		if req.Provider != off.Provider {
			return fmt.Errorf("%w: %s does not own offering %q", ErrNotAuthorized, req.Provider, off.ID)
		}
		if off.State != OfferingActive {
			return fmt.Errorf("%w: offering %q is %s; only active offerings bid", ErrNoMatch, off.ID, off.State)
		}
		o, err := t.order(req.OrderID)
		if err != nil {
			return err
		}
		if o.State != OrderOpen {
			return &TransitionError{Kind: "order", ID: o.ID, From: string(o.State), To: "bid on (only open orders take bids)"}
		}
		if o.OfferingID != "" && o.OfferingID != off.ID {
			return fmt.Errorf("%w: order %q is for offering %q only", ErrNoMatch, o.ID, o.OfferingID)
		}
		if o.Customer == off.Provider {
			return fmt.Errorf("%w: a provider cannot bid on its own order", ErrNotAuthorized)
		}
		if err := matchOffering(off, o.Category, o.Region, o.Resources); err != nil {
			return err
		}
		if err := m.checkGate(o.Customer, withoutMFA(off.Require), ActionCreateOrder, now); err != nil {
			return err
		}
		price, units, err := Quote(off, o, req.MarkupBps)
		if err != nil {
			return err
		}
		if price < off.MinBid || price > o.MaxPrice {
			return &PriceError{Price: price, Min: off.MinBid, Max: o.MaxPrice}
		}
		key := pBid + o.ID + "/" + off.Provider
		if ok, err := t.exists(key); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: %s already bid on order %q (withdraw it to bid again)", ErrExists, off.Provider, o.ID)
		}
		if err := m.rateLimit(t, off.Provider, now); err != nil {
			return err
		}
		out = &Bid{ID: o.ID + "." + off.Provider, OrderID: o.ID, OfferingID: off.ID, Provider: off.Provider,
			MarkupBps: req.MarkupBps, Price: price, UnitPrices: units, State: BidOpen, CreatedAt: now}
		return t.put(key, out)
	})
	return out, err
}

// withoutMFA drops the MFA requirement: it was checked when the customer created the order, and
// the customer is not the one acting at bid time.
func withoutMFA(r Requirements) Requirements { r.MFA = false; return r }

type rateWindow struct {
	Start int64 `json:"start"`
	Count int   `json:"count"`
}

// rateLimit counts a bid in the provider's fixed window and refuses it beyond the limit.
func (m *Market) rateLimit(t *txn, provider string, now int64) error {
	var w rateWindow
	if b, ok, err := t.s.Get([]byte(pRate + provider)); err != nil {
		return err
	} else if ok {
		if err := json.Unmarshal(b, &w); err != nil {
			return fmt.Errorf("market: stored rate window of %s is corrupt: %v", provider, err)
		}
	}
	start := now - now%m.cfg.BidRateWindow
	if w.Start != start {
		w = rateWindow{Start: start}
	}
	if w.Count >= m.cfg.MaxBidsPerWindow {
		return fmt.Errorf("%w: %s placed %d bids in the window from %d; wait until %d", ErrRateLimited, provider, w.Count, start, start+m.cfg.BidRateWindow)
	}
	w.Count++
	return t.put(pRate+provider, &w)
}

// WithdrawBid withdraws a provider's open bid.
func (m *Market) WithdrawBid(orderID, provider string, now int64) error {
	return m.update(func(t *txn) error {
		b, err := t.bid(orderID, provider)
		if err != nil {
			return err
		}
		if b.State != BidOpen {
			return &TransitionError{Kind: "bid", ID: b.ID, From: string(b.State), To: string(BidWithdrawn)}
		}
		b.State = BidWithdrawn
		return t.put(pBid+orderID+"/"+provider, b)
	})
}

// settleBids marks every open bid on an order lost, except the winner's.
func (t *txn) settleBids(orderID, winner string, now int64) error {
	bids, err := t.bids(orderID)
	if err != nil {
		return err
	}
	for _, b := range bids {
		if b.State != BidOpen || b.Provider == winner {
			continue
		}
		b.State = BidLost
		if err := t.put(pBid+orderID+"/"+b.Provider, b); err != nil {
			return err
		}
	}
	return nil
}
