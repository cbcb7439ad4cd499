// Package market is the VirtEngine compute marketplace (FEATURES.md §6): providers publish
// offerings, customers place orders whose configuration is an envelope, providers bid, the customer
// or the auction rule accepts one bid, a lease records the price, deployment results go back as an
// envelope, and usage is settled through package settlement's escrow.
//
// Most users want a Market over a kv.Store shared with a settlement.Ledger:
//
//	m := market.New(store, market.Config{Identities: ids, MFA: sessions})
//	m.CreateOffering(market.Offering{...}, now)          // provider
//	m.CreateOrder(market.OrderRequest{...}, now)         // customer; funds locked in escrow
//	m.PlaceBid(market.BidRequest{...}, now)              // provider, or a bidengine.Engine
//	m.AcceptBid(orderID, bidID, customer, nil, now)      // or m.Auction(orderID, now)
//	m.StartProvisioning / m.Deployed / m.SubmitUsage / m.RequestTermination / m.Terminate
//	m.Tick(now)                                          // each block: provisioning timeouts
//	m.Review(leaseID, customer, stars, now)              // 1–5 stars; m.Reputation(provider)
//	m.ReportFraud / m.DecideFraud, m.SubmitBenchmark     // moderation and signed hardware reports
//
// Providers bid automatically with package bidengine. Usage records, escrow, invoices and payouts
// are package settlement's; Market.Ledger returns the ledger over the same store.
//
// Gating: an order is refused unless the customer's identity (IdentitySource) meets the offering's
// or the market's minimum score, tier and scopes, and, when required, an MFA step-up session
// (StepUpChecker) is open; the *GateError says how to qualify. Configurations, deployment results and
// provider secrets must be envelopes (checked with envelope.Inspect; plaintext is refused), and the
// market checks who they are sealed to but never needs their plaintext.
//
// Determinism: Market runs inside consensus. Prices and amounts are uint64 in the smallest unit, the
// markup is integer basis points, time is the block's Unix second passed in, iteration is in key
// order, and every operation commits atomically (a kv.Overlay) or not at all.
package market
