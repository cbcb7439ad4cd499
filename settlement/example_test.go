package settlement_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

func exampleKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// The settlement flow: escrow, signed usage, settlement, payout after the dispute window, invoice.
func Example() {
	customer, provider := exampleKey("alice"), exampleKey("provider")
	l := settlement.NewLedger(kv.NewMem())
	now := int64(1_700_000_000)

	_ = l.Mint("alice", 2_000_000)
	_, _ = l.OpenEscrow(settlement.OpenEscrow{ID: "order-1", Customer: "alice",
		CustomerKey: customer.Public().(ed25519.PublicKey), Amount: 1_500_000}, now)
	_ = l.ActivateEscrow("order-1", "prov", provider.Public().(ed25519.PublicKey), now)

	// One hour of 1,000 cores at 1,000 per core-hour, signed by the provider, countersigned by the customer.
	r := settlement.UsageRecord{ChainID: "devnet", EscrowID: "order-1", Seq: 1, Provider: "prov", Customer: "alice",
		PeriodStart: now, PeriodEnd: now + 3600, Kind: settlement.KindFinal}
	r.Quantities[settlement.CPU] = 1_000 * settlement.MilliUnits
	r.UnitPrices[settlement.CPU] = 1_000
	su, err := settlement.SignUsage(r, provider)
	if err == nil {
		err = su.Countersign(customer)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := l.Settle(su, now+3600)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("settled %d: platform %d, validators %d, provider %d\n", s.Split.Gross, s.Split.Platform, s.Split.Validator, s.Split.Provider)

	paid, _ := l.Payout(s.DisputeUntil)
	e, _ := l.Escrow("order-1")
	prov, _ := l.Balance("prov")
	alice, _ := l.Balance("alice")
	fmt.Printf("paid %d settlement(s); escrow %s; provider %d; customer %d\n", len(paid), e.State, prov, alice)

	inv, _ := l.CreateInvoice(settlement.InvoiceRequest{ID: "inv-1", EscrowID: "order-1", PeriodStart: now, PeriodEnd: now + 3600, TaxBps: 2000}, now+3600)
	fmt.Printf("invoice %s: %d lines, subtotal %d, tax %d, total %d\n", inv.Status, len(inv.Lines), inv.Subtotal, inv.Tax, inv.Total)
	fmt.Println("invariants:", l.CheckInvariants())
	// Output:
	// settled 1000000: platform 50000, validators 10000, provider 940000
	// paid 1 settlement(s); escrow released; provider 940000; customer 1000000
	// invoice draft: 1 lines, subtotal 1000000, tax 200000, total 1200000
	// invariants: <nil>
}
