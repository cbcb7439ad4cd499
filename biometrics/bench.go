package biometrics

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/facerec"
)

// BenchResult holds median latencies in milliseconds over Runs runs on one face image and one
// document image, the CPU time per run of the face pipeline and of MRZ reading (robust on a shared
// machine, where wall time also counts waiting for a core), the load average and the process's
// resident memory before and after.
type BenchResult struct {
	Runs       int     `json:"runs"`
	Threads    int     `json:"threads"`     // Config.Threads in effect
	DetectMs   float64 `json:"detect_ms"`   // finding the face as embed_ms does (Detector.Subject)
	EmbedMs    float64 `json:"embed_ms"`    // detect + align + embed, one face
	LivenessMs float64 `json:"liveness_ms"` // both MiniFASNet models on a detected face
	MRZMs      float64 `json:"mrz_ms"`      // locate + OCR + parse on a decoded document
	// EmbedCPUMs and MRZCPUMs are the process's CPU time (user + system, every thread) per run of
	// detect + align + embed and of MRZ reading.
	EmbedCPUMs float64 `json:"embed_cpu_ms"`
	MRZCPUMs   float64 `json:"mrz_cpu_ms"`
	// LoadAvg is the machine's 1-minute load average at the start and the end of the run.
	LoadAvg [2]float64 `json:"load_avg"`
	// ReferenceEmbedMs is the reference measured in the same run: the same network's embedding step
	// run op by op in Go (facerec.Net.Forward) on the same chip, at most 5 runs.
	ReferenceEmbedMs float64 `json:"reference_embed_ms"`
	// ONNXEmbedMs is the converted network in OpenCV on that chip (the embedding step of embed_ms).
	ONNXEmbedMs float64 `json:"onnx_embed_ms"`
	RSSStartKB  int     `json:"rss_start_kb"`
	RSSEndKB    int     `json:"rss_end_kb"`
}

// Bench measures the pipeline's stages on a face image and a document image. Each stage runs on
// its own (not interleaved with the others), after one warm-up call, so its CPU time per run is
// its own.
func (e *Engine) Bench(faceImage, documentImage []byte, runs int) (*BenchResult, error) {
	if runs < 1 {
		runs = 1
	}
	res := &BenchResult{Runs: runs, Threads: e.threads, RSSStartKB: RSSKB()}
	res.LoadAvg[0] = LoadAvg()
	err := e.use(func() error {
		img, err := DecodeImage("face", faceImage)
		if err != nil {
			return err
		}
		defer img.Close()
		doc, err := DecodeImage("document", documentImage)
		if err != nil {
			return err
		}
		defer doc.Close()
		f, _, ok := e.det.Subject(img, Selfie)
		if !ok {
			return &InputError{Input: "face", Err: ErrNoFace}
		}
		var cpu time.Duration
		if res.DetectMs, _, err = timeRuns(runs, func() error { e.det.Subject(img, Selfie); return nil }); err != nil {
			return err
		}
		if res.EmbedMs, cpu, err = timeRuns(runs, func() error { _, err := e.embedMat("face", img, Selfie); return err }); err != nil {
			return err
		}
		res.EmbedCPUMs = float64(cpu.Microseconds()) / 1000
		if res.LivenessMs, _, err = timeRuns(runs, func() error { e.live.ScoreBP(img, f); return nil }); err != nil {
			return err
		}
		if res.MRZMs, cpu, err = timeRuns(runs, func() error { _, err := e.mrz.ReadMRZ("document", doc); return err }); err != nil {
			return err
		}
		res.MRZCPUMs = float64(cpu.Microseconds()) / 1000
		return e.benchReference(img, f, runs, res)
	})
	runtime.GC()
	res.RSSEndKB = RSSKB()
	res.LoadAvg[1] = LoadAvg()
	return res, err
}

// timeRuns calls f once to warm up, then runs times, and returns the median wall time in
// milliseconds and the process's CPU time per run.
func timeRuns(runs int, f func() error) (float64, time.Duration, error) {
	if err := f(); err != nil {
		return 0, 0, err
	}
	d := make([]time.Duration, 0, runs)
	c0 := CPUTime()
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		if err := f(); err != nil {
			return 0, 0, err
		}
		d = append(d, time.Since(t0))
	}
	return medianMs(d), (CPUTime() - c0) / time.Duration(runs), nil
}

// benchReference times the ONNX embedder and the Go reference network on the same aligned chip.
func (e *Engine) benchReference(img gocv.Mat, f Face, runs int, res *BenchResult) error {
	net, err := facerec.Load(filepath.Join(e.modelsDir, filepath.FromSlash(facerec.SourceManifest)), filepath.Join(e.modelsDir, filepath.FromSlash(facerec.SourceWeights)))
	if err != nil {
		return err
	}
	chip := Align(img, f)
	defer chip.Close()
	in, err := referenceInput(chip)
	if err != nil {
		return err
	}
	var onnx, ref []time.Duration
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		if _, err := e.emb.Embed(chip); err != nil {
			return err
		}
		onnx = append(onnx, time.Since(t0))
		if i < 5 {
			t0 = time.Now()
			if _, err := net.Forward(in); err != nil {
				return err
			}
			ref = append(ref, time.Since(t0))
		}
	}
	res.ONNXEmbedMs, res.ReferenceEmbedMs = medianMs(onnx), medianMs(ref)
	return nil
}

func medianMs(d []time.Duration) float64 {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	m := d[len(d)/2]
	if len(d)%2 == 0 {
		m = (d[len(d)/2-1] + d[len(d)/2]) / 2
	}
	return float64(m.Microseconds()) / 1000
}

// RSSKB returns the process's resident set size in KiB (Linux /proc/self/status), or 0.
func RSSKB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.Atoi(f[1])
				return v
			}
		}
	}
	return 0
}

// CPUTime returns the CPU time (user + system) the process has used, in every thread.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// LoadAvg returns the machine's 1-minute load average (Linux /proc/loadavg), or 0.
func LoadAvg() float64 {
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
