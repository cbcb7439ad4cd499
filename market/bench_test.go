package market

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

// benchMarket is a market with providers offerings and open orders, all sealed to one shared
// provider-pool key so any provider can win.
func benchMarket(b *testing.B, providers, orders int) (*Market, *kv.Mem) {
	store := kv.NewMem()
	m := New(store, Config{})
	cfg := seal(b, "image: batch", "cust", "pool")
	for i := 0; i < providers; i++ {
		p := fmt.Sprintf("prov%04d", i)
		_, err := m.CreateOffering(Offering{ID: p + "-o", Provider: p, ProviderKey: sigPub(p), EnvKeyID: keyID(b, "pool"),
			Category: Compute, Regions: []string{"eu-north"}, MinBid: 100,
			Prices: []UnitPrice{{Resource: settlement.CPU, Unit: Hourly, Price: uint64(900 + i%300)}}}, t0)
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := m.Ledger().Mint("cust", 1<<62); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < orders; i++ {
		_, err := m.CreateOrder(OrderRequest{ID: fmt.Sprintf("ord-%06d", i), Customer: "cust", CustomerKey: sigPub("cust"),
			EnvKeyID: keyID(b, "cust"), Category: Compute, Region: "eu-north", Resources: []Quantity{{settlement.CPU, 4}},
			MaxPrice: 10_000, Duration: 3600, Deposit: 100_000, Config: cfg}, t0)
		if err != nil {
			b.Fatal(err)
		}
	}
	return m, store
}

// BenchmarkMarketMatch is the consensus side of matching with 10,000 open orders and 1,000
// providers: one op is three providers bidding on an open order and the auction leasing it
// (4 transactions); a new order (untimed) keeps the book at its size. The reference in the same
// run is the same op with 100 open orders, to show what the book's size costs.
func BenchmarkMarketMatch(b *testing.B) {
	for _, n := range []int{10_000, 100} {
		b.Run(fmt.Sprintf("open=%d", n), func(b *testing.B) {
			m, _ := benchMarket(b, 1000, n)
			cfg := seal(b, "image: batch", "cust", "pool")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				_, err := m.CreateOrder(OrderRequest{ID: fmt.Sprintf("ord-%06d", n+i), Customer: "cust", CustomerKey: sigPub("cust"),
					EnvKeyID: keyID(b, "cust"), Category: Compute, Region: "eu-north", Resources: []Quantity{{settlement.CPU, 4}},
					MaxPrice: 10_000, Duration: 3600, Deposit: 100_000, Config: cfg}, t0)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				id := fmt.Sprintf("ord-%06d", i)
				for k := 0; k < 3; k++ {
					p := fmt.Sprintf("prov%04d", (i*3+k)%1000)
					if _, err := m.PlaceBid(BidRequest{OrderID: id, OfferingID: p + "-o", Provider: p, MarkupBps: uint64(k * 100)}, t0+int64(i)); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := m.Auction(id, t0+int64(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders_matched/s")
		})
	}
}

// BenchmarkOpenOrderMemory measures what one open order costs: its bytes in the store (order,
// index entry, escrow) and the Go heap of the in-memory store holding 10,000 of them.
func BenchmarkOpenOrderMemory(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		m, store := benchMarket(b, 1, 10_000)
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		var stored int
		_ = store.Iterate(nil, func(k, v []byte) error { stored += len(k) + len(v); return nil })
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/10_000, "heap_B/order")
		b.ReportMetric(float64(stored)/10_000, "stored_B/order")
		o, _ := m.Order("ord-000001")
		b.ReportMetric(float64(len(o.Config)), "config_envelope_B")
		runtime.KeepAlive(store)
		b.StartTimer()
	}
}
