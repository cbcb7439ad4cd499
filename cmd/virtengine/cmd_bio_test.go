package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/internal/demo"
	"github.com/virtengine/sdk/veid"
)

// runBio runs a fresh bio command tree with args after "bio" and returns stdout. A "--json"
// argument sets the global jsonOut for the run.
func runBio(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var rest []string
	for _, a := range args {
		if a == "--json" {
			jsonOut = true
			continue
		}
		rest = append(rest, a)
	}
	defer func() { jsonOut = false }()
	var out bytes.Buffer
	c := newBioCmd()
	c.SetOut(&out)
	c.SetErr(&out)
	c.SetArgs(rest)
	c.SilenceUsage, c.SilenceErrors = true, true
	err := c.Execute()
	return out.String(), err
}

// The zone's '<' fillers print as they are in JSON, and a correction shows its characters.
func TestBioMRZJSON(t *testing.T) {
	const l1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	// ICAO 9303 specimen, the birth date's 0 read as O: the check digit proves O → 0.
	const l2 = "L898902C36UTO74O8122F1204159ZE184226B<<<<<10"
	out, err := runBio(t, "mrz", "--json", "--text", l1, l2)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, `\u003c`) || !strings.Contains(out, `"P<UTOERIKSSON<<ANNA<MARIA<<<`) {
		t.Fatalf("fillers escaped or missing:\n%s", out)
	}
	var o struct {
		Valid       bool `json:"valid"`
		Corrections []struct {
			From string `json:"from"`
			To   string `json:"to"`
		} `json:"corrections"`
	}
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatal(err)
	}
	if !o.Valid || len(o.Corrections) != 1 || o.Corrections[0].From != "O" || o.Corrections[0].To != "0" {
		t.Fatalf("%+v\n%s", o, out)
	}
	human, err := runBio(t, "mrz", "--text", l1, l2)
	if err != nil || !strings.Contains(human, "O → 0") {
		t.Fatalf("human output %q %v", human, err)
	}
}

// activeOutput is the JSON of `bio liveness --challenge`.
type activeOutput struct {
	Challenge    string   `json:"challenge"`
	Live         bool     `json:"live"`
	Score        int      `json:"score"`
	TurnPermille int      `json:"turn_permille"`
	Reasons      []string `json:"reasons"`
}

// TestBioLivenessChallenge: the demo's synthetic head turn to the left (a Gaussian mesh warp of
// obama.jpg's nose region: landmark motion, not the 3-D appearance of a real turn) answers
// turn_left and turn_either; turn_right is refused with NO_MOTION and exit code 2; mirrored, the
// same frames answer turn_right; a still photo repeated is refused.
func TestBioLivenessChallenge(t *testing.T) {
	eng, err := biometrics.Open(biometrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ev, _, err := demo.GenuineEvidence(eng)
	eng.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var left, right []string
	for _, it := range ev.Items {
		if it.Kind != veid.KindFaceVideo {
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("left-%d.jpg", len(left)))
		left = append(left, p)
		if err := os.WriteFile(p, it.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		p = filepath.Join(dir, fmt.Sprintf("right-%d.jpg", len(right)))
		right = append(right, p)
		if err := os.WriteFile(p, mirror(t, it.Data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if len(left) < biometrics.MinFrames {
		t.Fatalf("%d frames in the demo bundle", len(left))
	}
	run := func(ch string, frames []string) (activeOutput, error) {
		t.Helper()
		out, err := runBio(t, append([]string{"liveness", "--json", "--challenge", ch}, frames...)...)
		var o activeOutput
		if jerr := json.Unmarshal([]byte(out), &o); jerr != nil {
			t.Fatalf("%s: not one JSON document (%v): %v\n%s", ch, err, jerr, out)
		}
		return o, err
	}
	refused := func(ch string, frames []string, what string) {
		t.Helper()
		o, err := run(ch, frames)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || o.Live || !slices.Contains(o.Reasons, "NO_MOTION") {
			t.Fatalf("%s accepted for %s: %+v %v", what, ch, o, err)
		}
	}

	for _, ch := range []string{"turn_left", "turn_either"} {
		o, err := run(ch, left)
		if err != nil || !o.Live || o.Challenge != ch || o.TurnPermille > -biometrics.MinTurnPermille || len(o.Reasons) != 0 {
			t.Fatalf("left turn for %s: %+v %v", ch, o, err)
		}
		t.Logf("left turn, %s: %+v", ch, o)
	}
	refused("turn_right", left, "a left turn")
	if o, err := run("turn_right", right); err != nil || !o.Live || o.TurnPermille < biometrics.MinTurnPermille {
		t.Fatalf("mirrored turn for turn_right: %+v %v", o, err)
	}
	refused("turn_left", right, "a right turn")
	still := []string{left[0], left[0], left[0], left[0]}
	refused("turn_either", still, "a still photo repeated")

	// Human output, and input errors before any model is loaded.
	out, err := runBio(t, append([]string{"liveness", "--challenge", "turn_right"}, left...)...)
	if err == nil || !strings.Contains(out, "turn_right: live=false") || !strings.Contains(out, "NO_MOTION") {
		t.Fatalf("human output %q %v", out, err)
	}
	if _, err := runBio(t, "liveness", "--challenge", "blink", left[0], left[1], left[2]); err == nil || !strings.Contains(err.Error(), "unknown challenge") {
		t.Fatalf("unknown challenge: %v", err)
	}
	if _, err := runBio(t, "liveness", "--challenge", "turn_left", left[0], left[1]); err == nil || !strings.Contains(err.Error(), "2 frame(s)") {
		t.Fatalf("two frames: %v", err)
	}
}

// mirror flips a JPEG left to right.
func mirror(t *testing.T, data []byte) []byte {
	t.Helper()
	src, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := src.Bounds()
	dst := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			dst.Set(b.Max.X-1-(x-b.Min.X), y, src.At(x, y))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
