package market

import (
	"fmt"

	"github.com/virtengine/sdk/settlement"
)

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
