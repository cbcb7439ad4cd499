package market

import (
	"testing"

	"github.com/virtengine/sdk/settlement"
)

// The whole flow of the issue: offer → order → bid → lease → usage → settle → invoice → payout.
func TestFullFlow(t *testing.T) {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{MinScore: 70, MFA: true})
	o, err := e.m.CreateOrder(e.orderReq("ord-1"), t0)
	must(t, err)
	if o.State != OrderOpen {
		t.Fatalf("funded order is %s", o.State)
	}
	if esc, _ := e.l.Escrow("ord-1"); esc.State != settlement.EscrowPending || esc.Deposit != 1_000_000 {
		t.Fatalf("escrow %+v", esc)
	}
	// 4 cores × 1000 + 16 GB × 7300/730 = 4000 + 160 = 4160; +10% = 4576.
	b, err := e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov", MarkupBps: 1000}, t0+10)
	must(t, err)
	if b.Price != 4576 || b.UnitPrices[settlement.CPU] != 1100 {
		t.Fatalf("bid %+v", b)
	}
	l, err := e.m.AcceptBid("ord-1", b.ID, "alice", nil, t0+20)
	must(t, err)
	if l.Price != 4576 || l.Provider != "prov" {
		t.Fatalf("lease %+v", l)
	}
	_, err = e.m.StartProvisioning("ord-1", "prov", t0+30)
	must(t, err)
	o, err = e.m.Deployed("ord-1", "prov", seal(t, "ssh root@10.0.0.7", "alice"), t0+60)
	must(t, err)
	if o.State != OrderActive {
		t.Fatal(o.State)
	}
	// One hour of 4 cores at the lease's price, signed by both sides.
	r := settlement.UsageRecord{ChainID: "t", EscrowID: "ord-1", Seq: 1, Provider: "prov", Customer: "alice",
		PeriodStart: t0 + 60, PeriodEnd: t0 + 3660, Kind: settlement.KindFinal}
	r.Quantities[settlement.CPU], r.UnitPrices[settlement.CPU] = 4000, 1100
	su, err := settlement.SignUsage(r, sigKey("prov"))
	must(t, err)
	must(t, su.Countersign(sigKey("alice")))
	s, err := e.m.SubmitUsage(su, t0+3660)
	must(t, err)
	if s.Split != (settlement.Split{Gross: 4400, Platform: 220, Validator: 44, Provider: 4136}) {
		t.Fatalf("split %+v", s.Split)
	}
	_, err = e.m.RequestTermination("ord-1", "alice", t0+3700)
	must(t, err)
	o, err = e.m.Terminate("ord-1", "prov", t0+3710)
	must(t, err)
	if o.State != OrderTerminated || o.CloseReason != CloseOwner {
		t.Fatalf("order %+v", o)
	}
	if l, _ := e.m.Lease("ord-1"); l.State != LeaseClosed || l.CloseReason != CloseOwner {
		t.Fatalf("lease %+v", l)
	}
	inv, err := e.l.CreateInvoice(settlement.InvoiceRequest{ID: "inv-1", EscrowID: "ord-1", PeriodStart: t0, PeriodEnd: t0 + 7200, TaxBps: 2500}, t0+3720)
	must(t, err)
	if inv.Subtotal != 4400 || inv.Tax != 1100 || inv.Total != 5500 {
		t.Fatalf("invoice %+v", inv)
	}
	_, err = e.l.IssueInvoice("inv-1", t0+3721)
	must(t, err)
	paid, err := e.l.Payout(s.DisputeUntil)
	must(t, err)
	if len(paid) != 1 {
		t.Fatalf("paid %+v", paid)
	}
	if bal, _ := e.l.Balance("prov"); bal != 4136 {
		t.Fatalf("provider has %d", bal)
	}
	if esc, _ := e.l.Escrow("ord-1"); esc.State != settlement.EscrowReleased {
		t.Fatalf("escrow %s", esc.State)
	}
	if bal, _ := e.l.Balance("alice"); bal != 10_000_000-4400 {
		t.Fatalf("alice has %d", bal)
	}
	rw, err := e.l.DistributeRewards([]settlement.Contribution{{Operator: "val-1", Weight: 3}, {Operator: "val-2", Weight: 1}})
	must(t, err)
	if rw[0].Amount != 33 || rw[1].Amount != 11 {
		t.Fatalf("rewards %+v", rw)
	}
	e.check()
}
