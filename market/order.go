package market

import (
	"crypto/ed25519"
	"fmt"

	"github.com/virtengine/sdk/settlement"
)

// OrderRequest is what a customer submits.
type OrderRequest struct {
	ID          string
	Customer    string
	CustomerKey ed25519.PublicKey // countersigns usage records
	EnvKeyID    string            // the customer's envelope key id; Config must be sealed to it
	OfferingID  string            // optional: order from this offering only
	Category    Category
	Region      string
	Resources   []Quantity
	MaxPrice    uint64 // per hour
	Duration    int64  // seconds
	Deposit     uint64 // locked in escrow at creation
	Config      []byte // envelope
}

// OrderCanTransition reports whether the order state machine allows from → to.
func OrderCanTransition(from, to OrderState) bool {
	for _, s := range OrderTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

func (t *txn) moveOrder(o *Order, to OrderState, now int64) error {
	if !OrderCanTransition(o.State, to) {
		return &TransitionError{Kind: "order", ID: o.ID, From: string(o.State), To: string(to)}
	}
	if o.State == OrderOpen {
		if err := t.s.Delete([]byte(openKey(o))); err != nil {
			return err
		}
	}
	if to == OrderOpen {
		if err := t.s.Set([]byte(openKey(o)), []byte{1}); err != nil {
			return err
		}
	}
	o.State, o.UpdatedAt = to, now
	return nil
}

// CreateOrder checks the customer's identity and MFA session against the market's and the chosen
// offering's requirements, checks that Config is an envelope sealed to the customer (and to the
// chosen offering's provider), and creates the order. When the customer's balance covers the deposit
// it is locked in escrow at once and the order is open; otherwise it waits in pending_payment for
// FundOrder.
func (m *Market) CreateOrder(req OrderRequest, now int64) (*Order, error) {
	var out *Order
	err := m.update(func(t *txn) error {
		if err := checkID("order", req.ID); err != nil {
			return err
		}
		if err := checkID("customer", req.Customer); err != nil {
			return err
		}
		if len(req.CustomerKey) != ed25519.PublicKeySize {
			return invalidf("customer key must be a %d-byte Ed25519 public key (it countersigns usage)", ed25519.PublicKeySize)
		}
		if !req.Category.valid() {
			return invalidf("category %q: use compute, storage, gpu or hpc", req.Category)
		}
		if err := checkID("region", req.Region); err != nil {
			return err
		}
		if len(req.Resources) == 0 || len(req.Resources) > MaxResources {
			return invalidf("an order asks for 1..%d resources", MaxResources)
		}
		seen := map[settlement.Resource]bool{}
		for _, q := range req.Resources {
			if q.Resource >= settlement.NumResources || q.Amount == 0 || seen[q.Resource] {
				return invalidf("resource %s: each resource once, with a positive amount", q.Resource)
			}
			seen[q.Resource] = true
		}
		if req.MaxPrice == 0 || req.Duration <= 0 || req.Deposit == 0 {
			return invalidf("an order needs a positive max price, duration and deposit")
		}
		if ok, err := t.exists(pOrd + req.ID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: order %q", ErrExists, req.ID)
		}
		require := m.cfg.Require
		need := []string{req.EnvKeyID}
		if req.OfferingID != "" {
			off, err := t.offering(req.OfferingID)
			if err != nil {
				return err
			}
			if off.State != OfferingActive {
				return fmt.Errorf("%w: offering %q is %s; choose an active offering", ErrNoMatch, off.ID, off.State)
			}
			if err := matchOffering(off, req.Category, req.Region, req.Resources); err != nil {
				return err
			}
			require = require.merge(off.Require)
			need = append(need, off.EnvKeyID)
		}
		if err := m.checkGate(req.Customer, require, ActionCreateOrder, now); err != nil {
			return err
		}
		if req.EnvKeyID == "" {
			return invalidf("the customer's envelope key id is required: the configuration must be readable by its owner")
		}
		if err := m.checkSealed("order configuration", req.Config, need...); err != nil {
			return err
		}
		o := &Order{ID: req.ID, Customer: req.Customer, CustomerKey: append([]byte(nil), req.CustomerKey...),
			EnvKeyID: req.EnvKeyID, OfferingID: req.OfferingID, Category: req.Category, Region: req.Region,
			Resources: append([]Quantity(nil), req.Resources...), MaxPrice: req.MaxPrice, Duration: req.Duration,
			Deposit: req.Deposit, Config: append([]byte(nil), req.Config...), State: OrderPendingPayment,
			CreatedAt: now, UpdatedAt: now}
		bal, err := t.led.Balance(o.Customer)
		if err != nil {
			return err
		}
		if bal >= o.Deposit {
			if err := t.fund(o, now); err != nil {
				return err
			}
		}
		out = o
		return t.put(pOrd+o.ID, o)
	})
	return out, err
}

// fund locks the deposit in an escrow named after the order: pending_payment → open.
func (t *txn) fund(o *Order, now int64) error {
	if err := t.moveOrder(o, OrderOpen, now); err != nil {
		return err
	}
	_, err := t.led.OpenEscrow(settlement.OpenEscrow{ID: o.ID, Customer: o.Customer, CustomerKey: o.CustomerKey, Amount: o.Deposit}, now)
	return err
}

// FundOrder locks the deposit of an order waiting in pending_payment, opening it for bids.
func (m *Market) FundOrder(id, actor string, now int64) (*Order, error) {
	var out *Order
	err := m.update(func(t *txn) error {
		o, err := t.order(id)
		if err != nil {
			return err
		}
		if actor != o.Customer {
			return fmt.Errorf("%w: only the customer funds order %q", ErrNotAuthorized, id)
		}
		if err := t.fund(o, now); err != nil {
			return err
		}
		out = o
		return t.put(pOrd+id, o)
	})
	return out, err
}

// CancelOrder is the customer withdrawing an order that has no lease yet (pending_payment or open):
// open bids lose and the escrow, if funded, is refunded.
func (m *Market) CancelOrder(id, actor string, now int64) (*Order, error) {
	var out *Order
	err := m.update(func(t *txn) error {
		o, err := t.order(id)
		if err != nil {
			return err
		}
		if actor != o.Customer {
			return fmt.Errorf("%w: only the customer cancels order %q", ErrNotAuthorized, id)
		}
		if o.State != OrderPendingPayment && o.State != OrderOpen {
			return &TransitionError{Kind: "order", ID: id, From: string(o.State), To: string(OrderCancelled) + " (close the lease with RequestTermination)"}
		}
		funded := o.State == OrderOpen
		if err := t.moveOrder(o, OrderCancelled, now); err != nil {
			return err
		}
		o.CloseReason = CloseOwner
		if funded {
			if err := t.led.RefundEscrow(o.ID, now); err != nil {
				return err
			}
		}
		if err := t.settleBids(o.ID, "", now); err != nil {
			return err
		}
		out = o
		return t.put(pOrd+id, o)
	})
	return out, err
}
