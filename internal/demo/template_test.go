package demo

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/veid"
)

// TestProtectedTemplateCalibration runs veid's protected face templates on real embeddings of the
// shared test faces: every same-person pair is within veid.FaceDuplicateMaxDistance and every
// different-person pair beyond it, and the duplicate index catches a second account with the same
// face (veid itself is cgo-free, so this check lives here, beside the biometrics engine).
func TestProtectedTemplateCalibration(t *testing.T) {
	eng, err := biometrics.Open(biometrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	key := bytes.Repeat([]byte{0x42}, 32)
	people := map[string]string{
		"faces/public_domain/obama.jpg": "obama", "faces/public_domain/obama2.jpg": "obama", "faces/public_domain/obama3.jpg": "obama",
		"faces/public_domain/biden.jpg": "biden", "faces/public_domain/biden2.jpg": "biden",
		"faces/public_domain/astronaut.png": "collins", "faces/liveness/live_T1.jpg": "t1",
	}
	names := []string{"faces/public_domain/obama.jpg", "faces/public_domain/obama2.jpg", "faces/public_domain/obama3.jpg",
		"faces/public_domain/biden.jpg", "faces/public_domain/biden2.jpg", "faces/public_domain/astronaut.png", "faces/liveness/live_T1.jpg"}
	tpl := map[string]veid.FaceTemplate{}
	for _, n := range names {
		b, err := readTestdata(n)
		if err != nil {
			t.Fatal(err)
		}
		fr, err := eng.EmbedImage(n, b)
		if err != nil {
			t.Fatal(n, err)
		}
		if tpl[n], err = veid.ProtectFace(key, fr.Quantized); err != nil {
			t.Fatal(err)
		}
	}
	maxSame, minDiff := 0, veid.FaceTemplateBits
	for i, a := range names {
		for _, b := range names[i+1:] {
			d := tpl[a].Distance(tpl[b])
			same := people[a] == people[b]
			t.Logf("%-40s %-40s same=%v distance %d", a, b, same, d)
			if same {
				maxSame = max(maxSame, d)
			} else {
				minDiff = min(minDiff, d)
			}
		}
	}
	t.Logf("same-person max %d, different-person min %d, threshold %d", maxSame, minDiff, veid.FaceDuplicateMaxDistance)
	if maxSame > veid.FaceDuplicateMaxDistance || minDiff <= veid.FaceDuplicateMaxDistance {
		t.Fatalf("threshold %d does not separate: same ≤ %d, different ≥ %d", veid.FaceDuplicateMaxDistance, maxSame, minDiff)
	}

	// The index: a second account with obama's face is refused, another person is not.
	var idx veid.DuplicateIndex
	doc := veid.DocumentFingerprint(key, "UTO", "L898902C3")
	idx.Add("acct-obama", tpl["faces/public_domain/obama.jpg"], doc)
	var de *veid.DuplicateError
	if err := idx.Check("acct-other", tpl["faces/public_domain/obama3.jpg"], [32]byte{}); !errors.As(err, &de) || de.What != "face" {
		t.Fatal("same face on another account accepted:", err)
	}
	if err := idx.Check("acct-other", tpl["faces/public_domain/biden.jpg"], veid.DocumentFingerprint(key, "uto", " l898902c3 ")); !errors.As(err, &de) || de.What != "document" {
		t.Fatal("same document on another account accepted:", err)
	}
	if err := idx.Check("acct-biden", tpl["faces/public_domain/biden.jpg"], veid.DocumentFingerprint(key, "UTO", "X0000000")); err != nil {
		t.Fatal(err)
	}
	if err := idx.Check("acct-obama", tpl["faces/public_domain/obama2.jpg"], doc); err != nil {
		t.Fatal("the same account re-verifying was refused:", err)
	}
	// Another template key gives unrelated templates (revocable).
	fr, _ := eng.EmbedImage("obama.jpg", mustRead(t, "faces/public_domain/obama.jpg"))
	other, _ := veid.ProtectFace(bytes.Repeat([]byte{0x43}, 32), fr.Quantized)
	if d := other.Distance(tpl["faces/public_domain/obama.jpg"]); d <= veid.FaceDuplicateMaxDistance {
		t.Fatalf("templates under another key are close: %d", d)
	}
	if !strings.Contains((&veid.DuplicateError{What: "face", Account: "a"}).Error(), "another account") {
		t.Fatal("message")
	}
}

func mustRead(t *testing.T, rel string) []byte {
	b, err := readTestdata(rel)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
