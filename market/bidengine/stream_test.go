package bidengine_test

import (
	"container/heap"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/internal/assets"
	"github.com/virtengine/sdk/internal/swf"
	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/market/bidengine"
	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

// The order stream: real jobs of the KTH IBM SP2 trace (Parallel Workloads Archive; D. G. Feitelson,
// D. Tsafrir, D. Krakov, "Experience with using the Parallel Workloads Archive", JPDC 74(10), 2014;
// acknowledgment: Lars Malinowsky, KTH). Each job becomes an order: its requested processors are the
// cores, its requested time the duration, its submit time the arrival, its user the customer; it
// runs for its real runtime. MARKET_SWF_JOBS sets how many jobs (0: all 27,992).
func streamJobs(t testing.TB) []swf.Job {
	n := 1000
	if s := os.Getenv("MARKET_SWF_JOBS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("MARKET_SWF_JOBS=%q: %v", s, err)
		}
	}
	p, err := assets.TestdataPath("hpc/KTH-SP2-1996-2.1-cln.swf.gz")
	if err != nil {
		t.Fatal(err)
	}
	trace, err := swf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	jobs := trace.Jobs
	if n > 0 && n < len(jobs) {
		jobs = jobs[:n]
	}
	return jobs
}

// cores is the processors a job asked for, falling back to what it was given.
func cores(j swf.Job) int64 {
	if j.ReqProcs > 0 {
		return j.ReqProcs
	}
	return j.AllocProcs
}

const (
	numProviders = 8
	coresPerSite = 48
	giveUpAfter  = 6 * 3600           // a customer cancels an order nobody could take within 6 hours
	base         = int64(843_480_031) // the trace's UnixStartTime
)

var regions = []string{"eu-north", "us-east", "ap-south"}

// Envelope keys and sealed blobs are made once per test binary, so two runs of the stream store the
// same bytes and can be compared by state hash.
var (
	envIDs = map[string]*envelope.HPKEIdentity{}
	sealed = map[string][]byte{}
	sender *envelope.SigningKey
)

func envKey(t testing.TB, name string) *envelope.HPKEIdentity {
	if id := envIDs[name]; id != nil {
		return id
	}
	id, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		t.Fatal(err)
	}
	envIDs[name] = id
	return id
}

func sealTo(t testing.TB, tag string, names ...string) []byte {
	if b := sealed[tag]; b != nil {
		return b
	}
	if sender == nil {
		var err error
		if sender, err = envelope.GenerateSigningKey(envelope.Ed25519); err != nil {
			t.Fatal(err)
		}
	}
	var rs []envelope.Recipient
	for _, n := range names {
		rs = append(rs, envKey(t, n).Recipient())
	}
	b, err := envelope.Seal([]byte(tag), sender, rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	sealed[tag] = b
	return b
}

func sigKey(name string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte("stream/" + name))
	return ed25519.NewKeyFromSeed(s[:])
}

type everyoneVerified struct{}

func (everyoneVerified) Identity(string) (market.Identity, error) {
	return market.Identity{Score: 80, Tier: 2, Scopes: []string{"email"}}, nil
}

type ending struct {
	at    int64
	order string
	lease *market.Lease
	job   swf.Job
}

type endings []ending

func (h endings) Len() int { return len(h) }
func (h endings) Less(i, j int) bool {
	return h[i].at < h[j].at || (h[i].at == h[j].at && h[i].order < h[j].order)
}
func (h endings) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *endings) Push(x any)   { *h = append(*h, x.(ending)) }
func (h *endings) Pop() any     { o := (*h)[len(*h)-1]; *h = (*h)[:len(*h)-1]; return o }

type streamResult struct {
	orders, leases, cancelled, bids int
	hash                            [32]byte
	stats                           []bidengine.Stats
}

// runStream replays jobs through a market with numProviders bid engines and checks, as it goes,
// that no bid leaves the allowed price range, no provider runs more than its capacity, the rate
// limit is never hit, and the ledger's invariants hold.
func runStream(t *testing.T, jobs []swf.Job) streamResult {
	store := kv.NewMem()
	m := market.New(store, market.Config{Identities: everyoneVerified{}, Require: market.Requirements{MinScore: 50}})
	l := m.Ledger()
	provNames := make([]string, numProviders)
	engines := make([]*bidengine.Engine, numProviders)
	for i := range provNames {
		provNames[i] = fmt.Sprintf("prov%d", i)
	}
	for i, p := range provNames {
		var offs []*market.Offering
		for _, cat := range []market.Category{market.Compute, market.HPC} {
			off, err := m.CreateOffering(market.Offering{ID: p + "-" + string(cat), Provider: p,
				ProviderKey: sigKey(p).Public().(ed25519.PublicKey), EnvKeyID: envKey(t, p).KeyID().String(),
				Category: cat, Regions: []string{regions[i%3], regions[(i+1)%3]}, MinBid: 500,
				Prices: []market.UnitPrice{{Resource: settlement.CPU, Unit: market.Hourly, Price: uint64(900 + 60*i)},
					{Resource: settlement.Memory, Unit: market.Hourly, Price: 5}}}, base)
			if err != nil {
				t.Fatal(err)
			}
			offs = append(offs, off)
		}
		caps := map[string]bidengine.Capacity{}
		for _, r := range offs[0].Regions {
			caps[r] = bidengine.Capacity{settlement.CPU: coresPerSite, settlement.Memory: 4 * coresPerSite}
		}
		eng, err := bidengine.New(bidengine.Config{Provider: p, Offerings: offs, Capacity: caps},
			bidengine.Prices{DefaultMarkupBps: uint64(1000 + 250*i)})
		if err != nil {
			t.Fatal(err)
		}
		engines[i] = eng
	}
	book := bidengine.NewBook()
	var ends endings
	running := map[string]uint64{} // provider/region → cores leased
	openedAt := map[string]int64{}
	var res streamResult
	funded := map[string]bool{}

	finish := func(e ending) {
		o, err := m.Order(e.order)
		if err != nil {
			t.Fatal(err)
		}
		runtime := e.at - e.lease.CreatedAt
		r := settlement.UsageRecord{ChainID: "stream", EscrowID: o.ID, Seq: 1, Provider: e.lease.Provider, Customer: o.Customer,
			PeriodStart: e.lease.CreatedAt, PeriodEnd: e.at, Kind: settlement.KindFinal}
		cores := o.Resources[0].Amount
		r.Quantities[settlement.CPU] = cores * uint64(runtime) * settlement.MilliUnits / 3600
		r.Quantities[settlement.Memory] = 2 * r.Quantities[settlement.CPU]
		r.UnitPrices = e.lease.UnitPrices
		su, err := settlement.SignUsage(r, sigKey(e.lease.Provider))
		if err == nil {
			err = su.Countersign(sigKey(o.Customer))
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.SubmitUsage(su, e.at); err != nil {
			t.Fatalf("usage of %s: %v", o.ID, err)
		}
		if _, err := m.RequestTermination(o.ID, o.Customer, e.at); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Terminate(o.ID, e.lease.Provider, e.at); err != nil {
			t.Fatal(err)
		}
		running[e.lease.Provider+"/"+o.Region] -= cores
		for i, p := range provNames {
			if p == e.lease.Provider {
				engines[i].Closed(o.ID)
			}
		}
	}

	// match lets every engine scan the book, places their bids and auctions each order that got one.
	match := func(now int64) {
		bidders := map[string][]int{}
		for i, eng := range engines {
			reqs, err := eng.Scan(book, now)
			if err != nil {
				t.Fatal(err)
			}
			for _, req := range reqs {
				b, err := m.PlaceBid(req, now)
				var pe *market.PriceError
				switch {
				case errors.As(err, &pe), errors.Is(err, market.ErrRateLimited):
					t.Fatalf("engine %s placed a refused bid: %v", provNames[i], err)
				case err != nil:
					t.Fatalf("bid: %v", err)
				}
				res.bids++
				o, _ := m.Order(req.OrderID)
				if b.Price > o.MaxPrice {
					t.Fatalf("bid %d above max %d", b.Price, o.MaxPrice)
				}
				bidders[req.OrderID] = append(bidders[req.OrderID], i)
			}
		}
		var ids []string
		for _, cat := range []market.Category{market.Compute, market.HPC} {
			for _, r := range regions {
				_ = book.OpenOrders(cat, r, func(o *market.Order) error { ids = append(ids, o.ID); return nil })
			}
		}
		for _, id := range ids {
			if len(bidders[id]) == 0 {
				if now-openedAt[id] >= giveUpAfter {
					o, _ := m.Order(id)
					if _, err := m.CancelOrder(id, o.Customer, now); err != nil {
						t.Fatal(err)
					}
					book.Remove(id)
					res.cancelled++
				}
				continue
			}
			lease, err := m.Auction(id, now)
			if err != nil {
				t.Fatalf("auction %s: %v", id, err)
			}
			book.Remove(id)
			for _, i := range bidders[id] {
				if provNames[i] != lease.Provider {
					engines[i].Lost(id)
				}
			}
			o, _ := m.Order(id)
			if _, err := m.StartProvisioning(id, lease.Provider, now); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Deployed(id, lease.Provider, sealTo(t, "deploy/"+o.Customer, o.Customer), now); err != nil {
				t.Fatal(err)
			}
			key := lease.Provider + "/" + o.Region
			running[key] += o.Resources[0].Amount
			if running[key] > coresPerSite {
				t.Fatalf("%s runs %d cores, capacity %d", key, running[key], coresPerSite)
			}
			res.leases++
			j := jobOf[id]
			run := max(min(j.RunTime, o.Duration), 1)
			heap.Push(&ends, ending{at: now + run, order: id, lease: lease, job: j})
		}
	}

	jobOf = map[string]swf.Job{}
	for _, j := range jobs {
		now := base + j.Submit
		for len(ends) > 0 && ends[0].at <= now {
			e := heap.Pop(&ends).(ending)
			finish(e)
			match(e.at) // freed capacity: waiting orders may now be taken
		}
		if _, err := m.Tick(now); err != nil {
			t.Fatal(err)
		}
		cust := fmt.Sprintf("u%d", j.UserID)
		if !funded[cust] {
			if err := l.Mint(cust, 1<<40); err != nil {
				t.Fatal(err)
			}
			funded[cust] = true
		}
		cores := uint64(cores(j))
		dur := j.ReqTime
		if dur <= 0 {
			dur = j.RunTime
		}
		dur = max(dur, 60)
		cat := market.Compute
		if cores >= 16 {
			cat = market.HPC
		}
		maxPrice := cores*1300 + 2*cores*6
		id := fmt.Sprintf("job-%06d", j.ID)
		o, err := m.CreateOrder(market.OrderRequest{ID: id, Customer: cust, CustomerKey: sigKey(cust).Public().(ed25519.PublicKey),
			EnvKeyID: envKey(t, cust).KeyID().String(), Category: cat, Region: regions[j.UserID%3],
			Resources: []market.Quantity{{Resource: settlement.CPU, Amount: cores}, {Resource: settlement.Memory, Amount: 2 * cores}},
			MaxPrice:  maxPrice, Duration: dur, Deposit: maxPrice*uint64((dur+3599)/3600) + 1,
			Config: sealTo(t, "config/"+cust, append([]string{cust}, provNames...)...)}, now)
		if err != nil {
			t.Fatalf("order %s: %v", id, err)
		}
		jobOf[id] = j
		openedAt[id] = now
		book.Add(o)
		res.orders++
		match(now)
	}
	for len(ends) > 0 {
		e := heap.Pop(&ends).(ending)
		finish(e)
	}
	last := base + jobs[len(jobs)-1].Submit + 400*24*3600
	if _, err := l.Payout(last); err != nil {
		t.Fatal(err)
	}
	if err := l.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	var paidToProviders uint64
	for _, p := range provNames {
		b, _ := l.Balance(p)
		paidToProviders += b
	}
	platform, _ := l.Balance(settlement.PlatformAccount)
	if res.leases > 0 && (paidToProviders == 0 || platform == 0) {
		t.Fatalf("nothing paid: providers %d, platform %d", paidToProviders, platform)
	}
	for _, eng := range engines {
		res.stats = append(res.stats, eng.Stats())
	}
	var err error
	if res.hash, err = kv.Hash(store); err != nil {
		t.Fatal(err)
	}
	return res
}

var jobOf map[string]swf.Job

func TestStreamFromKTHTrace(t *testing.T) {
	jobs := streamJobs(t)
	res := runStream(t, jobs)
	t.Logf("%d orders, %d bids, %d leases, %d cancelled unmatched", res.orders, res.bids, res.leases, res.cancelled)
	if res.orders != len(jobs) {
		t.Fatalf("%d orders from %d jobs", res.orders, len(jobs))
	}
	// Most jobs fit somewhere (the largest ask for up to 100 cores; sites have 48).
	if res.leases*10 < res.orders*6 {
		t.Fatalf("only %d of %d orders leased", res.leases, res.orders)
	}
	var skippedAbove, skippedCap int64
	for _, s := range res.stats {
		skippedAbove += s.Skipped[bidengine.SkipAboveMax]
		skippedCap += s.Skipped[bidengine.SkipCapacity]
	}
	if skippedAbove == 0 || skippedCap == 0 {
		t.Fatalf("the stream never exercised the maximum price (%d) or capacity (%d) rules", skippedAbove, skippedCap)
	}
	// Replaying the same stream reproduces the same state, byte for byte.
	short := jobs[:min(200, len(jobs))]
	if a, b := runStream(t, short).hash, runStream(t, short).hash; a != b {
		t.Fatalf("replay diverged: %x vs %x", a, b)
	}
}
