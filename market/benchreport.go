package market

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
)

// BenchmarkReport is a provider's signed measurement of an offering's hardware (FEATURES.md §6.5),
// so customers can compare offerings on more than price. All metrics are integers.
type BenchmarkReport struct {
	OfferingID  string `json:"offering_id"`
	Provider    string `json:"provider"`
	MeasuredAt  int64  `json:"measured_at"`
	CPUScore    uint64 `json:"cpu_score"`    // e.g. a CoreMark-style score per core
	MemoryMBps  uint64 `json:"memory_mbps"`  // memory bandwidth
	DiskIOPS    uint64 `json:"disk_iops"`    // 4 KiB random IOPS
	NetworkMbps uint64 `json:"network_mbps"` // egress bandwidth
	GPUMilliTF  uint64 `json:"gpu_milli_tf"` // GPU throughput in thousandths of a TFLOPS
	Signature   []byte `json:"signature"`    // Ed25519 by the offering's provider key over Encode()
}

const (
	pBench     = "m/bench/"
	benchMagic = "virtengine/bench/v1\x00"
)

// Encode is the canonical encoding the provider signs: the magic "virtengine/bench/v1\x00", the
// offering id and provider as uvarint-length strings, then measured_at and the five metrics as
// big-endian 64-bit integers.
func (r *BenchmarkReport) Encode() []byte {
	b := []byte(benchMagic)
	for _, s := range []string{r.OfferingID, r.Provider} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, v := range []uint64{uint64(r.MeasuredAt), r.CPUScore, r.MemoryMBps, r.DiskIOPS, r.NetworkMbps, r.GPUMilliTF} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return b
}

// Sign fills Signature with the provider's key. A key that is not a 64-byte Ed25519 private key gives
// ErrBadKey and leaves r unchanged.
func (r *BenchmarkReport) Sign(key ed25519.PrivateKey) error {
	if len(key) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: benchmark report of offering %q: key is %d bytes (ed25519.NewKeyFromSeed makes one from a 32-byte seed)",
			ErrBadKey, r.OfferingID, len(key))
	}
	r.Signature = ed25519.Sign(key, r.Encode())
	return nil
}

// SubmitBenchmark stores a signed report for an offering, replacing an older one. Refused: a
// signature that does not verify under the offering's provider key, a report about the future, or
// one not newer than the stored report.
func (m *Market) SubmitBenchmark(r BenchmarkReport, now int64) error {
	return m.update(func(t *txn) error {
		off, err := t.offering(r.OfferingID)
		if err != nil {
			return err
		}
		if r.Provider != off.Provider {
			return fmt.Errorf("%w: offering %q belongs to %s", ErrNotAuthorized, off.ID, off.Provider)
		}
		// the key length first: ed25519.Verify panics on a key of another size (a corrupt stored offering).
		if len(off.ProviderKey) != ed25519.PublicKeySize || !ed25519.Verify(off.ProviderKey, r.Encode(), r.Signature) {
			return fmt.Errorf("%w: benchmark signature does not verify under the offering's provider key (sign with Report.Sign)", ErrNotAuthorized)
		}
		if r.MeasuredAt > now {
			return invalidf("benchmark measured at %d, after now %d", r.MeasuredAt, now)
		}
		var old BenchmarkReport
		if ok, err := t.exists(pBench + off.ID); err != nil {
			return err
		} else if ok {
			if err := t.get(pBench+off.ID, &old, "benchmark", off.ID); err != nil {
				return err
			}
			if r.MeasuredAt <= old.MeasuredAt {
				return fmt.Errorf("%w: a report measured at %d is stored; submit a newer one", ErrExists, old.MeasuredAt)
			}
		}
		r.Signature = append([]byte(nil), r.Signature...)
		return t.put(pBench+off.ID, &r)
	})
}

// Benchmark returns the latest benchmark report of an offering.
func (m *Market) Benchmark(offeringID string) (*BenchmarkReport, error) {
	var r BenchmarkReport
	return &r, m.view().get(pBench+offeringID, &r, "benchmark", offeringID)
}
