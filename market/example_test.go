package market_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

func usageKey(name string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(s[:])
}

type scores map[string]uint32

func (s scores) Identity(a string) (market.Identity, error) { return market.Identity{Score: s[a]}, nil }

// An order from a verified customer, a bid, a lease, a deployment and the usage settled.
func Example() {
	now := int64(1_700_000_000)
	aliceEnv, _ := envelope.GenerateIdentity(envelope.X25519)
	provEnv, _ := envelope.GenerateIdentity(envelope.X25519)
	sender, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	alice, prov := usageKey("alice"), usageKey("prov")

	m := market.New(kv.NewMem(), market.Config{Identities: scores{"alice": 82, "bob": 40}})
	_ = m.Ledger().Mint("alice", 1_000_000)
	_ = m.Ledger().Mint("bob", 1_000_000)
	_, _ = m.CreateOffering(market.Offering{ID: "gpu-1", Provider: "prov", ProviderKey: prov.Public().(ed25519.PublicKey),
		EnvKeyID: provEnv.KeyID().String(), Category: market.GPU, Regions: []string{"eu-north"}, MinBid: 1000,
		Prices:  []market.UnitPrice{{Resource: settlement.GPU, Unit: market.Hourly, Price: 90_000}},
		Require: market.Requirements{MinScore: 70}}, now)

	config, _ := envelope.Seal([]byte("image: trainer:v2"), sender, []envelope.Recipient{aliceEnv.Recipient(), provEnv.Recipient()}, nil)
	req := market.OrderRequest{ID: "ord-1", Customer: "alice", CustomerKey: alice.Public().(ed25519.PublicKey),
		EnvKeyID: aliceEnv.KeyID().String(), OfferingID: "gpu-1", Category: market.GPU, Region: "eu-north",
		Resources: []market.Quantity{{Resource: settlement.GPU, Amount: 2}}, MaxPrice: 200_000, Duration: 3600,
		Deposit: 500_000, Config: config}

	bob := req
	bob.ID, bob.Customer = "ord-bob", "bob"
	_, err := m.CreateOrder(bob, now)
	fmt.Println("bob refused:", errors.Is(err, market.ErrIdentityRequired))

	o, _ := m.CreateOrder(req, now)
	fmt.Println("order:", o.State)
	bid, _ := m.PlaceBid(market.BidRequest{OrderID: "ord-1", OfferingID: "gpu-1", Provider: "prov", MarkupBps: 500}, now+5)
	lease, _ := m.AcceptBid("ord-1", bid.ID, "alice", nil, now+10)
	fmt.Println("lease price per hour:", lease.Price)
	_, _ = m.StartProvisioning("ord-1", "prov", now+20)
	result, _ := envelope.Seal([]byte("ssh trainer@10.1.2.3"), sender, []envelope.Recipient{aliceEnv.Recipient()}, nil)
	o, _ = m.Deployed("ord-1", "prov", result, now+60)
	fmt.Println("order:", o.State)

	r := settlement.UsageRecord{ChainID: "devnet", EscrowID: "ord-1", Seq: 1, Provider: "prov", Customer: "alice",
		PeriodStart: now + 60, PeriodEnd: now + 3660, Kind: settlement.KindFinal}
	r.Quantities[settlement.GPU], r.UnitPrices[settlement.GPU] = 2*settlement.MilliUnits, lease.UnitPrices[settlement.GPU]
	su, err := settlement.SignUsage(r, prov)
	if err == nil {
		err = su.Countersign(alice)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := m.SubmitUsage(su, now+3660)
	fmt.Printf("settled %d: provider %d, platform %d, validators %d\n", s.Split.Gross, s.Split.Provider, s.Split.Platform, s.Split.Validator)
	// Output:
	// bob refused: true
	// order: open
	// lease price per hour: 189000
	// order: active
	// settled 189000: provider 177660, platform 9450, validators 1890
}
