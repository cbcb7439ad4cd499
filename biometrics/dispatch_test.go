package biometrics

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/virtengine/sdk/biometrics/features"
)

// dispatchVariants are CPUs simulated with OPENCV_CPU_DISABLE (read when OpenCV loads, so each runs
// in a child process): an AVX2+FMA server without AVX-512, and a CPU without any AVX. The test
// process itself runs the native code paths of its CPU.
var dispatchVariants = []struct{ name, disable string }{
	{"avx2", noAVX512},
	{"sse4.2", noAVX512 + ",AVX2,FMA3,AVX,FP16"},
}

// dispatchVariantsFromEnv lets VE_DISPATCH_VARIANTS replace the variants for a wider study (RESULTS.md):
// "name=FEATURE,FEATURE;name=FEATURE…", OpenCV's feature names.
func dispatchVariantsFromEnv() []struct{ name, disable string } {
	env := os.Getenv("VE_DISPATCH_VARIANTS")
	if env == "" {
		return dispatchVariants
	}
	var out []struct{ name, disable string }
	for _, v := range strings.Split(env, ";") {
		if name, disable, ok := strings.Cut(v, "="); ok {
			out = append(out, struct{ name, disable string }{name, disable})
		}
	}
	return out
}

// noAVX512 is every AVX-512 feature OpenCV 4.6 names.
const noAVX512 = "AVX512F,AVX512BW,AVX512CD,AVX512DQ,AVX512IFMA,AVX512VBMI,AVX512VL,AVX512VBMI2,AVX512VNNI," +
	"AVX512BITALG,AVX512VPOPCNTDQ,AVX512-SKX,AVX512-COMMON,AVX512-CNL,AVX512-CLX,AVX512-ICL"

const dispatchChildEnv = "VE_BIOMETRICS_DISPATCH_CHILD" // the child's input directory

// dispatchReport is what one process computes from the same input bytes. Consensus holds the
// levels validators must agree on; the other maps are the fine measurements, compared only to show
// how much the floating point moved.
type dispatchReport struct {
	CPU       []string            `json:"cpu"`
	Consensus map[string]string   `json:"consensus"`
	Distance  map[string]int      `json:"distance_milli"`
	Passive   map[string]int      `json:"passive_bp"`
	Turn      map[string]int      `json:"turn_permille"`
	Embedding map[string][]int8   `json:"embedding"`
	Landmarks map[string][5]Point `json:"landmarks"`
}

var (
	dispatchFaces = []string{"faces/public_domain/obama.jpg", "faces/public_domain/obama2.jpg", "faces/public_domain/obama3.jpg",
		"faces/public_domain/biden.jpg", "faces/public_domain/biden2.jpg", "faces/public_domain/two_people.jpg",
		"faces/public_domain/astronaut.png", "faces/liveness/live_T1.jpg", "faces/liveness/spoof_F1.jpg", "faces/liveness/spoof_F2.jpg"}
	dispatchDocs = []string{"documents/mrz/passport-td3.jpg", "documents/mrz/passport-td2.jpg", "documents/mrz/100_pass-uto.jpg",
		"documents/mrz/100_id-usa.jpg", "documents/mrz/100_visa-usa.jpg"}
)

// TestConsensusAcrossCPUDispatch runs the pipeline on the shared face and document images (and on
// documents and head-turn frames made from them, built once here so every process reads the same
// bytes) natively and in child processes that simulate other CPUs. The floats differ between the
// processes (the descriptors, distances and live probabilities are logged); the consensus levels —
// subject and portrait found, passive and active liveness verdicts, the face-match level of every
// pair, the zones read, and Evidence's canonical encoding — must not.
func TestConsensusAcrossCPUDispatch(t *testing.T) {
	if dir := os.Getenv(dispatchChildEnv); dir != "" {
		dispatchChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("runs the pipeline in child processes")
	}
	e := engine(t)
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("card.jpg", stack(t, syntheticCard(t, e, "obama.jpg"), testdata(t, "documents/mrz/passport-td3.jpg")))
	write("pasted-td2.jpg", pasteOnDocument(t, e, "passport-td2.jpg", "obama.jpg"))
	for i, f := range turnFrames(t, e, "obama.jpg", 6, -0.8) {
		write(fmt.Sprintf("left-%d.jpg", i), f)
	}

	start := time.Now()
	type result struct {
		name string
		rep  *dispatchReport
		err  error
	}
	variants := dispatchVariantsFromEnv()
	done := make(chan result, len(variants))
	for _, v := range variants {
		go func() {
			out := filepath.Join(dir, v.name+".json")
			cmd := exec.Command(os.Args[0], "-test.run=^TestConsensusAcrossCPUDispatch$", "-test.count=1")
			cmd.Env = append(os.Environ(), dispatchChildEnv+"="+dir, "VE_DISPATCH_OUT="+out, "OPENCV_CPU_DISABLE="+v.disable)
			b, err := cmd.CombinedOutput()
			if err == nil && strings.Contains(string(b), "unknown CPU feature") {
				err = fmt.Errorf("OPENCV_CPU_DISABLE=%s names a feature OpenCV does not know", v.disable)
			}
			if err != nil {
				done <- result{v.name, nil, fmt.Errorf("%v\n%s", err, b)}
				return
			}
			rep, err := readDispatchReport(out)
			done <- result{v.name, rep, err}
		}()
	}
	native := dispatchCompute(t, e, dir)
	t.Logf("native (%s) in %v", strings.Join(native.CPU, " "), time.Since(start).Round(time.Millisecond))
	for range variants {
		r := <-done
		if r.err != nil {
			t.Fatalf("%s: %v", r.name, r.err)
		}
		var disabled string
		for _, v := range variants {
			if v.name == r.name {
				disabled = v.disable
			}
		}
		// The child really ran without the disabled features, and when the native process had any
		// of them, other code paths really ran: some measurement moved (else the test shows nothing).
		had := false
		for _, f := range strings.Split(disabled, ",") {
			if slices.Contains(r.rep.CPU, f) {
				t.Errorf("%s: OpenCV still dispatches %s", r.name, f)
			}
			had = had || slices.Contains(native.CPU, f)
		}
		if moved := compareDispatch(t, r.name, native, r.rep); had && !moved {
			t.Errorf("%s: no measurement moved: the variant ran the native code paths", r.name)
		}
	}
	t.Logf("all processes done in %v", time.Since(start).Round(time.Millisecond))
}

func readDispatchReport(path string) (*dispatchReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r dispatchReport
	return &r, json.Unmarshal(b, &r)
}

func dispatchChild(t *testing.T, dir string) {
	rep := dispatchCompute(t, engine(t), dir)
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv("VE_DISPATCH_OUT"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// compareDispatch requires equal consensus levels, logs how far the measurements moved and reports
// whether any did.
func compareDispatch(t *testing.T, name string, a, b *dispatchReport) bool {
	t.Helper()
	keys := make([]string, 0, len(a.Consensus))
	for k := range a.Consensus {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if a.Consensus[k] != b.Consensus[k] {
			t.Errorf("%s: %s is %q natively, %q here", name, k, a.Consensus[k], b.Consensus[k])
		}
	}
	if len(b.Consensus) != len(a.Consensus) {
		t.Errorf("%s: %d consensus values, natively %d", name, len(b.Consensus), len(a.Consensus))
	}
	maxDiff := func(x, y map[string]int) (int, int) {
		worst, changed := 0, 0
		for k, v := range x {
			if d := abs(v - y[k]); d > 0 {
				changed++
				worst = max(worst, d)
			}
		}
		return worst, changed
	}
	dd, dn := maxDiff(a.Distance, b.Distance)
	pd, pn := maxDiff(a.Passive, b.Passive)
	td, tn := maxDiff(a.Turn, b.Turn)
	embChanged, valuesChanged := 0, 0
	for k, v := range a.Embedding {
		n := 0
		for i := range v {
			if i < len(b.Embedding[k]) && v[i] != b.Embedding[k][i] {
				n++
			}
		}
		if n > 0 {
			embChanged++
			valuesChanged += n
		}
	}
	lmChanged, lmMax := 0, 0.0
	for k, v := range a.Landmarks {
		w := b.Landmarks[k]
		if v != w {
			lmChanged++
		}
		for i := range v {
			lmMax = max(lmMax, math.Abs(float64(v[i].X-w[i].X)), math.Abs(float64(v[i].Y-w[i].Y)))
		}
	}
	t.Logf("%s (%s): consensus values equal (%d); measurements moved: landmarks of %d/%d faces (at most %.1g px), "+
		"int8 descriptors of %d/%d faces (%d values), distance of %d/%d pairs (at most %d‰), passive bp of %d/%d (at most %d), "+
		"turn of %d/%d (at most %d‰)", name, strings.Join(b.CPU, " "), len(keys), lmChanged, len(a.Landmarks), lmMax,
		embChanged, len(a.Embedding), valuesChanged, dn, len(a.Distance), dd, pn, len(a.Passive), pd, tn, len(a.Turn), td)
	return lmChanged+embChanged+dn+pn+tn > 0
}

// dispatchCompute runs everything on the shared images and the generated inputs in dir.
func dispatchCompute(t *testing.T, e *Engine, dir string) *dispatchReport {
	t.Helper()
	rep := &dispatchReport{CPU: OpenCVCPUFeatures(), Consensus: map[string]string{}, Distance: map[string]int{},
		Passive: map[string]int{}, Turn: map[string]int{}, Embedding: map[string][]int8{}, Landmarks: map[string][5]Point{}}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var left [][]byte
	for i := 0; i < 6; i++ {
		left = append(left, read(fmt.Sprintf("left-%d.jpg", i)))
	}
	// Selfies: subject found, passive verdict, descriptor.
	selfies := append(append([]string{}, dispatchFaces...), "left-0.jpg", "left-5.jpg")
	docs := append(append([]string{}, dispatchDocs...), "card.jpg", "pasted-td2.jpg")
	load := func(name string) []byte {
		if strings.Contains(name, "/") {
			return testdata(t, name)
		}
		return read(name)
	}
	for _, name := range selfies {
		img, err := DecodeImage(name, load(name))
		if err != nil {
			t.Fatal(err)
		}
		f, _, ok := e.det.Subject(img, Selfie)
		rep.Consensus["subject "+name] = fmt.Sprint(ok)
		if ok {
			rep.Landmarks[name] = f.Landmarks
			p := e.live.ScoreBP(img, f)
			rep.Passive[name] = p
			rep.Consensus["live "+name] = fmt.Sprint(p > LivenessThresholdBP)
			if r, err := e.embedFace(img, f, 1); err == nil {
				rep.Embedding["selfie "+name] = r.Quantized
			}
		}
		img.Close()
	}
	// Documents: portrait found, descriptor, the zone read.
	for _, name := range docs {
		img, err := DecodeImage(name, load(name))
		if err != nil {
			t.Fatal(err)
		}
		f, _, ok := e.det.Subject(img, Document)
		rep.Consensus["portrait "+name] = fmt.Sprint(ok)
		if ok {
			if r, err := e.embedFace(img, f, 1); err == nil {
				rep.Embedding["portrait "+name] = r.Quantized
			}
		}
		m, err := e.mrz.ReadMRZ(name, img)
		z := fmt.Sprint(err)
		if m != nil {
			z = fmt.Sprintf("%q corrections %d, %v", m.Lines, len(m.Corrections), err)
		}
		rep.Consensus["mrz "+name] = z
		img.Close()
	}
	// Every pair of descriptors: the face-match level.
	var names []string
	for k := range rep.Embedding {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, a := range names {
		for _, b := range names[i+1:] {
			c, err := Compare(rep.Embedding[a], rep.Embedding[b])
			if err != nil {
				t.Fatal(err)
			}
			rep.Distance[a+" | "+b] = c.DistanceMilli
			rep.Consensus["match "+a+" | "+b] = fmt.Sprint(FaceMatchLevel(c.Decision))
		}
	}
	// Active liveness: the turn asked for, the opposite one, a still photo repeated.
	for _, ch := range []Challenge{TurnLeft, TurnRight} {
		a, err := e.ActiveLiveness(left, ch)
		if err != nil {
			t.Fatal(err)
		}
		rep.Turn["left "+string(ch)] = a.TurnPermille
		rep.Consensus["active left "+string(ch)] = fmt.Sprint(a.Live, a.Reasons)
	}
	// Evidence: the genuine capture and three reject twins, as their canonical encoding.
	now := time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC)
	genuine := EvidenceInput{Selfie: testdata(t, "faces/public_domain/obama2.jpg"), Document: read("pasted-td2.jpg"),
		Frames: left, Challenge: TurnLeft, Now: now, Claimed: ClaimedFields{Surname: "Eriksson", BirthDate: "1974-08-12"}}
	spoof := genuine
	spoof.Selfie, spoof.Frames = testdata(t, "faces/liveness/spoof_F2.jpg"), nil
	other := genuine
	other.Selfie, other.Document, other.Challenge = testdata(t, "faces/public_domain/astronaut.png"), read("card.jpg"), TurnRight
	for name, in := range map[string]EvidenceInput{"genuine": genuine, "spoof": spoof, "other person, wrong turn": other} {
		f, err := e.Evidence(in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		rep.Consensus["evidence "+name] = fmt.Sprintf("face %d live %d quality %d document %d consistency %d %v %s",
			f.FaceMatchBP, f.LivenessBP, f.QualityBP, f.DocumentValidityBP, f.ConsistencyBP, f.Reasons, hex.EncodeToString(b))
		if name == "genuine" && (f.FaceMatchBP != features.MaxBP || f.LivenessBP != features.MaxBP || f.DocumentValidityBP != features.MaxBP) {
			t.Errorf("genuine capture: %+v", f)
		}
	}
	return rep
}
