package market

import (
	"crypto/ed25519"
	"fmt"
	"strconv"

	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
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

// StartProvisioning is the provider acknowledging the lease: matched → provisioning.
func (m *Market) StartProvisioning(id, actor string, now int64) (*Order, error) {
	return m.providerStep(id, actor, OrderMatched, OrderProvisioning, now, nil)
}

// Deployed is the provider reporting the deployment: provisioning → active. result (addresses,
// credentials) must be an envelope sealed to the customer's envelope key.
func (m *Market) Deployed(id, actor string, result []byte, now int64) (*Order, error) {
	return m.providerStep(id, actor, OrderProvisioning, OrderActive, now, func(t *txn, o *Order, l *Lease) error {
		if err := m.checkSealed("deployment result", result, o.EnvKeyID); err != nil {
			return err
		}
		l.Deployment = append([]byte(nil), result...)
		return nil
	})
}

// Fail is the provider reporting that provisioning failed: the lease closes (provider) and the
// escrow is refunded.
func (m *Market) Fail(id, actor string, now int64) (*Order, error) {
	return m.providerStep(id, actor, "", OrderFailed, now, func(t *txn, o *Order, l *Lease) error {
		return t.closeLease(o, l, CloseProvider, now)
	})
}

// Suspend pauses an active order (provider or network, e.g. an escrow running low); Resume
// restarts it.
func (m *Market) Suspend(id, actor string, now int64) (*Order, error) {
	return m.providerStep(id, actor, OrderActive, OrderSuspended, now, nil)
}

// Resume takes a suspended order back to active (provider or network).
func (m *Market) Resume(id, actor string, now int64) (*Order, error) {
	return m.providerStep(id, actor, OrderSuspended, OrderActive, now, nil)
}

// providerStep applies a transition only the lease's provider or the network may make, from the
// state from ("" = any the table allows).
func (m *Market) providerStep(id, actor string, from, to OrderState, now int64, also func(*txn, *Order, *Lease) error) (*Order, error) {
	var out *Order
	err := m.update(func(t *txn) error {
		o, err := t.order(id)
		if err != nil {
			return err
		}
		if o.LeaseID == "" || (from != "" && o.State != from) {
			return &TransitionError{Kind: "order", ID: id, From: string(o.State), To: string(to)}
		}
		l, err := t.lease(o.LeaseID)
		if err != nil {
			return err
		}
		if actor != l.Provider && actor != NetworkActor {
			return fmt.Errorf("%w: only the lease's provider %s or the network may do this", ErrNotAuthorized, l.Provider)
		}
		from = o.State
		if err := t.moveOrder(o, to, now); err != nil {
			return err
		}
		if also != nil {
			if err := also(t, o, l); err != nil {
				return err
			}
		}
		if from == OrderMatched || from == OrderProvisioning {
			if to == OrderActive || to == OrderFailed {
				if err := t.s.Delete([]byte(tmoKey(o.MatchedAt+m.cfg.ProvisionTimeout, o.ID))); err != nil {
					return err
				}
			}
		}
		out = o
		if err := t.put(pLease+l.ID, l); err != nil {
			return err
		}
		return t.put(pOrd+id, o)
	})
	return out, err
}

// RequestTermination asks to end an active or suspended order; the reason is coded from the actor
// (the customer: owner; the provider: provider; NetworkActor: network).
func (m *Market) RequestTermination(id, actor string, now int64) (*Order, error) {
	var out *Order
	err := m.update(func(t *txn) error {
		o, err := t.order(id)
		if err != nil {
			return err
		}
		l, err := t.lease(o.LeaseID)
		if err != nil {
			return &TransitionError{Kind: "order", ID: id, From: string(o.State), To: string(OrderPendingTermination)}
		}
		switch actor {
		case o.Customer:
			o.CloseReason = CloseOwner
		case l.Provider:
			o.CloseReason = CloseProvider
		case NetworkActor:
			o.CloseReason = CloseNetwork
		default:
			return fmt.Errorf("%w: %s is neither the customer, the provider nor the network", ErrNotAuthorized, actor)
		}
		if err := t.moveOrder(o, OrderPendingTermination, now); err != nil {
			return err
		}
		out = o
		return t.put(pOrd+id, o)
	})
	return out, err
}

// Terminate is the provider (or the network) confirming the end of service: pending_termination →
// terminated. The lease closes with the reason recorded at the request, and whatever the escrow
// still holds beyond settled usage goes back to the customer (submit the last usage first, with
// settlement.KindFinal, or it is lost to the provider).
func (m *Market) Terminate(id, actor string, now int64) (*Order, error) {
	return m.providerStep(id, actor, OrderPendingTermination, OrderTerminated, now, func(t *txn, o *Order, l *Lease) error {
		return t.closeLease(o, l, o.CloseReason, now)
	})
}

// closeLease closes the lease and refunds an escrow that has not had its final settlement.
func (t *txn) closeLease(o *Order, l *Lease, reason CloseReason, now int64) error {
	if l.State == LeaseClosed {
		return &TransitionError{Kind: "lease", ID: l.ID, From: string(l.State), To: string(LeaseClosed)}
	}
	l.State, l.ClosedAt, l.CloseReason = LeaseClosed, now, reason
	o.CloseReason = reason
	e, err := t.led.Escrow(o.ID)
	if err != nil {
		return err
	}
	if e.State == settlement.EscrowActive && !e.Final {
		return t.led.RefundEscrow(o.ID, now)
	}
	return nil
}

// Tick runs the market's timed rules at block time now: every matched or provisioning order whose
// lease was made more than the provisioning timeout ago is cancelled, its lease closed (network) and
// its escrow refunded. It returns the cancelled order ids in deadline order.
func (m *Market) Tick(now int64) ([]string, error) {
	var ids []string
	err := m.update(func(t *txn) error {
		var due []string
		if err := t.s.Iterate([]byte(pTmo), func(k, _ []byte) error {
			ks := string(k[len(pTmo):])
			if len(ks) < 22 {
				return fmt.Errorf("market: corrupt deadline key %q", k)
			}
			at, err := strconv.ParseInt(ks[:20], 10, 64)
			if err != nil {
				return fmt.Errorf("market: corrupt deadline key %q", k)
			}
			if at > now {
				return kv.ErrStop
			}
			due = append(due, string(k))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range due {
			id := k[len(pTmo)+21:]
			if err := t.s.Delete([]byte(k)); err != nil {
				return err
			}
			o, err := t.order(id)
			if err != nil {
				return err
			}
			if o.State != OrderMatched && o.State != OrderProvisioning {
				continue
			}
			l, err := t.lease(o.LeaseID)
			if err != nil {
				return err
			}
			if err := t.moveOrder(o, OrderCancelled, now); err != nil {
				return err
			}
			if err := t.closeLease(o, l, CloseNetwork, now); err != nil {
				return err
			}
			if err := t.put(pLease+l.ID, l); err != nil {
				return err
			}
			if err := t.put(pOrd+id, o); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}
