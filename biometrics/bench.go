package biometrics

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/facerec"
)

// BenchResult holds median latencies in milliseconds over Runs runs on one face image and one
// document image, and the process's resident memory before and after.
type BenchResult struct {
	Runs       int     `json:"runs"`
	DetectMs   float64 `json:"detect_ms"`   // YuNet on a decoded image
	EmbedMs    float64 `json:"embed_ms"`    // detect + align + embed, one face
	LivenessMs float64 `json:"liveness_ms"` // both MiniFASNet models on a detected face
	MRZMs      float64 `json:"mrz_ms"`      // locate + OCR + parse on a decoded document
	// ReferenceEmbedMs is the reference measured in the same run: the same network's embedding step
	// run op by op in Go (facerec.Net.Forward) on the same chip, at most 5 runs.
	ReferenceEmbedMs float64 `json:"reference_embed_ms"`
	// ONNXEmbedMs is the converted network in OpenCV on that chip (the embedding step of embed_ms).
	ONNXEmbedMs float64 `json:"onnx_embed_ms"`
	RSSStartKB  int     `json:"rss_start_kb"`
	RSSEndKB    int     `json:"rss_end_kb"`
}

// Bench measures the pipeline's stages on a face image and a document image.
func (e *Engine) Bench(faceImage, documentImage []byte, runs int) (*BenchResult, error) {
	if runs < 1 {
		runs = 1
	}
	res := &BenchResult{Runs: runs, RSSStartKB: RSSKB()}
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
		faces := e.det.Detect(img)
		if len(faces) == 0 {
			return &InputError{Input: "face", Err: ErrNoFace}
		}
		f := largest(faces)
		var det, emb, live, mrzT []time.Duration
		for i := 0; i < runs; i++ {
			t0 := time.Now()
			e.det.Detect(img)
			det = append(det, time.Since(t0))

			t0 = time.Now()
			if _, err := e.embedMat("face", img); err != nil {
				return err
			}
			emb = append(emb, time.Since(t0))

			t0 = time.Now()
			e.live.ScoreBP(img, f)
			live = append(live, time.Since(t0))

			t0 = time.Now()
			if _, err := e.mrz.ReadMRZ("document", doc); err != nil {
				return err
			}
			mrzT = append(mrzT, time.Since(t0))
		}
		res.DetectMs, res.EmbedMs, res.LivenessMs, res.MRZMs = medianMs(det), medianMs(emb), medianMs(live), medianMs(mrzT)
		return e.benchReference(img, f, runs, res)
	})
	runtime.GC()
	res.RSSEndKB = RSSKB()
	return res, err
}

// benchReference times the ONNX embedder and the Go reference network on the same aligned chip.
func (e *Engine) benchReference(img gocv.Mat, f Face, runs int, res *BenchResult) error {
	net, err := facerec.Load(filepath.Join(e.modelsDir, filepath.FromSlash(facerec.SourceManifest)), filepath.Join(e.modelsDir, filepath.FromSlash(facerec.SourceWeights)))
	if err != nil {
		return err
	}
	chip := Align(img, e.det.Refine(img, f))
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
