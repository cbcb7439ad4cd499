package market

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

// randomRun applies n random market operations, legal or not, from seed. After each it checks the
// ledger's invariants and that every order's escrow agrees with the order's state; it returns the
// state hash.
func randomRun(t *testing.T, seed uint64, n int, cfgs map[string][]byte, results [2][]byte) [32]byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	store := kv.NewMem()
	m := New(store, Config{Identities: ids{"c0": {Score: 90}, "c1": {Score: 60}}, MaxBidsPerWindow: 5})
	l := m.Ledger()
	provs := []string{"p0", "p1", "p2"}
	custs := []string{"c0", "c1"}
	for i, p := range provs {
		_, err := m.CreateOffering(Offering{ID: "off-" + p, Provider: p, ProviderKey: sigPub(p), EnvKeyID: keyID(t, p),
			Category: Compute, Regions: []string{"r1", "r2"}[:1+i%2], MinBid: 100, Require: Requirements{MinScore: uint32(50 + 20*i)},
			Prices: []UnitPrice{{Resource: settlement.CPU, Unit: Hourly, Price: uint64(800 + 100*i)}}}, t0)
		must(t, err)
	}
	for _, c := range custs {
		must(t, l.Mint(c, 50_000_000))
	}
	now := t0
	var orders []string
	actors := append(append([]string{NetworkActor, "mallory"}, provs...), custs...)
	for i := 0; i < n; i++ {
		now += rng.Int64N(15)
		pick := func() string { // mostly recent orders
			if len(orders) == 0 {
				return "none"
			}
			if k := min(len(orders), 8); rng.IntN(4) > 0 {
				return orders[len(orders)-1-rng.IntN(k)]
			}
			return orders[rng.IntN(len(orders))]
		}
		actor := actors[rng.IntN(len(actors))]
		// providerOf makes the lease's provider act most of the time, so orders move forward.
		providerOf := func(id string) string {
			if lease, err := m.Lease(id); err == nil && rng.IntN(4) > 0 {
				return lease.Provider
			}
			return actor
		}
		var err error
		if o := pick(); rng.IntN(10) < 6 {
			err = progress(m, rng, o, now, results)
		} else {
			err = randomOp(m, rng, o, actor, providerOf, now, custs, provs, cfgs, results, i, &orders)
		}
		_ = err // refusals are part of the test: they must leave everything consistent
		if err := l.CheckInvariants(); err != nil {
			t.Fatalf("seed %d op %d: %v", seed, i, err)
		}
	}
	// Cross-check orders, bids and escrows.
	all, err := m.Orders()
	must(t, err)
	reached := map[OrderState]int{}
	for _, o := range all {
		reached[o.State]++ // every state must be visited in long runs
		bids, _ := m.Bids(o.ID)
		for _, b := range bids {
			off, _ := m.Offering(b.OfferingID)
			if b.Price > o.MaxPrice || b.Price < off.MinBid {
				t.Fatalf("bid %s at %d outside [%d, %d]", b.ID, b.Price, off.MinBid, o.MaxPrice)
			}
		}
		e, err := l.Escrow(o.ID)
		switch o.State {
		case OrderPendingPayment:
			if err == nil {
				t.Fatalf("unfunded order %s has an escrow", o.ID)
			}
		case OrderOpen:
			if err != nil || e.State != settlement.EscrowPending {
				t.Fatalf("open order %s: escrow %v %v", o.ID, e, err)
			}
		case OrderMatched, OrderProvisioning, OrderActive, OrderSuspended, OrderPendingTermination:
			if err != nil || e.State != settlement.EscrowActive {
				t.Fatalf("%s order %s: escrow %v %v", o.State, o.ID, e, err)
			}
		case OrderCancelled, OrderFailed, OrderTerminated:
			closed := e != nil && (e.State == settlement.EscrowRefunded || (e.State == settlement.EscrowActive && e.Final))
			if err == nil && !closed {
				t.Fatalf("%s order %s: escrow %s", o.State, o.ID, e.State)
			}
		}
	}
	if n >= 1000 {
		for _, s := range []OrderState{OrderOpen, OrderActive, OrderCancelled, OrderTerminated} {
			if reached[s] == 0 {
				t.Errorf("the random run never left an order in %s: %v", s, reached)
			}
		}
	}
	paid, err := l.Payout(now + settlement.DisputeWindow)
	must(t, err)
	must(t, l.CheckInvariants())
	if n >= 1000 && len(paid) == 0 {
		t.Error("the random run settled no usage")
	}
	h, err := kv.Hash(store)
	must(t, err)
	return h
}

func TestRandomMarketOperations(t *testing.T) {
	cfgs := map[string][]byte{"c0": seal(t, "cfg0", "c0", "p0", "p1", "p2"), "c1": seal(t, "cfg1", "c1", "p0", "p1")}
	envKeyIDs["c0"], envKeyIDs["c1"] = keyID(t, "c0"), keyID(t, "c1")
	results := [2][]byte{seal(t, "deployed", "c0"), seal(t, "deployed", "c1")}
	a := randomRun(t, 1, 1500, cfgs, results)
	if b := randomRun(t, 1, 1500, cfgs, results); a != b {
		t.Fatalf("replay diverged: %x vs %x", a, b)
	}
	if randomRun(t, 2, 300, cfgs, results) == a {
		t.Fatal("different runs, same hash")
	}
}

// progress makes the next legal move of order o with the right party, so random runs reach every state.
func progress(m *Market, rng *rand.Rand, o string, now int64, results [2][]byte) error {
	ord, err := m.Order(o)
	if err != nil {
		return err
	}
	lease, _ := m.Lease(o)
	switch ord.State {
	case OrderPendingPayment:
		_, err = m.FundOrder(o, ord.Customer, now)
	case OrderOpen:
		if rng.IntN(3) > 0 {
			p := fmt.Sprintf("p%d", rng.IntN(3))
			_, err = m.PlaceBid(BidRequest{OrderID: o, OfferingID: "off-" + p, Provider: p, MarkupBps: rng.Uint64N(3000)}, now)
		} else {
			_, err = m.Auction(o, now)
		}
	case OrderMatched:
		_, err = m.StartProvisioning(o, lease.Provider, now)
	case OrderProvisioning:
		_, err = m.Deployed(o, lease.Provider, results[ord.Customer[1]-'0'], now)
	case OrderActive, OrderSuspended:
		switch rng.IntN(4) {
		case 0:
			if ord.State == OrderActive {
				_, err = m.Suspend(o, lease.Provider, now)
			} else {
				_, err = m.Resume(o, NetworkActor, now)
			}
		case 1:
			_, err = m.RequestTermination(o, []string{ord.Customer, lease.Provider, NetworkActor}[rng.IntN(3)], now)
		default:
			e, eerr := m.Ledger().Escrow(o)
			if eerr != nil {
				return eerr
			}
			r := settlement.UsageRecord{ChainID: "prop", EscrowID: o, Seq: e.NextSeq, Provider: lease.Provider, Customer: ord.Customer,
				PeriodStart: e.SettledThrough, PeriodEnd: now, Kind: settlement.SettlementKind(1 + rng.IntN(3))}
			if r.PeriodStart == 0 {
				r.PeriodStart = lease.CreatedAt
			}
			r.Quantities[settlement.CPU], r.UnitPrices[settlement.CPU] = rng.Uint64N(5000), lease.UnitPrices[settlement.CPU]+uint64(rng.IntN(8)/7)
			su, serr := settlement.SignUsage(r, sigKey(lease.Provider))
			if serr == nil {
				serr = su.Countersign(sigKey(ord.Customer))
			}
			if serr != nil {
				panic(serr) // sigKey always gives a well-formed key; never count this as a refusal
			}
			_, err = m.SubmitUsage(su, now)
		}
	case OrderPendingTermination:
		_, err = m.Terminate(o, lease.Provider, now)
	}
	return err
}

// envKeyIDs maps customers to their envelope key ids (set by TestRandomMarketOperations).
var envKeyIDs = map[string]string{}

// randomOp is any operation with random arguments and actor: mostly refusals, which must change nothing.
func randomOp(m *Market, rng *rand.Rand, o, actor string, providerOf func(string) string, now int64, custs, provs []string,
	cfgs map[string][]byte, results [2][]byte, i int, orders *[]string) error {
	var err error
	switch rng.IntN(12) {
	case 0, 1, 2:
		c := custs[rng.IntN(2)]
		id := fmt.Sprintf("o%d", i)
		_, err = m.CreateOrder(OrderRequest{ID: id, Customer: c, CustomerKey: sigPub(c), EnvKeyID: envKeyIDs[c],
			Category: Compute, Region: []string{"r1", "r2"}[rng.IntN(2)], Resources: []Quantity{{settlement.CPU, 1 + rng.Uint64N(8)}},
			MaxPrice: 500 + rng.Uint64N(10_000), Duration: 3600, Deposit: 1 + rng.Uint64N(300_000) + rng.Uint64N(4)/3*60_000_000, Config: cfgs[c]}, now)
		if err == nil {
			*orders = append(*orders, id)
		}
	case 3:
		p := provs[rng.IntN(3)]
		_, err = m.PlaceBid(BidRequest{OrderID: o, OfferingID: "off-" + p, Provider: p, MarkupBps: rng.Uint64N(30000)}, now)
	case 4:
		_, err = m.AcceptBid(o, o+"."+provs[rng.IntN(3)], actor, nil, now)
	case 5:
		_, err = m.StartProvisioning(o, providerOf(o), now)
	case 6:
		_, err = m.Deployed(o, providerOf(o), results[rng.IntN(2)], now)
	case 7:
		_, err = m.Suspend(o, actor, now)
	case 8:
		_, err = m.CancelOrder(o, actor, now)
	case 9:
		_, err = m.RequestTermination(o, actor, now)
	case 10:
		_, err = m.Terminate(o, providerOf(o), now)
	case 11:
		_, err = m.Tick(now)
		if rng.IntN(2) == 0 {
			_, err = m.FundOrder(o, actor, now)
		}
	}
	return err
}
