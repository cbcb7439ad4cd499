package bidengine

import (
	"fmt"
	"testing"

	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/settlement"
)

var benchRegions = []string{"eu-north", "eu-west", "us-east", "us-west", "ap-south", "ap-east"}
var benchCats = []market.Category{market.Compute, market.HPC, market.GPU}

// benchBook is 10,000 open orders spread over 6 regions and 3 categories, sizes 1..64 cores.
func benchBook(n int) (*Book, []*market.Order) {
	b := NewBook()
	var all []*market.Order
	for i := 0; i < n; i++ {
		cores := uint64(1 + (i*7919)%64)
		o := &market.Order{ID: fmt.Sprintf("ord-%06d", i), Customer: "c", Category: benchCats[i%3], Region: benchRegions[(i/3)%6],
			MaxPrice: cores * (1100 + uint64(i%400)), Duration: 3600,
			Resources: []market.Quantity{{Resource: settlement.CPU, Amount: cores}, {Resource: settlement.Memory, Amount: 2 * cores}}}
		b.Add(o)
		all = append(all, o)
	}
	return b, all
}

// benchEngines is 1,000 providers, each one offering in one category and two regions, 256 cores a region.
func benchEngines(b *testing.B, n int) []*Engine {
	out := make([]*Engine, n)
	for i := range out {
		p := fmt.Sprintf("prov%04d", i)
		off := &market.Offering{ID: p + "-o", Provider: p, Category: benchCats[i%3], MinBid: 100,
			Regions: []string{benchRegions[i%6], benchRegions[(i+1)%6]},
			Prices:  []market.UnitPrice{{Resource: settlement.CPU, Unit: market.Hourly, Price: uint64(900 + i%300)}, {Resource: settlement.Memory, Unit: market.Hourly, Price: 5}}}
		caps := map[string]Capacity{}
		for _, r := range off.Regions {
			caps[r] = Capacity{settlement.CPU: 256, settlement.Memory: 1024}
		}
		e, err := New(Config{Provider: p, Offerings: []*market.Offering{off}, Capacity: caps, MaxBidsPerWindow: 1 << 30}, Prices{DefaultMarkupBps: uint64(i % 2000)})
		if err != nil {
			b.Fatal(err)
		}
		out[i] = e
	}
	return out
}

// allOrders is the reference: a Source without an index, every engine walks every order.
type allOrders []*market.Order

func (a allOrders) OpenOrders(_ market.Category, _ string, fn func(*market.Order) error) error {
	for _, o := range a {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkMatch: 1,000 provider engines scan 10,000 open orders; one op is the whole round.
// "indexed" is the Book (category × region buckets); "fullscan" is the reference in the same run,
// every engine reading every order. Metrics: order-provider matches found per second, and orders
// covered per second (10,000 per round).
func BenchmarkMatch(b *testing.B) {
	book, all := benchBook(10_000)
	for _, c := range []struct {
		name string
		src  Source
	}{{"indexed", book}, {"fullscan", allOrders(all)}} {
		b.Run(c.name, func(b *testing.B) {
			var matches int
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				engines := benchEngines(b, 1000)
				b.StartTimer()
				for _, e := range engines {
					reqs, err := e.Scan(c.src, 1_700_000_000)
					if err != nil {
						b.Fatal(err)
					}
					matches += len(reqs)
				}
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(float64(matches)/s, "matches/s")
			b.ReportMetric(float64(b.N*10_000)/s, "orders/s")
		})
	}
}
