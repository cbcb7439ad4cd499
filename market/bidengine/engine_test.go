package bidengine

import (
	"errors"
	"strings"
	"testing"

	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/settlement"
)

func offering(id, provider string, cat market.Category, regions ...string) *market.Offering {
	return &market.Offering{ID: id, Provider: provider, Category: cat, Regions: regions, MinBid: 100,
		Prices: []market.UnitPrice{{Resource: settlement.CPU, Unit: market.Hourly, Price: 1000}, {Resource: settlement.Memory, Unit: market.Hourly, Price: 10}}}
}

func order(id string, cat market.Category, region string, cores, maxPrice uint64) *market.Order {
	return &market.Order{ID: id, Customer: "cust", Category: cat, Region: region, MaxPrice: maxPrice, Duration: 3600,
		Resources: []market.Quantity{{Resource: settlement.CPU, Amount: cores}, {Resource: settlement.Memory, Amount: 2 * cores}}}
}

func newEngine(t *testing.T) *Engine {
	e, err := New(Config{Provider: "p", Offerings: []*market.Offering{offering("o1", "p", market.Compute, "eu")},
		Capacity: map[string]Capacity{"eu": {settlement.CPU: 8}}, MaxBidsPerWindow: 100, Window: 60}, Prices{DefaultMarkupBps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDecide(t *testing.T) {
	e := newEngine(t)
	// 4 cores: 4×1000 + 8×10 = 4080, +10% = 4488.
	req, ok, _ := e.Decide(order("a", market.Compute, "eu", 4, 5000), 0)
	if !ok || req.OfferingID != "o1" || req.MarkupBps != 1000 {
		t.Fatalf("%+v %v", req, ok)
	}
	for name, c := range map[string]struct {
		o    *market.Order
		skip int
	}{
		"again":         {order("a", market.Compute, "eu", 1, 5000), SkipAlreadyBid},
		"wrong type":    {order("b", market.GPU, "eu", 1, 5000), SkipNoPrice},
		"wrong region":  {order("c", market.Compute, "us", 1, 5000), SkipNoPrice},
		"above maximum": {order("d", market.Compute, "eu", 4, 4487), SkipAboveMax},
		"over capacity": {order("e", market.Compute, "eu", 5, 50_000), SkipCapacity},
		"own order":     {func() *market.Order { o := order("f", market.Compute, "eu", 1, 5000); o.Customer = "p"; return o }(), SkipOwnOrder},
	} {
		if _, ok, skip := e.Decide(c.o, 0); ok || skip != c.skip {
			t.Errorf("%s: ok=%v skip=%d, want skip %d", name, ok, skip, c.skip)
		}
	}
	// Capacity comes back when the bid is lost.
	e.Lost("a")
	if _, ok, _ := e.Decide(order("e", market.Compute, "eu", 5, 50_000), 0); !ok {
		t.Fatal("capacity not released")
	}
	if e.Used("eu")[settlement.CPU] != 5 {
		t.Fatal(e.Used("eu"))
	}
	st := e.Stats()
	if st.Bids != 2 || st.Skipped[SkipCapacity] != 1 {
		t.Fatalf("%+v", st)
	}
}

func TestRateLimit(t *testing.T) {
	e, _ := New(Config{Provider: "p", Offerings: []*market.Offering{offering("o1", "p", market.Compute, "eu")},
		Capacity: map[string]Capacity{"eu": {}}, MaxBidsPerWindow: 2, Window: 60}, Prices{})
	n := 0
	for i := 0; i < 5; i++ {
		if _, ok, _ := e.Decide(order(string(rune('a'+i)), market.Compute, "eu", 1, 5000), 30); ok {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d bids in one window, limit 2", n)
	}
	if _, ok, _ := e.Decide(order("z", market.Compute, "eu", 1, 5000), 60); !ok {
		t.Fatal("next window still limited")
	}
}

func TestPricesReloadWithoutRestart(t *testing.T) {
	e := newEngine(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.LoadPrices(strings.NewReader(`{"default_markup_bps": 0, "markup_bps": {"compute": 2500}}`)))
	req, ok, _ := e.Decide(order("a", market.Compute, "eu", 1, 5000), 0)
	if !ok || req.MarkupBps != 2500 {
		t.Fatalf("%+v", req)
	}
	// A bad file keeps the old prices.
	for _, bad := range []string{`{"default_markup_bps": -1}`, `{"markup": 5}`, `{"default_markup_bps": 100001}`, `not json`,
		`{"markup_bps": {"gpus": 9000}}`, `{"default_markup_bps": 1} {"default_markup_bps": 2}`} {
		if err := e.LoadPrices(strings.NewReader(bad)); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if e.Prices().MarkupBps[market.Compute] != 2500 {
		t.Fatal("bad file replaced the prices")
	}
	// Raising the markup past the order's maximum stops the bids.
	must(e.SetPrices(Prices{DefaultMarkupBps: 50_000}))
	if _, ok, skip := e.Decide(order("b", market.Compute, "eu", 1, 5000), 0); ok || skip != SkipAboveMax {
		t.Fatalf("bid above max: ok=%v skip=%d", ok, skip)
	}
}

func TestBookOrder(t *testing.T) {
	b := NewBook()
	for _, id := range []string{"c", "a", "b"} {
		b.Add(order(id, market.Compute, "eu", 1, 1))
	}
	b.Add(order("x", market.GPU, "eu", 1, 1))
	b.Remove("b")
	var got []string
	_ = b.OpenOrders(market.Compute, "eu", func(o *market.Order) error { got = append(got, o.ID); return nil })
	if strings.Join(got, ",") != "a,c" || b.Len() != 3 {
		t.Fatalf("%v %d", got, b.Len())
	}
}

// LoadPrices parses operator-edited JSON: whatever the input, it either applies a valid policy or
// keeps the old one, and never panics.
func FuzzLoadPrices(f *testing.F) {
	seeds := []string{`{"default_markup_bps": 1000}`, `{"default_markup_bps": 0, "markup_bps": {"compute": 2500, "gpu": 100000}}`,
		`{"markup_bps": {"hpc": 100001}}`, `{}`, `[]`, `{"default_markup_bps": 1e3}`, ``}
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, doc string) {
		e := newEngine(t)
		before := e.Prices()
		err := e.LoadPrices(strings.NewReader(doc))
		after := e.Prices()
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("untyped error %v", err)
			}
			if after.DefaultMarkupBps != before.DefaultMarkupBps || len(after.MarkupBps) != len(before.MarkupBps) {
				t.Fatal("a refused file changed the prices")
			}
			return
		}
		if after.DefaultMarkupBps > market.MaxMarkupBps {
			t.Fatal("accepted a markup over the limit")
		}
		for _, m := range after.MarkupBps {
			if m > market.MaxMarkupBps {
				t.Fatal("accepted a markup over the limit")
			}
		}
	})
}

// Prices can be swapped while decisions run (run with -race).
func TestPricesSwapConcurrently(t *testing.T) {
	e, _ := New(Config{Provider: "p", Offerings: []*market.Offering{offering("o1", "p", market.Compute, "eu")},
		Capacity: map[string]Capacity{"eu": {}}, MaxBidsPerWindow: 1 << 20}, Prices{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			_ = e.SetPrices(Prices{DefaultMarkupBps: uint64(i)})
		}
	}()
	for i := 0; i < 200; i++ {
		if req, ok, _ := e.Decide(order(string(rune(0x100+i)), market.Compute, "eu", 1, 1<<40), 0); !ok || req.MarkupBps >= 200 {
			t.Fatalf("%+v %v", req, ok)
		}
	}
	<-done
	if e.Prices().DefaultMarkupBps != 199 {
		t.Fatal(e.Prices())
	}
}

// An order amount near 2^64 must not wrap the capacity check around and win a reservation.
func TestDecideCapacityOverflow(t *testing.T) {
	off := offering("o1", "p", market.Storage, "eu")
	off.MinBid, off.Prices = 0, []market.UnitPrice{{Resource: settlement.Storage, Unit: market.Usage, Price: 1}}
	e, err := New(Config{Provider: "p", Offerings: []*market.Offering{off},
		Capacity: map[string]Capacity{"eu": {settlement.Storage: 100}}}, Prices{})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id string, amount uint64) *market.Order {
		return &market.Order{ID: id, Customer: "cust", Category: market.Storage, Region: "eu", MaxPrice: 1, Duration: 3600,
			Resources: []market.Quantity{{Resource: settlement.Storage, Amount: amount}}}
	}
	if _, ok, skip := e.Decide(mk("a", 50), 0); !ok {
		t.Fatalf("first order skipped (%d)", skip)
	}
	if _, ok, skip := e.Decide(mk("b", ^uint64(0)-10), 0); ok || skip != SkipCapacity {
		t.Fatalf("huge order: ok=%v skip=%d, want SkipCapacity; used %v", ok, skip, e.Used("eu"))
	}
	if e.Used("eu")[settlement.Storage] != 50 {
		t.Fatal(e.Used("eu"))
	}
}
