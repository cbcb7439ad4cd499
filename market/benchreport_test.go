package market

import "testing"

func TestSignedBenchmarkReports(t *testing.T) {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{})
	r := BenchmarkReport{OfferingID: "off-1", Provider: "prov", MeasuredAt: t0, CPUScore: 31_000, MemoryMBps: 21_000, DiskIOPS: 90_000, NetworkMbps: 10_000}
	r.Sign(sigKey("prov"))
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
	other.Sign(sigKey("mallory"))
	wantErr(t, e.m.SubmitBenchmark(other, t0+1), ErrNotAuthorized)
	wantErr(t, e.m.SubmitBenchmark(r, t0+1), ErrExists) // replayed, not newer
	future := r
	future.MeasuredAt = t0 + 100
	future.Sign(sigKey("prov"))
	wantErr(t, e.m.SubmitBenchmark(future, t0+1), ErrInvalid)
	must(t, e.m.SubmitBenchmark(future, t0+100))
}
