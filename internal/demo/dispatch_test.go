package demo

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/veid"
)

// dispatchVariants simulate other validators' CPUs with OPENCV_CPU_DISABLE (read when OpenCV loads,
// so each runs in a child process): an AVX2+FMA server without AVX-512, and a CPU without AVX.
var dispatchVariants = []struct{ name, disable string }{
	{"avx2", noAVX512},
	{"sse4.2", noAVX512 + ",AVX2,FMA3,AVX,FP16"},
}

const noAVX512 = "AVX512F,AVX512BW,AVX512CD,AVX512DQ,AVX512IFMA,AVX512VBMI,AVX512VL,AVX512VBMI2,AVX512VNNI," +
	"AVX512BITALG,AVX512VPOPCNTDQ,AVX512-SKX,AVX512-COMMON,AVX512-CNL,AVX512-CLX,AVX512-ICL"

const dispatchChildEnv = "VE_DEMO_DISPATCH_CHILD" // the child's input directory

// dispatchBundles are the evidence bundles every process extracts: the demo's genuine capture and
// reject twins (a photo of a photo, another person, the head-turn frames played backwards: the turn
// does not start from a frontal pose).
var dispatchBundles = []string{"genuine", "spoof", "other-person", "reversed-video"}

// TestExtractorAcrossCPUDispatch extracts the same evidence bundles natively and in child processes
// that simulate other CPUs, as validators on different machines do, and requires the same veid
// features, score and input hash: the tally counts a vote only with the majority's input hash.
func TestExtractorAcrossCPUDispatch(t *testing.T) {
	if dir := os.Getenv(dispatchChildEnv); dir != "" {
		out, err := extractBundles(dir)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		if err := os.WriteFile(os.Getenv("VE_DISPATCH_OUT"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	if testing.Short() {
		t.Skip("extracts in child processes")
	}
	eng, err := biometrics.Open(biometrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ev, _, err := GenuineEvidence(eng)
	eng.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spoof, err := readTestdata(imgSpoof)
	if err != nil {
		t.Fatal(err)
	}
	other, err := readTestdata("faces/public_domain/astronaut.png")
	if err != nil {
		t.Fatal(err)
	}
	var frames [][]byte
	for _, it := range ev.Items {
		if it.Kind == veid.KindFaceVideo {
			frames = append(frames, it.Data)
		}
	}
	for _, name := range dispatchBundles {
		b := &veid.Evidence{}
		k := 0
		for _, it := range ev.Items {
			switch {
			case name == "spoof" && it.Kind == veid.KindSelfie:
				it.Data = spoof
			case name == "other-person" && it.Kind == veid.KindSelfie:
				it.Data = other
			case name == "reversed-video" && it.Kind == veid.KindFaceVideo:
				it.Data = frames[len(frames)-1-k]
				k++
			}
			b.Items = append(b.Items, it)
		}
		data, err := b.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".evidence"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	type result struct {
		name string
		out  map[string]string
		err  error
	}
	done := make(chan result, len(dispatchVariants))
	for _, v := range dispatchVariants {
		go func() {
			path := filepath.Join(dir, v.name+".json")
			cmd := exec.Command(os.Args[0], "-test.run=^TestExtractorAcrossCPUDispatch$", "-test.count=1")
			cmd.Env = append(os.Environ(), dispatchChildEnv+"="+dir, "VE_DISPATCH_OUT="+path, "OPENCV_CPU_DISABLE="+v.disable)
			b, err := cmd.CombinedOutput()
			if err == nil && strings.Contains(string(b), "unknown CPU feature") {
				err = fmt.Errorf("OPENCV_CPU_DISABLE=%s names a feature OpenCV does not know", v.disable)
			}
			if err != nil {
				done <- result{v.name, nil, fmt.Errorf("%v\n%s", err, b)}
				return
			}
			var out map[string]string
			if b, err = os.ReadFile(path); err == nil {
				err = json.Unmarshal(b, &out)
			}
			done <- result{v.name, out, err}
		}()
	}
	native, err := extractBundles(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range dispatchBundles {
		t.Logf("%-12s %s", name, native[name])
	}
	for range dispatchVariants {
		r := <-done
		if r.err != nil {
			t.Fatalf("%s: %v", r.name, r.err)
		}
		for _, f := range strings.Split(noAVX512, ",") {
			if slices.Contains(strings.Fields(r.out["cpu"]), f) {
				t.Errorf("%s: OpenCV still dispatches %s", r.name, f)
			}
		}
		for _, name := range dispatchBundles {
			if r.out[name] != native[name] {
				t.Errorf("%s, %s: %s\nnatively: %s", r.name, name, r.out[name], native[name])
			}
		}
	}
	// The bundles are told apart: the genuine capture passes, every twin fails.
	if !strings.Contains(native["genuine"], "passed true") {
		t.Errorf("genuine: %s", native["genuine"])
	}
	for _, name := range []string{"spoof", "other-person", "reversed-video"} {
		if !strings.Contains(native[name], "passed false") {
			t.Errorf("%s: %s", name, native[name])
		}
	}
}

// extractBundles runs the node's extraction (BioExtractor at DefaultBlockTime, challenge turn left)
// on every bundle in dir: the veid features, the score and the input hash.
func extractBundles(dir string) (map[string]string, error) {
	eng, err := biometrics.Open(biometrics.Config{})
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	x := &BioExtractor{Engine: eng, Account: AccountSignals{History: 5000, Risk: 1000}, BlockTime: DefaultBlockTime, Challenge: biometrics.TurnLeft}
	out := map[string]string{"cpu": strings.Join(biometrics.OpenCVCPUFeatures(), " ")}
	for _, name := range dispatchBundles {
		data, err := os.ReadFile(filepath.Join(dir, name+".evidence"))
		if err != nil {
			return nil, err
		}
		ev, err := veid.ParseEvidence(data)
		if err != nil {
			return nil, err
		}
		f, err := x.Extract(context.Background(), ev)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		f.Extractor = x.Version()
		r, err := veid.Score(f)
		if err != nil {
			return nil, err
		}
		out[name] = fmt.Sprintf("document %d face %d liveness %d consistency %d → score %d passed %v %v input hash %s",
			f.Document, f.FaceMatch, f.Liveness, f.Consistency, r.Score, r.Passed, r.Reasons, hex.EncodeToString(r.InputHash[:]))
	}
	return out, nil
}
