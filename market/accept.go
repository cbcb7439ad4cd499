package market

import "fmt"

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
