package zk

import (
	"crypto/rand"
	"fmt"
	"slices"
	"time"
)

// BenchResult is the outcome of Bench: medians over the runs, in milliseconds, for the circuit (CircuitVersion)
// with every statement on (the standard presentation of TARGETS.md).
type BenchResult struct {
	Circuit      string  `json:"circuit"`
	Backend      Backend `json:"backend"`
	Constraints  int     `json:"constraints"`
	PublicInputs int     `json:"public_inputs"`
	Runs         int     `json:"runs"`
	SetupMS      float64 `json:"setup_ms"`
	ProveMS      float64 `json:"prove_ms"`
	VerifyMS     float64 `json:"verify_ms"`
	// ProveCPUMS and VerifyCPUMS are the CPU time (all threads) per operation: on a shared machine
	// they show the work done regardless of how much of the CPU the process got.
	ProveCPUMS  float64 `json:"prove_cpu_ms"`
	VerifyCPUMS float64 `json:"verify_cpu_ms"`
	ProofBytes  int     `json:"proof_bytes"`
	UnsafeSetup bool    `json:"unsafe_setup"` // the setup timed is the UNSAFE development setup
}

// Bench measures setup, prove and verify of the full request with backend b, runs times each (the
// setup once per run as well), and returns the medians. It is a measurement tool, not for consensus.
func Bench(b Backend, runs int) (*BenchResult, error) {
	if runs < 1 {
		return nil, fmt.Errorf("zk: bench needs at least one run")
	}
	n, err := ConstraintCount(b)
	if err != nil {
		return nil, err
	}
	issuer, err := GenerateIssuerKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	holder, err := GenerateHolderSecret(rand.Reader)
	if err != nil {
		return nil, err
	}
	tree := NewRevocationTree()
	slot, _ := tree.Allocate()
	today := DayOf(time.Now())
	cred, err := Issue(issuer, Attributes{
		BirthDate: today - 30*365, Country: 276, Score: 82, Tier: 2, Flags: FlagEmail | FlagDocument,
		IssuedAt: today - 10, ExpiresAt: today + 355, RevocationIndex: slot, HolderKey: holder.PublicKey(),
	}, rand.Reader)
	if err != nil {
		return nil, err
	}
	req, err := NewRequest("https://bench.example", today, issuer.Public())
	if err != nil {
		return nil, err
	}
	root := tree.Root()
	min70 := uint32(70)
	req.RevocationRoot, req.MinAge, req.NotExpired = &root, 18, true
	req.Ranges = []Range{{Attribute: "score", Min: &min70}}
	req.Countries = []uint16{40, 56, 250, 276, 380, 528, 724, 752}
	req.RequiredFlags = FlagEmail | FlagDocument
	req.Disclose = []string{"tier"}
	req.HolderBinding, req.Nullifier = true, true
	path := tree.Path(slot)

	var setup, prove, verify, proveCPU, verifyCPU []float64
	var proofBytes int
	var pk *ProvingKey
	var vk *VerifyingKey
	for range runs {
		t0 := time.Now()
		pk, vk, err = SetupUnsafe(b)
		if err != nil {
			return nil, err
		}
		setup = append(setup, ms(time.Since(t0)))
	}
	v := &Verifier{Key: vk, AllowUnsafeSetup: true}
	// one warm-up proof (allocations, solver caches), not counted
	if _, err := Prove(pk, req, cred, holder, &path); err != nil {
		return nil, err
	}
	for range runs {
		t0, c0 := time.Now(), processCPU()
		p, err := Prove(pk, req, cred, holder, &path)
		if err != nil {
			return nil, err
		}
		prove, proveCPU = append(prove, ms(time.Since(t0))), append(proveCPU, ms(processCPU()-c0))
		proofBytes = len(p.Proof)
		t0, c0 = time.Now(), processCPU()
		res := v.Verify(req, p, time.Now())
		verify, verifyCPU = append(verify, ms(time.Since(t0))), append(verifyCPU, ms(processCPU()-c0))
		if !res.Valid {
			return nil, res.Err()
		}
	}
	return &BenchResult{Circuit: CircuitVersion, Backend: b, Constraints: n, PublicInputs: NumPublicInputs,
		Runs: runs, SetupMS: median(setup), ProveMS: median(prove), VerifyMS: median(verify),
		ProveCPUMS: median(proveCPU), VerifyCPUMS: median(verifyCPU),
		ProofBytes: proofBytes, UnsafeSetup: true}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
