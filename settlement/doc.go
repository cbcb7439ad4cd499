// Package settlement moves money for the VirtEngine marketplace: escrow per order, usage records
// signed by the provider and countersigned by the customer, settlement with the platform and
// validator fees, a dispute window with corrections, invoices, provider payouts and
// contribution-weighted rewards for node operators (FEATURES.md §7).
//
// Most users want a Ledger over a kv.Store:
//
//	l := settlement.NewLedger(store)            // store: kv.NewMem() in tests, the node's state in consensus
//	l.Mint("alice", 1_000_000)                  // genesis or faucet
//	l.OpenEscrow(settlement.OpenEscrow{ID: "order-1", Customer: "alice", CustomerKey: pub, Amount: 500_000}, now)
//	l.ActivateEscrow("order-1", "prov", provPub, now)
//	l.Settle(signedUsage, now)                  // SignUsage and SignedUsage.Countersign build signedUsage
//	l.Payout(now + settlement.DisputeWindow)    // pays providers, platform and validator pool
//
// Invoices (CreateInvoice, IssueInvoice, PayInvoice, …) bill settled usage with banker's rounding;
// DistributeRewards pays the validator pool to node operators by measured contribution; and
// AggregatePrice is the price oracle's integer median over fresh, agreeing quotes. FORMAT.md
// specifies the usage record encoding, with vectors in testdata/.
//
// Determinism: this package runs inside consensus. Amounts are uint64 in the smallest unit, fees are
// integer basis points with truncating division, rounding is banker's rounding on integers, time is a
// Unix second passed in by the caller (the block time), and every iteration is in key order. There is
// no float, no wall clock, and no map iteration whose order reaches the state.
//
// Every operation is atomic: it runs on a kv.Overlay and commits only when it succeeded and the escrow
// conservation invariant (deposit = balance + settled + refunded) holds. CheckInvariants verifies the
// global ledger (minted supply = accounts + escrow balances + unpaid settlements).
package settlement
