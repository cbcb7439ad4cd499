package market

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

// envInt reads a positive integer from the environment, or returns def.
func envInt(t *testing.T, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive integer", name, s)
		}
		return n
	}
	return def
}

// moneySnap is the ledger's money at one moment, in unbounded integers.
type moneySnap struct {
	accounts map[string]*big.Int
	escrows  map[string][4]*big.Int // deposit, balance, settled, refunded
	customer map[string]string      // escrow → customer
	unpaid   *big.Int               // Σ pending and disputed settlements
	supply   *big.Int
}

func bi(v uint64) *big.Int { return new(big.Int).SetUint64(v) }

func snapMoney(t *testing.T, l *settlement.Ledger, accounts []string) moneySnap {
	s := moneySnap{accounts: map[string]*big.Int{}, escrows: map[string][4]*big.Int{}, customer: map[string]string{}, unpaid: new(big.Int)}
	for _, a := range accounts {
		b, err := l.Balance(a)
		must(t, err)
		s.accounts[a] = bi(b)
	}
	es, err := l.Escrows()
	must(t, err)
	for _, e := range es {
		s.escrows[e.ID] = [4]*big.Int{bi(e.Deposit), bi(e.Balance), bi(e.Settled), bi(e.Refunded)}
		s.customer[e.ID] = e.Customer
		ss, err := l.Settlements(e.ID)
		must(t, err)
		for _, st := range ss {
			if st.Status == settlement.SettlementPending || st.Status == settlement.SettlementDisputed {
				s.unpaid.Add(s.unpaid, bi(st.Split.Gross))
			}
		}
	}
	sup, err := l.Supply()
	must(t, err)
	s.supply = bi(sup)
	return s
}

// moneyModel is the expected balance of every account in unbounded integers. A market operation
// moves money only between a customer's account and that customer's escrows (deposit in, refund
// out); payouts move settled money to providers and fee accounts. advance applies the escrow
// changes between two snapshots to the model and compares it with the ledger: an account that
// wrapped around in uint64, or moved without its escrow, differs from the model.
type moneyModel map[string]*big.Int

func (mm moneyModel) advance(before, after moneySnap) error {
	for id, a := range after.escrows {
		b, ok := before.escrows[id]
		if !ok {
			b = [4]*big.Int{new(big.Int), new(big.Int), new(big.Int), new(big.Int)}
		}
		c := after.customer[id]
		if mm[c] == nil {
			return fmt.Errorf("escrow %s belongs to %s, an account outside the model", id, c)
		}
		mm[c].Sub(mm[c], new(big.Int).Sub(a[0], b[0])) // deposits leave the customer
		mm[c].Add(mm[c], new(big.Int).Sub(a[3], b[3])) // refunds return to them
		parts := new(big.Int).Add(a[1], a[2])
		if parts.Add(parts, a[3]).Cmp(a[0]) != 0 {
			return fmt.Errorf("escrow %s: deposit %s ≠ balance + settled + refunded %s (unbounded)", id, a[0], parts)
		}
	}
	for id := range before.escrows {
		if _, ok := after.escrows[id]; !ok {
			return fmt.Errorf("escrow %s disappeared", id)
		}
	}
	total := new(big.Int).Set(after.unpaid)
	for a, want := range mm {
		got := after.accounts[a]
		if want.Sign() < 0 {
			return fmt.Errorf("account %s would hold %s: more was taken than it had", a, want)
		}
		if got.Cmp(want) != 0 {
			return fmt.Errorf("account %s holds %s, the model %s (wrapped, or moved without its escrow)", a, got, want)
		}
		total.Add(total, got)
	}
	for _, e := range after.escrows {
		total.Add(total, e[1])
	}
	if total.Cmp(after.supply) != 0 {
		return fmt.Errorf("conservation: supply %s ≠ accounts + escrows + unpaid settlements %s (unbounded)", after.supply, total)
	}
	return nil
}

// runStats is what a random run reached.
type runStats struct {
	reached map[OrderState]int
	paid    int
}

// randomRun applies n random market operations, legal or not, from seed. With check, after each it
// checks the ledger's invariants and compares every account with an unbounded reference model of the
// money (no balance wraps, conservation); at the end it checks that every order's escrow agrees with
// the order's state. It returns the state hash.
func randomRun(t *testing.T, seed uint64, n int, cfgs map[string][]byte, results [2][]byte, check bool) ([32]byte, runStats) {
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
	accounts := append(append([]string{settlement.PlatformAccount, settlement.ValidatorPool, "mallory", NetworkActor}, provs...), custs...)
	model := moneyModel{}
	var snap moneySnap
	if check {
		snap = snapMoney(t, l, accounts)
		for a, v := range snap.accounts {
			model[a] = new(big.Int).Set(v)
		}
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
		if !check {
			continue
		}
		if err := l.CheckInvariants(); err != nil {
			t.Fatalf("seed %d op %d: %v", seed, i, err)
		}
		next := snapMoney(t, l, accounts)
		if err := model.advance(snap, next); err != nil {
			t.Fatalf("seed %d op %d: %v", seed, i, err)
		}
		snap = next
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
	paid, err := l.Payout(now + settlement.DisputeWindow)
	must(t, err)
	must(t, l.CheckInvariants())
	if check {
		for _, p := range paid { // payouts move settled money to the provider and the fee accounts
			model[p.Provider].Add(model[p.Provider], bi(p.Split.Provider))
			model[settlement.PlatformAccount].Add(model[settlement.PlatformAccount], bi(p.Split.Platform))
			model[settlement.ValidatorPool].Add(model[settlement.ValidatorPool], bi(p.Split.Validator))
		}
		if err := model.advance(snap, snapMoney(t, l, accounts)); err != nil {
			t.Fatalf("seed %d payout: %v", seed, err)
		}
	}
	h, err := kv.Hash(store)
	must(t, err)
	return h, runStats{reached: reached, paid: len(paid)}
}

// Random market operations over several seeds (PROPERTY_SEEDS, default 8) of PROPERTY_OPS
// operations each (default 300, so the package's tests take as long as one seed of 1,500 did):
// invariants and the unbounded money model hold after every operation, bids stay within
// [minimum, maximum], escrows agree with orders, and a replay gives the same state hash.
func TestRandomMarketOperations(t *testing.T) {
	cfgs := map[string][]byte{"c0": seal(t, "cfg0", "c0", "p0", "p1", "p2"), "c1": seal(t, "cfg1", "c1", "p0", "p1")}
	envKeyIDs["c0"], envKeyIDs["c1"] = keyID(t, "c0"), keyID(t, "c1")
	results := [2][]byte{seal(t, "deployed", "c0"), seal(t, "deployed", "c1")}
	n, seeds := envInt(t, "PROPERTY_OPS", 300), envInt(t, "PROPERTY_SEEDS", 8)
	reached, paid := map[OrderState]int{}, 0
	var first [32]byte
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		a, st := randomRun(t, seed, n, cfgs, results, true)
		if b, _ := randomRun(t, seed, n, cfgs, results, false); a != b {
			t.Fatalf("seed %d: replay diverged: %x vs %x", seed, a, b)
		}
		for s, k := range st.reached {
			reached[s] += k
		}
		paid += st.paid
		if seed == 1 {
			first = a
		}
	}
	if n*seeds >= 1000 {
		for _, s := range []OrderState{OrderOpen, OrderActive, OrderCancelled, OrderTerminated} {
			if reached[s] == 0 {
				t.Errorf("the random runs never left an order in %s: %v", s, reached)
			}
		}
		if paid == 0 {
			t.Error("the random runs settled no usage")
		}
	}
	if h, _ := randomRun(t, uint64(seeds)+1, 300, cfgs, results, false); h == first {
		t.Fatal("different runs, same hash")
	}
	t.Logf("%d seeds × %d operations: final order states %v, %d settlements paid", seeds, n, reached, paid)
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

// Reject twin of the money model: an account that wrapped around, or money that left a customer
// without reaching an escrow, is caught although the uint64 totals agree.
func TestMoneyModelCatchesWrap(t *testing.T) {
	snap := func(c0, c1 uint64, dep, bal uint64) moneySnap {
		s := moneySnap{accounts: map[string]*big.Int{"c0": bi(c0), "c1": bi(c1)}, escrows: map[string][4]*big.Int{},
			customer: map[string]string{}, unpaid: new(big.Int), supply: bi(20)}
		if dep > 0 {
			s.escrows["o1"] = [4]*big.Int{bi(dep), bi(bal), bi(dep - bal), new(big.Int)}
			s.customer["o1"] = "c0"
		}
		return s
	}
	start := snap(10, 10, 0, 0)
	ok := moneyModel{"c0": bi(10), "c1": bi(10)}
	if err := ok.advance(start, snap(4, 10, 6, 6)); err != nil { // c0 deposits 6 into an escrow
		t.Fatal(err)
	}
	wrapped := moneyModel{"c0": bi(10), "c1": bi(10)}
	// c0 pays 15 it does not have to c1: c0 wraps to 2^64-5, and the uint64 sum is still 20.
	if err := wrapped.advance(start, snap(10-15+(1<<64-1)+1, 25, 0, 0)); err == nil {
		t.Fatal("a wrapped balance passed the model")
	}
	moved := moneyModel{"c0": bi(10), "c1": bi(10)}
	if err := moved.advance(start, snap(4, 16, 0, 0)); err == nil {
		t.Fatal("money moved between accounts without an escrow and passed the model")
	}
}
