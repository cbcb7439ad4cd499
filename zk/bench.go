package zk

import (
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BenchResult is the outcome of Bench: medians over the runs, in milliseconds, for the circuit
// (CircuitVersion) with every statement on (the standard presentation of TARGETS.md).
type BenchResult struct {
	Circuit      string  `json:"circuit"`
	Backend      Backend `json:"backend"`
	Constraints  int     `json:"constraints"`
	PublicInputs int     `json:"public_inputs"`
	Runs         int     `json:"runs"`
	SetupMS      float64 `json:"setup_ms"`
	// ProveMS is a proof with a Prover (the key in memory, its bases expanded once: ProverInitMS),
	// from the request to the encoded presentation; ProveMinMS and ProveMaxMS give the spread.
	ProveMS    float64 `json:"prove_ms"`
	ProveMinMS float64 `json:"prove_min_ms"`
	ProveMaxMS float64 `json:"prove_max_ms"`
	// PlainProveMS is zk.Prove: gnark's own prover, nothing kept between proofs but the key.
	PlainProveMS float64 `json:"prove_plain_ms"`
	// SolveMS is the witness solving alone, a part of every proof.
	SolveMS      float64 `json:"solve_ms"`
	ProverInitMS float64 `json:"prover_init_ms"`
	VerifyMS     float64 `json:"verify_ms"`
	// ProveCPUMS, PlainProveCPUMS and VerifyCPUMS are the CPU time (all threads) per operation: on
	// a shared machine they show the work done regardless of how much of the CPU the process got.
	ProveCPUMS      float64 `json:"prove_cpu_ms"`
	PlainProveCPUMS float64 `json:"prove_plain_cpu_ms"`
	VerifyCPUMS     float64 `json:"verify_cpu_ms"`
	ProofBytes      int     `json:"proof_bytes"`
	UnsafeSetup     bool    `json:"unsafe_setup"` // the setup timed is the UNSAFE development setup
	// LoadAvg is the system's 1-minute load average before and after the measurements (Linux; 0
	// elsewhere): a busy machine makes the wall times longer.
	LoadAvg [2]float64 `json:"load_avg"`
	CPUs    int        `json:"cpus"` // GOMAXPROCS
}

// Bench measures setup, prove and verify of the full request with backend b, runs times each (the
// setup once per run as well), and returns the medians. Every proof answers a new request (a fresh
// nonce). It is a measurement tool, not for consensus.
func Bench(b Backend, runs int) (*BenchResult, error) {
	if runs < 1 {
		return nil, fmt.Errorf("zk: bench needs at least one run")
	}
	res := &BenchResult{Circuit: CircuitVersion, Backend: b, PublicInputs: NumPublicInputs, Runs: runs,
		UnsafeSetup: true, CPUs: runtime.GOMAXPROCS(0)}
	res.LoadAvg[0] = loadAverage()
	n, err := ConstraintCount(b)
	if err != nil {
		return nil, err
	}
	res.Constraints = n
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
	root := tree.Root()
	min70 := uint32(70)
	request := func() (*Request, error) {
		req, err := NewRequest("https://bench.example", today, issuer.Public())
		if err != nil {
			return nil, err
		}
		req.RevocationRoot, req.MinAge, req.NotExpired = &root, 18, true
		req.Ranges = []Range{{Attribute: "score", Min: &min70}}
		req.Countries = []uint16{40, 56, 250, 276, 380, 528, 724, 752}
		req.RequiredFlags = FlagEmail | FlagDocument
		req.Disclose = []string{"tier"}
		req.HolderBinding, req.Nullifier = true, true
		return req, nil
	}
	path := tree.Path(slot)

	var setup, prove, plain, solve, verify, proveCPU, plainCPU, verifyCPU []float64
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
	t0 := time.Now()
	prover, err := NewProver(pk)
	if err != nil {
		return nil, err
	}
	res.ProverInitMS = ms(time.Since(t0))
	v := &Verifier{Key: vk, AllowUnsafeSetup: true}
	// one warm-up proof each (allocations, solver caches), not counted
	req, err := request()
	if err != nil {
		return nil, err
	}
	if _, err := prover.Prove(req, cred, holder, &path); err != nil {
		return nil, err
	}
	if _, err := Prove(pk, req, cred, holder, &path); err != nil {
		return nil, err
	}
	cs, err := compile(b)
	if err != nil {
		return nil, err
	}
	for range runs {
		req, err := request()
		if err != nil {
			return nil, err
		}
		t0, c0 := time.Now(), processCPU()
		p, err := prover.Prove(req, cred, holder, &path)
		if err != nil {
			return nil, err
		}
		prove, proveCPU = append(prove, ms(time.Since(t0))), append(proveCPU, ms(processCPU()-c0))
		res.ProofBytes = len(p.Proof)
		t0, c0 = time.Now(), processCPU()
		r := v.Verify(req, p, time.Now())
		verify, verifyCPU = append(verify, ms(time.Since(t0))), append(verifyCPU, ms(processCPU()-c0))
		if !r.Valid {
			return nil, r.Err()
		}

		t0, c0 = time.Now(), processCPU()
		if _, err := Prove(pk, req, cred, holder, &path); err != nil {
			return nil, err
		}
		plain, plainCPU = append(plain, ms(time.Since(t0))), append(plainCPU, ms(processCPU()-c0))

		a, _, err := buildAssignment(req, cred, holder, &path)
		if err != nil {
			return nil, err
		}
		w, err := newFullWitness(a)
		if err != nil {
			return nil, err
		}
		t0 = time.Now()
		if _, err := cs.Solve(w); err != nil {
			return nil, err
		}
		solve = append(solve, ms(time.Since(t0)))
	}
	res.SetupMS, res.SolveMS, res.VerifyMS = median(setup), median(solve), median(verify)
	res.ProveMS, res.ProveMinMS, res.ProveMaxMS = median(prove), slices.Min(prove), slices.Max(prove)
	res.PlainProveMS = median(plain)
	res.ProveCPUMS, res.PlainProveCPUMS, res.VerifyCPUMS = median(proveCPU), median(plainCPU), median(verifyCPU)
	res.LoadAvg[1] = loadAverage()
	return res, nil
}

// loadAverage returns the 1-minute load average (Linux), 0 when unknown.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
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
