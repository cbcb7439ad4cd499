package biometrics

import (
	"image"
	"testing"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"
)

func TestCrossCheckVIZ(t *testing.T) {
	e := engine(t)
	if e.viz == nil {
		t.Fatal(ErrNoVIZModel)
	}
	doc := testdata(t, "documents/mrz/passport-td3.jpg")
	_, checks, err := e.CrossCheck("td3", doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 4 {
		t.Fatalf("checks %+v", checks)
	}
	for _, c := range checks {
		if !c.Found {
			t.Errorf("%s %q not found in the printed text", c.Field, c.Value)
		}
	}
	// Reject twin: the printed surname replaced by another name; the zone still says ERIKSSON.
	tampered := variant(t, doc, func(m gocv.Mat) gocv.Mat {
		o := m.Clone()
		r := wordBox(t, e, m, "ERIKSSON")
		gocv.Rectangle(&o, r, whiteRGBA, -1)
		gocv.PutText(&o, "ANDERSSON", image.Pt(r.Min.X+4, r.Max.Y-6), gocv.FontHersheyDuplex, float64(r.Dy())/30, blackRGBA, 2)
		return o
	})
	_, checks, err = e.CrossCheck("tampered", tampered)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.Field == "surname" && c.Found {
			t.Fatalf("tampered surname still found: %+v", checks)
		}
	}
	t.Logf("tampered: %+v", checks)
}

// wordBox finds a printed word with Tesseract's word boxes (the first hit: the visual zone comes
// before the MRZ).
func wordBox(t *testing.T, e *Engine, m gocv.Mat, word string) image.Rectangle {
	t.Helper()
	buf, err := gocv.IMEncode(gocv.PNGFileExt, m)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	e.viz.mu.Lock()
	defer e.viz.mu.Unlock()
	if err := e.viz.client.SetImageFromBytes(buf.GetBytes()); err != nil {
		t.Fatal(err)
	}
	boxes, err := e.viz.client.GetBoundingBoxes(gosseract.RIL_WORD)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boxes {
		if b.Word == word {
			return b.Box.Inset(-4)
		}
	}
	t.Fatalf("%s not printed", word)
	return image.Rectangle{}
}
