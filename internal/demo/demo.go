package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/virtengine/sdk/internal/assets"
)

// DefaultBlockTime is the demo's simulated block time. The only documents in the test data are
// ICAO and US specimens, all past their expiry (the Utopia passports expired on 2012-04-15), and
// validators check expiry against the block time; so the demo runs on a day the specimen was valid.
var DefaultBlockTime = time.Date(2011, 6, 1, 12, 0, 0, 0, time.UTC)

// Options change the demo; the zero value is the standard run.
type Options struct {
	Now        time.Time // block time; zero: DefaultBlockTime
	Validators int       // default 3
}

// Step is one printed step.
type Step struct {
	Name   string `json:"name"`
	Millis int64  `json:"ms"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Rejection is one attack the flow must refuse, and how it was refused.
type Rejection struct {
	Case string `json:"case"`
	Code string `json:"code"`
	Err  string `json:"error"`
}

// Report is what RunSDK did.
type Report struct {
	Steps       []Step      `json:"steps"`
	Score       int         `json:"score"`
	Tier        string      `json:"tier"`
	Final       bool        `json:"final"`
	Agreeing    []string    `json:"agreeing"`
	VCBytes     int         `json:"vc_bytes"`
	ProofBytes  int         `json:"proof_bytes"`
	ProofValid  bool        `json:"proof_valid"`
	Rejections  []Rejection `json:"rejections"`
	TotalMillis int64       `json:"total_ms"`
}

// RunSDK runs the end-to-end SDK flow, printing each step with its timing to w.
// It returns an error when a step that must succeed fails or an attack is not refused.
func RunSDK(ctx context.Context, w io.Writer, opts Options) (*Report, error) {
	start := time.Now()
	f := &flow{ctx: ctx, w: w, now: opts.Now, nval: opts.Validators, rep: &Report{}}
	if f.now.IsZero() {
		f.now = DefaultBlockTime
	}
	if f.nval <= 0 {
		f.nval = 3
	}
	fmt.Fprintf(w, "VirtEngine SDK demo: identity verification by %d validators, credential, zero-knowledge proof\n", f.nval)
	fmt.Fprintf(w, "Block time %s (simulated, inside the validity of ICAO's specimen passport).\n\n", f.now.Format(time.RFC3339))
	defer f.close()
	for _, phase := range []func() error{f.setup, f.verify, f.issue, f.relyingParty, f.attacks} {
		if err := phase(); err != nil {
			return f.rep, err
		}
	}
	f.rep.TotalMillis = time.Since(start).Milliseconds()
	fmt.Fprintf(w, "\nDone in %s: score %d (tier %s) final with %d of %d validators; proof verified; %d attacks refused.\n",
		time.Since(start).Round(time.Millisecond), f.rep.Score, f.rep.Tier, len(f.rep.Agreeing), f.nval, len(f.rep.Rejections))
	return f.rep, nil
}

// step runs fn as a numbered, timed step and prints its outcome.
func (f *flow) step(name string, fn func() (string, error)) error {
	f.n++
	start := time.Now()
	detail, err := fn()
	d := time.Since(start)
	mark := "ok"
	if err != nil {
		detail, mark = err.Error(), "FAILED"
	}
	f.rep.Steps = append(f.rep.Steps, Step{Name: name, Millis: d.Milliseconds(), OK: err == nil, Detail: detail})
	fmt.Fprintf(f.w, "%2d. %-66s %8s  %-6s %s\n", f.n, name, d.Round(time.Millisecond), mark, detail)
	return err
}

func readTestdata(rel string) ([]byte, error) {
	p, err := assets.TestdataPath(rel)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}
