package market

import (
	"encoding/json"
	"fmt"
	"math/bits"

	"github.com/virtengine/sdk/settlement"
)

// matchOffering checks that an offering can serve an order: same category, the order's region, a
// price for every resource asked.
func matchOffering(off *Offering, cat Category, region string, res []Quantity) error {
	if off.Category != cat {
		return fmt.Errorf("%w: offering %q sells %s, the order wants %s", ErrNoMatch, off.ID, off.Category, cat)
	}
	inRegion := false
	for _, r := range off.Regions {
		if r == region {
			inRegion = true
			break
		}
	}
	if !inRegion {
		return fmt.Errorf("%w: offering %q does not serve region %s", ErrNoMatch, off.ID, region)
	}
	for _, q := range res {
		if _, ok := priceOf(off, q.Resource); !ok {
			return fmt.Errorf("%w: offering %q has no price for %s", ErrNoMatch, off.ID, q.Resource)
		}
	}
	return nil
}

func priceOf(off *Offering, r settlement.Resource) (UnitPrice, bool) {
	for _, p := range off.Prices {
		if p.Resource == r {
			return p, true
		}
	}
	return UnitPrice{}, false
}

// Quote prices an order from an offering (FEATURES.md §6.3): price = Σ unit price × quantity ×
// (1 + markup), as an hourly rate in the smallest unit. Hourly prices count as they are, monthly
// ones divided by HoursPerMonth, fixed ones spread over the order's duration (rounded up to whole
// hours); usage prices are metered and add nothing to the rate. Each hourly-equivalent term is
// rounded half to even, and the markup (basis points) is applied to the sum with truncation.
// It also returns the marked-up unit price of every resource, the ceiling for usage records: per
// unit-hour for hourly and monthly prices (monthly ÷ HoursPerMonth), per metered unit for usage.
func Quote(off *Offering, o *Order, markupBps uint64) (price uint64, units [settlement.NumResources]uint64, err error) {
	if markupBps > MaxMarkupBps {
		return 0, units, invalidf("markup %d bp exceeds %d", markupBps, MaxMarkupBps)
	}
	hours := uint64((o.Duration + 3599) / 3600)
	var base uint64
	for _, q := range o.Resources {
		p, ok := priceOf(off, q.Resource)
		if !ok {
			return 0, units, fmt.Errorf("%w: offering %q has no price for %s", ErrNoMatch, off.ID, q.Resource)
		}
		var term uint64
		var okm bool
		switch p.Unit {
		case Hourly:
			term, okm = settlement.MulDivHalfEven(p.Price, q.Amount, 1)
		case Monthly:
			term, okm = settlement.MulDivHalfEven(p.Price, q.Amount, HoursPerMonth)
		case Fixed:
			term, okm = settlement.MulDivHalfEven(p.Price, q.Amount, max(hours, 1))
		case Usage:
			okm = true
		}
		if !okm {
			return 0, units, invalidf("price of %s overflows", q.Resource)
		}
		if base+term < base {
			return 0, units, invalidf("price overflows")
		}
		base += term
		unit := p.Price // per unit-hour, per metered unit, or once
		if p.Unit == Monthly {
			unit, _ = settlement.MulDivHalfEven(p.Price, 1, HoursPerMonth)
		}
		mu, ok2 := settlement.MulDivHalfEven(unit, settlement.BasisPoints+markupBps, settlement.BasisPoints)
		if !ok2 {
			return 0, units, invalidf("unit price of %s overflows", q.Resource)
		}
		units[q.Resource] = mu
	}
	hi, ok := mulDivFloor(base, settlement.BasisPoints+markupBps, settlement.BasisPoints)
	if !ok {
		return 0, units, invalidf("price overflows")
	}
	return hi, units, nil
}

func mulDivFloor(a, b, d uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	if hi >= d {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, d)
	return q, true
}

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

// AcceptBid is the customer choosing a bid: the order is matched, the lease records the price, the
// other bids lose, and the escrow is bound to the provider's usage key. The configuration must be
// sealed to the winning provider's envelope key; if it is not, pass a re-sealed (or rewrapped)
// configuration in config (nil keeps the current one). The provider then has the provisioning
// timeout to deploy.
func (m *Market) AcceptBid(orderID, bidID, actor string, config []byte, now int64) (*Lease, error) {
	var out *Lease
	err := m.update(func(t *txn) error {
		o, err := t.order(orderID)
		if err != nil {
			return err
		}
		if actor != o.Customer {
			return fmt.Errorf("%w: only the customer accepts bids on order %q", ErrNotAuthorized, orderID)
		}
		if o.OfferingID != "" {
			off, err := t.offering(o.OfferingID)
			if err != nil {
				return err
			}
			if off.Require.MFA || m.cfg.Require.MFA {
				if err := m.checkGate(actor, Requirements{MFA: true}, ActionAcceptBid, now); err != nil {
					return err
				}
			}
		} else if m.cfg.Require.MFA {
			if err := m.checkGate(actor, Requirements{MFA: true}, ActionAcceptBid, now); err != nil {
				return err
			}
		}
		out, err = m.accept(t, o, bidID, config, now)
		return err
	})
	return out, err
}

func (m *Market) accept(t *txn, o *Order, bidID string, config []byte, now int64) (*Lease, error) {
	if o.State != OrderOpen {
		return nil, &TransitionError{Kind: "order", ID: o.ID, From: string(o.State), To: string(OrderMatched)}
	}
	provider := ""
	if len(bidID) > len(o.ID)+1 && bidID[:len(o.ID)+1] == o.ID+"." {
		provider = bidID[len(o.ID)+1:]
	}
	if provider == "" {
		return nil, fmt.Errorf("%w: bid %q is not a bid on order %q", ErrNotFound, bidID, o.ID)
	}
	b, err := t.bid(o.ID, provider)
	if err != nil {
		return nil, err
	}
	if b.State != BidOpen {
		return nil, &TransitionError{Kind: "bid", ID: b.ID, From: string(b.State), To: string(BidAccepted)}
	}
	off, err := t.offering(b.OfferingID)
	if err != nil {
		return nil, err
	}
	if off.State != OfferingActive {
		return nil, fmt.Errorf("%w: offering %q became %s after bidding", ErrNoMatch, off.ID, off.State)
	}
	if config != nil {
		o.Config = append([]byte(nil), config...)
	}
	if err := m.checkSealed("order configuration", o.Config, o.EnvKeyID, off.EnvKeyID); err != nil {
		return nil, err
	}
	if err := t.moveOrder(o, OrderMatched, now); err != nil {
		return nil, err
	}
	b.State = BidAccepted
	if err := t.put(pBid+o.ID+"/"+provider, b); err != nil {
		return nil, err
	}
	if err := t.settleBids(o.ID, provider, now); err != nil {
		return nil, err
	}
	if err := t.led.ActivateEscrow(o.ID, b.Provider, off.ProviderKey, now); err != nil {
		return nil, err
	}
	l := &Lease{ID: o.ID, OrderID: o.ID, BidID: b.ID, Provider: b.Provider, Customer: o.Customer, Price: b.Price,
		UnitPrices: b.UnitPrices, State: LeaseActive, CreatedAt: now}
	o.LeaseID, o.MatchedAt = l.ID, now
	if err := t.put(pLease+l.ID, l); err != nil {
		return nil, err
	}
	if err := t.s.Set([]byte(tmoKey(now+m.cfg.ProvisionTimeout, o.ID)), []byte{1}); err != nil {
		return nil, err
	}
	return l, t.put(pOrd+o.ID, o)
}

// Auction accepts the best open bid on an order by the auction rule: lowest price, then earliest,
// then lowest provider id. It is how orders without a customer decision are matched; it is refused
// when the configuration is not sealed to the winner (the customer must re-seal and accept).
func (m *Market) Auction(orderID string, now int64) (*Lease, error) {
	var out *Lease
	err := m.update(func(t *txn) error {
		o, err := t.order(orderID)
		if err != nil {
			return err
		}
		bids, err := t.bids(orderID)
		if err != nil {
			return err
		}
		var best *Bid
		for _, b := range bids { // provider order: ties on price and time go to the lowest id
			if b.State != BidOpen {
				continue
			}
			if best == nil || b.Price < best.Price || (b.Price == best.Price && b.CreatedAt < best.CreatedAt) {
				best = b
			}
		}
		if best == nil {
			return fmt.Errorf("%w: no open bid on order %q", ErrNotFound, orderID)
		}
		out, err = m.accept(t, o, best.ID, nil, now)
		return err
	})
	return out, err
}
