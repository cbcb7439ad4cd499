package market

import (
	"errors"
	"fmt"
	"testing"

	"github.com/virtengine/sdk/settlement"
)

func TestQuoteFormula(t *testing.T) {
	off := &Offering{ID: "o", Prices: []UnitPrice{
		{Resource: settlement.CPU, Unit: Hourly, Price: 1000},
		{Resource: settlement.Memory, Unit: Monthly, Price: 7300},
		{Resource: settlement.Storage, Unit: Fixed, Price: 500},
		{Resource: settlement.Network, Unit: Usage, Price: 90},
	}}
	o := &Order{Duration: 3600*4 + 1, Resources: []Quantity{{settlement.CPU, 2}, {settlement.Memory, 3}, {settlement.Storage, 2}, {settlement.Network, 100}}}
	// 2×1000 + 3×7300/730 + 2×500/5 h + 0 = 2000 + 30 + 200 = 2230; ×1.25 = 2787.5 → 2787 (truncating)
	p, units, err := Quote(off, o, 2500)
	must(t, err)
	if p != 2787 || units[settlement.CPU] != 1250 || units[settlement.Memory] != 12 || units[settlement.Network] != 112 {
		t.Fatalf("price %d units %v", p, units)
	}
	if _, _, err := Quote(off, o, MaxMarkupBps+1); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
	o.Resources = append(o.Resources, Quantity{settlement.GPU, 1})
	if _, _, err := Quote(off, o, 0); !errors.Is(err, ErrNoMatch) {
		t.Fatal(err)
	}
}

func TestBidPriceBounds(t *testing.T) {
	e := reach(t, OrderOpen)                                                                                           // base price 4160, max 10,000, min bid 100
	_, err := e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov", MarkupBps: 15_000}, t0) // 10,400
	var pe *PriceError
	if !errors.As(err, &pe) || pe.Price != 10_400 || pe.Max != 10_000 {
		t.Fatalf("above max: %v", err)
	}
	b, err := e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov", MarkupBps: 14_038}, t0) // 9,999
	must(t, err)
	if b.Price > 10_000 {
		t.Fatal(b.Price)
	}
	// Below the offering's minimum.
	_, err = e.m.CreateOffering(Offering{ID: "off-min", Provider: "prov2", ProviderKey: sigPub("prov2"), EnvKeyID: keyID(t, "prov2"),
		Category: Compute, Regions: []string{"eu-north"}, MinBid: 5000,
		Prices: []UnitPrice{{Resource: settlement.CPU, Unit: Hourly, Price: 1000}, {Resource: settlement.Memory, Unit: Hourly, Price: 1}}}, t0)
	must(t, err)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-min", Provider: "prov2"}, t0) // 4016
	if !errors.As(err, &pe) || pe.Min != 5000 {
		t.Fatalf("below min: %v", err)
	}
}

func TestBidRefusals(t *testing.T) {
	e := reach(t, OrderOpen)
	_, err := e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "mallory"}, t0)
	wantErr(t, err, ErrNotAuthorized)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, t0)
	must(t, err)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, t0)
	wantErr(t, err, ErrExists)
	must(t, e.m.WithdrawBid("ord-1", "prov", t0))
	wantErr(t, e.m.WithdrawBid("ord-1", "prov", t0), ErrBadTransition)
	_, err = e.m.AcceptBid("ord-1", "ord-1.prov", "alice", nil, t0)
	wantErr(t, err, ErrBadTransition)
	_, err = e.m.AcceptBid("ord-1", "other.prov", "alice", nil, t0)
	wantErr(t, err, ErrNotFound)

	// A paused offering does not bid; region and category must match.
	_, err = e.m.SetOfferingState("off-1", "prov", OfferingPaused, t0)
	must(t, err)
	must(t, e.l.Mint("alice", 0))
	req := e.orderReq("ord-2")
	_, err = e.m.CreateOrder(req, t0)
	must(t, err)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-2", OfferingID: "off-1", Provider: "prov"}, t0)
	wantErr(t, err, ErrNoMatch)
	_, err = e.m.SetOfferingState("off-1", "prov", OfferingActive, t0)
	must(t, err)
	req = e.orderReq("ord-3")
	req.Region = "ap-south"
	_, err = e.m.CreateOrder(req, t0)
	must(t, err)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-3", OfferingID: "off-1", Provider: "prov"}, t0)
	wantErr(t, err, ErrNoMatch)
	req = e.orderReq("ord-4")
	req.Category = GPU
	_, err = e.m.CreateOrder(req, t0)
	must(t, err)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-4", OfferingID: "off-1", Provider: "prov"}, t0)
	wantErr(t, err, ErrNoMatch)
}

func TestBidRateLimit(t *testing.T) {
	e := newEnv(t, Config{MaxBidsPerWindow: 3, BidRateWindow: 60})
	e.offering("off-1", "prov", Requirements{})
	must(t, e.l.Mint("alice", 100_000_000))
	for i := 0; i < 6; i++ {
		_, err := e.m.CreateOrder(e.orderReq(fmt.Sprintf("ord-%d", i)), t0)
		must(t, err)
	}
	start := t0 - t0%60
	for i := 0; i < 3; i++ {
		_, err := e.m.PlaceBid(BidRequest{OrderID: fmt.Sprintf("ord-%d", i), OfferingID: "off-1", Provider: "prov"}, start+int64(i))
		must(t, err)
	}
	_, err := e.m.PlaceBid(BidRequest{OrderID: "ord-3", OfferingID: "off-1", Provider: "prov"}, start+59)
	wantErr(t, err, ErrRateLimited)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-3", OfferingID: "off-1", Provider: "prov"}, start+60)
	must(t, err)
}

func TestAuctionRule(t *testing.T) {
	e := reach(t, OrderOpen)
	for _, p := range []string{"prov2", "prov3"} {
		_, err := e.m.CreateOffering(Offering{ID: "off-" + p, Provider: p, ProviderKey: sigPub(p), EnvKeyID: keyID(t, p),
			Category: Compute, Regions: []string{"eu-north"},
			Prices: []UnitPrice{{Resource: settlement.CPU, Unit: Hourly, Price: 1000}, {Resource: settlement.Memory, Unit: Monthly, Price: 7300}}}, t0)
		must(t, err)
	}
	_, err := e.m.Auction("ord-1", t0)
	wantErr(t, err, ErrNotFound)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov", MarkupBps: 500}, t0+1)
	must(t, err)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-prov3", Provider: "prov3", MarkupBps: 100}, t0+2)
	must(t, err)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-prov2", Provider: "prov2", MarkupBps: 100}, t0+3)
	must(t, err)
	// prov2 and prov3 tie on price; prov3 bid first.
	l, err := e.m.Auction("ord-1", t0+10)
	must(t, err)
	if l.Provider != "prov3" {
		t.Fatalf("auction chose %s", l.Provider)
	}
	bids, _ := e.m.Bids("ord-1")
	for _, b := range bids {
		if want := map[string]BidState{"prov": BidLost, "prov2": BidLost, "prov3": BidAccepted}[b.Provider]; b.State != want {
			t.Errorf("%s: %s, want %s", b.Provider, b.State, want)
		}
	}
	// Config not sealed to the winner: accepting needs a re-sealed config.
	e2 := reach(t, OrderOpen)
	_, err = e2.m.CreateOffering(Offering{ID: "off-x", Provider: "provx", ProviderKey: sigPub("provx"), EnvKeyID: keyID(t, "provx"),
		Category: Compute, Regions: []string{"eu-north"},
		Prices: []UnitPrice{{Resource: settlement.CPU, Unit: Hourly, Price: 1}, {Resource: settlement.Memory, Unit: Hourly, Price: 1}}}, t0)
	must(t, err)
	b, err := e2.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-x", Provider: "provx"}, t0)
	must(t, err)
	_, err = e2.m.AcceptBid("ord-1", b.ID, "alice", nil, t0)
	wantErr(t, err, ErrNotRecipient)
	_, err = e2.m.AcceptBid("ord-1", b.ID, "alice", seal(t, "cfg", "alice", "provx"), t0)
	must(t, err)
}

func TestOfferingTransitions(t *testing.T) {
	all := []OfferingState{OfferingActive, OfferingPaused, OfferingSuspended, OfferingDeprecated, OfferingTerminated}
	path := map[OfferingState][]OfferingState{
		OfferingActive: nil, OfferingPaused: {OfferingPaused}, OfferingSuspended: {OfferingSuspended},
		OfferingDeprecated: {OfferingDeprecated}, OfferingTerminated: {OfferingTerminated},
	}
	for _, from := range all {
		for _, to := range all {
			e := newEnv(t, Config{})
			e.offering("off-1", "prov", Requirements{})
			for _, s := range path[from] {
				_, err := e.m.SetOfferingState("off-1", NetworkActor, s, t0)
				must(t, err)
			}
			actor := "prov"
			if to == OfferingSuspended || from == OfferingSuspended {
				// the provider may not, the network may
				_, err := e.m.SetOfferingState("off-1", "prov", to, t0)
				wantErr(t, err, ErrNotAuthorized)
				actor = NetworkActor
			}
			_, err := e.m.SetOfferingState("off-1", actor, to, t0)
			if legal := OfferingCanTransition(from, to); legal != (err == nil) {
				t.Errorf("%s → %s: err %v, table %v", from, to, err, legal)
			} else if err != nil && !errors.Is(err, ErrBadTransition) {
				t.Errorf("%s → %s: %v", from, to, err)
			}
		}
	}
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{})
	_, err := e.m.SetOfferingState("off-1", "mallory", OfferingPaused, t0)
	wantErr(t, err, ErrNotAuthorized)
}

func TestOfferingValidation(t *testing.T) {
	e := newEnv(t, Config{})
	good := Offering{ID: "o", Provider: "p", ProviderKey: sigPub("p"), EnvKeyID: "ab", Category: HPC, Regions: []string{"r"},
		Prices: []UnitPrice{{Resource: settlement.CPU, Unit: Hourly, Price: 1}}}
	for name, mut := range map[string]func(o *Offering){
		"no id":            func(o *Offering) { o.ID = "" },
		"network name":     func(o *Offering) { o.Provider = NetworkActor },
		"short key":        func(o *Offering) { o.ProviderKey = o.ProviderKey[:5] },
		"no env key":       func(o *Offering) { o.EnvKeyID = "" },
		"bad category":     func(o *Offering) { o.Category = "quantum" },
		"no prices":        func(o *Offering) { o.Prices = nil },
		"twice priced":     func(o *Offering) { o.Prices = append(o.Prices, o.Prices[0]) },
		"bad unit":         func(o *Offering) { o.Prices = []UnitPrice{{Unit: "weekly"}} },
		"unknown resource": func(o *Offering) { o.Prices = []UnitPrice{{Resource: 99, Unit: Hourly}} },
		"no regions":       func(o *Offering) { o.Regions = nil },
		"score over 100":   func(o *Offering) { o.Require.MinScore = 101 },
	} {
		o := good
		mut(&o)
		if _, err := e.m.CreateOffering(o, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := e.m.CreateOffering(good, t0)
	must(t, err)
	_, err = e.m.CreateOffering(good, t0)
	wantErr(t, err, ErrExists)
}

// Every pair of bid states through the API: open → accepted (AcceptBid), lost (another bid wins or
// the order is cancelled), withdrawn (WithdrawBid); the three end states are final.
func TestBidEveryTransition(t *testing.T) {
	states := []BidState{BidOpen, BidAccepted, BidLost, BidWithdrawn}
	legal := map[[2]BidState]bool{{BidOpen, BidAccepted}: true, {BidOpen, BidLost}: true, {BidOpen, BidWithdrawn}: true}
	for _, from := range states {
		for _, to := range states {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				e := reach(t, OrderOpen)
				_, err := e.m.CreateOffering(Offering{ID: "off-2", Provider: "prov2", ProviderKey: sigPub("prov2"), EnvKeyID: keyID(t, "prov2"),
					Category: Compute, Regions: []string{"eu-north"},
					Prices: []UnitPrice{{Resource: settlement.CPU, Unit: Hourly, Price: 1000}, {Resource: settlement.Memory, Unit: Hourly, Price: 1}}}, t0)
				must(t, err)
				_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, t0)
				must(t, err)
				_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-2", Provider: "prov2"}, t0)
				must(t, err)
				switch from { // bid ord-1.prov into state from
				case BidAccepted:
					_, err = e.m.AcceptBid("ord-1", "ord-1.prov", "alice", nil, t0+1)
				case BidLost:
					_, err = e.m.AcceptBid("ord-1", "ord-1.prov2", "alice", nil, t0+1)
				case BidWithdrawn:
					err = e.m.WithdrawBid("ord-1", "prov", t0+1)
				}
				must(t, err)
				switch to {
				case BidOpen:
					_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, t0+2)
					if err == nil {
						err = errors.New("re-opened")
					}
				case BidAccepted:
					_, err = e.m.AcceptBid("ord-1", "ord-1.prov", "alice", nil, t0+2)
				case BidLost:
					_, err = e.m.AcceptBid("ord-1", "ord-1.prov2", "alice", nil, t0+2)
				case BidWithdrawn:
					err = e.m.WithdrawBid("ord-1", "prov", t0+2)
				}
				bids, _ := e.m.Bids("ord-1")
				got := bids[0].State // prov sorts before prov2
				if legal[[2]BidState{from, to}] {
					if err != nil || got != to {
						t.Fatalf("legal: err %v, state %s", err, got)
					}
				} else if got != from || (err == nil && to != BidLost) {
					// (another bid winning is legal for the order; it just leaves this bid as it was)
					t.Fatalf("illegal transition: err %v, state %s", err, got)
				}
			})
		}
	}
}

// A lease closes once, with its coded reason; closing it again is refused.
func TestLeaseClosesOnce(t *testing.T) {
	e := reach(t, OrderTerminated)
	l, _ := e.m.Lease("ord-1")
	if l.State != LeaseClosed || l.CloseReason != CloseOwner || l.ClosedAt == 0 {
		t.Fatalf("%+v", l)
	}
	_, err := e.m.Terminate("ord-1", "prov", t0+100)
	wantErr(t, err, ErrBadTransition)
	_, err = e.m.Fail("ord-1", "prov", t0+100)
	wantErr(t, err, ErrBadTransition)
	for _, r := range []CloseReason{CloseOwner, CloseProvider, CloseNetwork, 0} {
		if r.String() == "" {
			t.Fatal("reason without a name")
		}
	}
}

// Quote refuses what it cannot price instead of panicking or wrapping: a resource outside the
// known set, a non-positive duration, and a duration near 2^63 (rounded up to whole hours in uint64).
func TestQuoteEdgeInputs(t *testing.T) {
	bad := settlement.NumResources + 2
	off := &Offering{ID: "o", Prices: []UnitPrice{{Resource: bad, Unit: Hourly, Price: 1}}}
	if _, _, err := Quote(off, &Order{Duration: 3600, Resources: []Quantity{{bad, 1}}}, 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown resource: %v", err)
	}
	off = &Offering{ID: "o", Prices: []UnitPrice{{Resource: settlement.Storage, Unit: Fixed, Price: ^uint64(0)}}}
	if _, _, err := Quote(off, &Order{Duration: -1, Resources: []Quantity{{settlement.Storage, 1}}}, 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative duration: %v", err)
	}
	const maxInt64 = int64(^uint64(0) >> 1)
	p, _, err := Quote(off, &Order{Duration: maxInt64, Resources: []Quantity{{settlement.Storage, 1}}}, 0)
	must(t, err)
	hours := (uint64(maxInt64) + 3599) / 3600
	if want, _ := settlement.MulDivHalfEven(^uint64(0), 1, hours); p != want {
		t.Fatalf("fixed price over %d hours: %d, want %d", hours, p, want)
	}
}
