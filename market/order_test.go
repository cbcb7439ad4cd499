package market

import (
	"errors"
	"fmt"
	"testing"

	"github.com/virtengine/sdk/settlement"
)

// reach drives a fresh order "ord-1" into state s through the public API.
func reach(t *testing.T, s OrderState) *env {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{})
	req := e.orderReq("ord-1")
	if s == OrderPendingPayment {
		req.Deposit = 20_000_000
	}
	_, err := e.m.CreateOrder(req, t0)
	must(t, err)
	if s == OrderPendingPayment {
		must(t, e.l.Mint("alice", 20_000_000))
		return e
	}
	step := func(err error) { t.Helper(); must(t, err) }
	path := map[OrderState][]func(){
		OrderCancelled:          {func() { _, err := e.m.CancelOrder("ord-1", "alice", t0+1); step(err) }},
		OrderMatched:            {e.bidAccept},
		OrderProvisioning:       {e.bidAccept, e.provision},
		OrderActive:             {e.bidAccept, e.provision, e.deploy},
		OrderFailed:             {e.bidAccept, e.provision, func() { _, err := e.m.Fail("ord-1", "prov", t0+3); step(err) }},
		OrderSuspended:          {e.bidAccept, e.provision, e.deploy, func() { _, err := e.m.Suspend("ord-1", "prov", t0+4); step(err) }},
		OrderPendingTermination: {e.bidAccept, e.provision, e.deploy, e.terminate},
		OrderTerminated:         {e.bidAccept, e.provision, e.deploy, e.terminate, func() { _, err := e.m.Terminate("ord-1", "prov", t0+6); step(err) }},
	}
	for _, f := range path[s] {
		f()
	}
	if o, _ := e.m.Order("ord-1"); o.State != s {
		t.Fatalf("reached %s, want %s", o.State, s)
	}
	return e
}

func (e *env) bidAccept() {
	b, err := e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, t0+1)
	must(e.t, err)
	_, err = e.m.AcceptBid("ord-1", b.ID, "alice", nil, t0+1)
	must(e.t, err)
}
func (e *env) provision() { _, err := e.m.StartProvisioning("ord-1", "prov", t0+2); must(e.t, err) }
func (e *env) deploy() {
	_, err := e.m.Deployed("ord-1", "prov", seal(e.t, "c", "alice"), t0+3)
	must(e.t, err)
}
func (e *env) terminate() { _, err := e.m.RequestTermination("ord-1", "alice", t0+5); must(e.t, err) }

// apply tries to move ord-1 to state to with the operation that does so.
func (e *env) apply(to OrderState) error {
	o, _ := e.m.Order("ord-1")
	now := t0 + 100
	var err error
	switch to {
	case OrderPendingPayment:
		return &TransitionError{Kind: "order", From: string(o.State), To: string(to)} // only creation makes it
	case OrderOpen:
		_, err = e.m.FundOrder("ord-1", "alice", now)
	case OrderMatched:
		b, berr := e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, now)
		if berr != nil {
			return berr
		}
		_, err = e.m.AcceptBid("ord-1", b.ID, "alice", nil, now)
	case OrderProvisioning:
		_, err = e.m.StartProvisioning("ord-1", "prov", now)
	case OrderActive:
		if o.State == OrderSuspended {
			_, err = e.m.Resume("ord-1", "prov", now)
		} else {
			_, err = e.m.Deployed("ord-1", "prov", seal(e.t, "c", "alice"), now)
		}
	case OrderSuspended:
		_, err = e.m.Suspend("ord-1", "prov", now)
	case OrderPendingTermination:
		_, err = e.m.RequestTermination("ord-1", "alice", now)
	case OrderTerminated:
		_, err = e.m.Terminate("ord-1", "prov", now)
	case OrderFailed:
		_, err = e.m.Fail("ord-1", "prov", now)
	case OrderCancelled:
		if o.State == OrderMatched || o.State == OrderProvisioning {
			ids, terr := e.m.Tick(o.MatchedAt + ProvisionTimeout)
			if terr == nil && len(ids) != 1 {
				terr = fmt.Errorf("tick cancelled %v", ids)
			}
			err = terr
		} else {
			_, err = e.m.CancelOrder("ord-1", "alice", now)
		}
	}
	return err
}

// Every pair of order states: the API allows exactly the transitions of the table, refuses the
// rest with ErrBadTransition, and the ledger stays consistent either way.
func TestOrderEveryTransition(t *testing.T) {
	for _, from := range AllOrderStates {
		for _, to := range AllOrderStates {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				e := reach(t, from)
				err := e.apply(to)
				legal := OrderCanTransition(from, to)
				if legal && err != nil {
					t.Fatalf("legal transition refused: %v", err)
				}
				if !legal && !errors.Is(err, ErrBadTransition) && !errors.Is(err, ErrNotFound) {
					t.Fatalf("illegal transition: got %v, want ErrBadTransition", err)
				}
				o, _ := e.m.Order("ord-1")
				if legal && o.State != to || !legal && o.State != from {
					t.Fatalf("state %s after %s → %s (err %v)", o.State, from, to, err)
				}
				e.check()
			})
		}
	}
}

func TestProvisioningTimeoutRefunds(t *testing.T) {
	for _, s := range []OrderState{OrderMatched, OrderProvisioning} {
		e := reach(t, s)
		o, _ := e.m.Order("ord-1")
		ids, err := e.m.Tick(o.MatchedAt + ProvisionTimeout - 1)
		must(t, err)
		if len(ids) != 0 {
			t.Fatalf("cancelled before the timeout: %v", ids)
		}
		ids, err = e.m.Tick(o.MatchedAt + ProvisionTimeout)
		must(t, err)
		if len(ids) != 1 {
			t.Fatalf("%s: not cancelled at the timeout", s)
		}
		o, _ = e.m.Order("ord-1")
		l, _ := e.m.Lease("ord-1")
		esc, _ := e.l.Escrow("ord-1")
		if o.State != OrderCancelled || l.CloseReason != CloseNetwork || esc.State != settlement.EscrowRefunded {
			t.Fatalf("%s: order %s, lease reason %s, escrow %s", s, o.State, l.CloseReason, esc.State)
		}
		if bal, _ := e.l.Balance("alice"); bal != 10_000_000 {
			t.Fatalf("refund missing: %d", bal)
		}
		e.check()
	}
	// An order deployed in time is not touched by a later tick.
	e := reach(t, OrderActive)
	ids, err := e.m.Tick(t0 + 10*ProvisionTimeout)
	must(t, err)
	if len(ids) != 0 {
		t.Fatal("active order cancelled")
	}
}

func TestOnlyPartiesAct(t *testing.T) {
	e := reach(t, OrderActive)
	_, err := e.m.Suspend("ord-1", "mallory", t0+10)
	wantErr(t, err, ErrNotAuthorized)
	_, err = e.m.RequestTermination("ord-1", "mallory", t0+10)
	wantErr(t, err, ErrNotAuthorized)
	_, err = e.m.Suspend("ord-1", NetworkActor, t0+10)
	must(t, err)
	o, err := e.m.RequestTermination("ord-1", "prov", t0+11)
	must(t, err)
	if o.CloseReason != CloseProvider {
		t.Fatal(o.CloseReason)
	}
	e2 := reach(t, OrderOpen)
	_, err = e2.m.CancelOrder("ord-1", "prov", t0+10)
	wantErr(t, err, ErrNotAuthorized)
	b, err := e2.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, t0+10)
	must(t, err)
	_, err = e2.m.AcceptBid("ord-1", b.ID, "prov", nil, t0+10)
	wantErr(t, err, ErrNotAuthorized)
}
