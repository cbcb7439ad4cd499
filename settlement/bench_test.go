package settlement

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/virtengine/sdk/settlement/kv"
)

// benchRecords makes n usage records over n/100 escrows (100 hourly records each), signed by the
// provider and countersigned by the customer, and a ledger with those escrows active.
func benchRecords(b *testing.B, n int) (*Ledger, []SignedUsage) {
	l := NewLedger(kv.NewMem())
	escrows := max(n/100, 1)
	if err := l.Mint("alice", 1<<60); err != nil {
		b.Fatal(err)
	}
	prov, cust := key("prov"), key("alice")
	out := make([]SignedUsage, 0, n)
	for e := 0; e < escrows; e++ {
		id := fmt.Sprintf("ord-%05d", e)
		if _, err := l.OpenEscrow(OpenEscrow{ID: id, Customer: "alice", CustomerKey: pub("alice"), Amount: 1 << 40}, t0); err != nil {
			b.Fatal(err)
		}
		if err := l.ActivateEscrow(id, "prov", pub("prov"), t0); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		e, k := i%escrows, i/escrows
		r := UsageRecord{ChainID: "bench", EscrowID: fmt.Sprintf("ord-%05d", e), Seq: uint64(k + 1), Provider: "prov", Customer: "alice",
			PeriodStart: t0 + int64(k)*3600, PeriodEnd: t0 + int64(k+1)*3600, Kind: KindPeriodic}
		r.Quantities[CPU], r.UnitPrices[CPU] = uint64(1000+i%5000), 1000
		r.Quantities[Memory], r.UnitPrices[Memory] = 4000, 7
		su, err := SignUsage(r, prov)
		if err == nil {
			err = su.Countersign(cust)
		}
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, su)
	}
	return l, out
}

// BenchmarkSettle settles 100,000 signed usage records (one op = all of them), then pays them out.
// The reference in the same run ("verify-only") is the floor any design pays: checking the same
// 200,000 Ed25519 signatures with crypto/ed25519 and nothing else.
func BenchmarkSettle(b *testing.B) {
	const n = 100_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		l, recs := benchRecords(b, n)
		pk, ck := pub("prov"), pub("alice")
		b.StartTimer()
		for _, su := range recs {
			if _, err := l.Settle(su, t0+200*3600); err != nil {
				b.Fatal(err)
			}
		}
		settled := b.Elapsed()
		paid, err := l.Payout(t0 + 200*3600 + DisputeWindow)
		if err != nil || len(paid) != n {
			b.Fatalf("paid %d: %v", len(paid), err)
		}
		b.StopTimer()
		b.ReportMetric(float64(n)/settled.Seconds(), "records_settled/s")
		start := b.Elapsed()
		b.StartTimer()
		for _, su := range recs {
			enc := su.Record.Encode()
			if !ed25519.Verify(pk, enc, su.ProviderSig) || !ed25519.Verify(ck, countersignMsg(enc, su.ProviderSig), su.CustomerSig) {
				b.Fatal("verify")
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(n)/(b.Elapsed()-start).Seconds(), "verify_only_records/s")
		if err := l.CheckInvariants(); err != nil {
			b.Fatal(err)
		}
	}
}
