package settlement

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/virtengine/sdk/settlement/kv"
)

// key returns a deterministic Ed25519 key for a name, so fixtures and failures are reproducible.
func key(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("settlement-test/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func pub(name string) ed25519.PublicKey { return key(name).Public().(ed25519.PublicKey) }

const t0 int64 = 1_700_000_000

// fixture is a ledger with alice (customer) holding funds and an active escrow "ord-1" to "prov".
type fixture struct {
	t *testing.T
	l *Ledger
}

func newFixture(t *testing.T, deposit uint64) *fixture {
	t.Helper()
	l := NewLedger(kv.NewMem())
	must(t, l.Mint("alice", 10_000_000))
	if _, err := l.OpenEscrow(OpenEscrow{ID: "ord-1", Customer: "alice", CustomerKey: pub("alice"), Amount: deposit}, t0); err != nil {
		t.Fatal(err)
	}
	must(t, l.ActivateEscrow("ord-1", "prov", pub("prov"), t0))
	return &fixture{t, l}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// record builds a usage record for ord-1: cpu milli-core-hours at price per core-hour.
func record(seq uint64, start, end int64, cpuMilli, price uint64) UsageRecord {
	r := UsageRecord{ChainID: "test", EscrowID: "ord-1", Seq: seq, Provider: "prov", Customer: "alice",
		PeriodStart: start, PeriodEnd: end, Kind: KindPeriodic}
	r.Quantities[CPU] = cpuMilli
	r.UnitPrices[CPU] = price
	return r
}

// signed returns r signed by the named provider and countersigned by the named customer.
func signed(r UsageRecord, provider, customer string) SignedUsage {
	su := providerSigned(r, provider)
	if err := su.Countersign(key(customer)); err != nil {
		panic(err) // key always gives a well-formed key
	}
	return su
}

// providerSigned returns r signed by the named provider, without a countersignature.
func providerSigned(r UsageRecord, provider string) SignedUsage {
	su, err := SignUsage(r, key(provider))
	if err != nil {
		panic(err) // key always gives a well-formed key
	}
	return su
}

func (f *fixture) check() {
	f.t.Helper()
	if err := f.l.CheckInvariants(); err != nil {
		f.t.Fatal(err)
	}
}
