package market

import (
	"crypto/ed25519"
	"errors"
	"testing"
)

func TestSignedBenchmarkReports(t *testing.T) {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{})
	r := BenchmarkReport{OfferingID: "off-1", Provider: "prov", MeasuredAt: t0, CPUScore: 31_000, MemoryMBps: 21_000, DiskIOPS: 90_000, NetworkMbps: 10_000}
	must(t, r.Sign(sigKey("prov")))
	must(t, e.m.SubmitBenchmark(r, t0))
	got, err := e.m.Benchmark("off-1")
	must(t, err)
	if got.CPUScore != 31_000 {
		t.Fatalf("%+v", got)
	}
	tampered := r
	tampered.MeasuredAt = t0 + 1
	tampered.CPUScore = 99_000 // not what was signed
	wantErr(t, e.m.SubmitBenchmark(tampered, t0+1), ErrNotAuthorized)
	other := r
	other.MeasuredAt = t0 + 1
	must(t, other.Sign(sigKey("mallory")))
	wantErr(t, e.m.SubmitBenchmark(other, t0+1), ErrNotAuthorized)
	wantErr(t, e.m.SubmitBenchmark(r, t0+1), ErrExists) // replayed, not newer
	future := r
	future.MeasuredAt = t0 + 100
	must(t, future.Sign(sigKey("prov")))
	wantErr(t, e.m.SubmitBenchmark(future, t0+1), ErrInvalid)
	must(t, e.m.SubmitBenchmark(future, t0+100))
}

func TestBenchmarkReportSignBadKey(t *testing.T) {
	good := sigKey("prov")
	r := BenchmarkReport{OfferingID: "off-1", Provider: "prov", MeasuredAt: t0, CPUScore: 31_000}
	must(t, r.Sign(good))
	signed := append([]byte(nil), r.Signature...)
	for name, k := range map[string]ed25519.PrivateKey{
		"nil":               nil,
		"empty":             {},
		"seed only (short)": good.Seed(),
		"one byte short":    good[:ed25519.PrivateKeySize-1],
		"one byte long":     append(append(ed25519.PrivateKey(nil), good...), 0),
		"double (long)":     append(append(ed25519.PrivateKey(nil), good...), good...),
	} {
		err := r.Sign(k)
		if !errors.Is(err, ErrBadKey) || Code(err) != Code(ErrBadKey) || Code(ErrBadKey) <= 1 {
			t.Errorf("%s: %v (code %d), want ErrBadKey with its own code", name, err, Code(err))
		}
		if string(r.Signature) != string(signed) {
			t.Errorf("%s: a refused Sign changed the signature", name)
		}
	}
}

// A stored offering whose provider key is not 32 bytes (not reachable through CreateOffering) refuses
// the report with ErrNotAuthorized instead of panicking in ed25519.Verify.
func TestSubmitBenchmarkMalformedStoredKey(t *testing.T) {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{})
	must(t, e.m.update(func(tx *txn) error {
		o, err := tx.offering("off-1")
		if err != nil {
			return err
		}
		o.ProviderKey = o.ProviderKey[:5]
		return tx.put(pOff+o.ID, o)
	}))
	r := BenchmarkReport{OfferingID: "off-1", Provider: "prov", MeasuredAt: t0, CPUScore: 31_000}
	must(t, r.Sign(sigKey("prov")))
	wantErr(t, e.m.SubmitBenchmark(r, t0), ErrNotAuthorized)
}
