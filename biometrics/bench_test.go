package biometrics

import (
	"runtime"
	"testing"
	"time"

	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
)

// Benchmarks run each stage on decoded images (decoding is not counted) and report, besides ns/op,
// the median wall time of one call (median_ms) and the process's CPU time per call (cpu_ms; on a
// shared machine wall time also counts waiting for a core). The reference for the embedder is the
// same network run directly in Go (facerec.Net.Forward), measured in the same run; TARGETS.md
// anchors: YuNet 0.7 ms + SFace 5 ms on a desktop i7; target ≤ 30 ms for detect + align + embed on 2
// cores, ≤ 10 ms liveness, ≤ 300 ms MRZ.

// timed runs f b.N times and reports median_ms and cpu_ms.
func timed(b *testing.B, f func()) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	c0 := CPUTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		f()
		d = append(d, time.Since(t0))
	}
	cpu := CPUTime() - c0
	b.StopTimer()
	b.ReportMetric(medianMs(d), "median_ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu_ms")
}

// BenchmarkDetect is finding the subject as the pipeline does (Detector.Subject).
func BenchmarkDetect(b *testing.B) {
	e := engine(b)
	img, _ := DecodeImage("obama.jpg", face(b, "obama.jpg"))
	defer img.Close()
	timed(b, func() { e.det.Subject(img, Selfie) })
}

// BenchmarkDetectAll is Detector.Detect: every face, YuNet at DetectMaxSide.
func BenchmarkDetectAll(b *testing.B) {
	e := engine(b)
	img, _ := DecodeImage("obama.jpg", face(b, "obama.jpg"))
	defer img.Close()
	timed(b, func() { e.det.Detect(img) })
}

func BenchmarkDetectAlignEmbed(b *testing.B) {
	e := engine(b)
	img, _ := DecodeImage("obama.jpg", face(b, "obama.jpg"))
	defer img.Close()
	timed(b, func() {
		if _, err := e.embedMat("obama.jpg", img, Selfie); err != nil {
			b.Fatal(err)
		}
	})
}

// chipInput is the aligned chip of obama.jpg, preprocessed for facerec.Net.Forward.
func chipInput(b *testing.B, e *Engine) []float32 {
	img, _ := DecodeImage("obama.jpg", face(b, "obama.jpg"))
	defer img.Close()
	c := Align(img, e.det.Refine(img, e.det.Detect(img)[0]))
	defer c.Close()
	in, _ := referenceInput(c)
	return in
}

// BenchmarkEmbedONNX is the converted network in OpenCV on an aligned chip.
func BenchmarkEmbedONNX(b *testing.B) {
	e := engine(b)
	img, _ := DecodeImage("obama.jpg", face(b, "obama.jpg"))
	defer img.Close()
	c := Align(img, e.det.Detect(img)[0])
	defer c.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.emb.Embed(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbedGoReference is the reference: the TensorFlow.js network run op by op in Go.
func BenchmarkEmbedGoReference(b *testing.B) {
	e := engine(b)
	in := chipInput(b, e)
	mp, _ := assets.ModelPath(facerec.SourceManifest)
	wp, _ := assets.ModelPath(facerec.SourceWeights)
	net, err := facerec.Load(mp, wp)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		net.Forward(in)
	}
}

func BenchmarkPassiveLiveness(b *testing.B) {
	e := engine(b)
	img, _ := DecodeImage("obama.jpg", face(b, "obama.jpg"))
	defer img.Close()
	f := e.det.Detect(img)[0]
	timed(b, func() { e.live.ScoreBP(img, f) })
}

func BenchmarkMRZ(b *testing.B) {
	e := engine(b)
	img, _ := DecodeImage("passport-td3.jpg", testdata(b, "documents/mrz/passport-td3.jpg"))
	defer img.Close()
	timed(b, func() {
		if _, err := e.mrz.ReadMRZ("td3", img); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkLeakRSS runs the whole per-image API (decode, detect, align, embed, passive liveness) b.N
// times and reports the growth of resident memory after a warm-up, over the whole run and over its
// second half (a leak grows in both halves alike; allocator warm-up only in the first). Run it with
// -benchtime=5000x for 10,000 calls.
func BenchmarkLeakRSS(b *testing.B) {
	e := engine(b)
	data := face(b, "astronaut.png")
	for i := 0; i < 20; i++ {
		e.EmbedImage("warm", data)
		e.Liveness("warm", data)
	}
	runtime.GC()
	start := RSSKB()
	mid := start
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i == b.N/2 {
			runtime.GC()
			mid = RSSKB()
		}
		if _, err := e.EmbedImage("a", data); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Liveness("a", data); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	end := RSSKB()
	b.ReportMetric(float64(end-start), "rss_growth_kB")
	b.ReportMetric(float64(end-mid), "rss_growth_2nd_half_kB")
	b.ReportMetric(float64(start), "rss_start_kB")
}
