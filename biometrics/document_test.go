package biometrics

import (
	"image"
	"image/color"
	"testing"

	"gocv.io/x/gocv"
)

// syntheticCard prints the portrait of photo onto an ID-1 card (85.6 × 54 mm at 300 dpi) with text
// and a ghost-free layout, and returns it as JPEG. It shows that the portrait is found among printed
// text and matched after a resize, a JPEG round trip and a new background; it does not show
// robustness to holograms, lamination glare or a photo of a physical card.
func syntheticCard(t *testing.T, e *Engine, photo string) []byte {
	t.Helper()
	src, err := DecodeImage(photo, face(t, photo))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	faces := e.det.Detect(src)
	if len(faces) == 0 {
		t.Fatal("no face in", photo)
	}
	f := largest(faces)
	// Passport-style portrait: the face box grown 1.8× around its centre, 3:4.
	cx, cy := (f.Box.Min.X+f.Box.Max.X)/2, (f.Box.Min.Y+f.Box.Max.Y)/2
	hw := f.Box.Dx() * 9 / 10
	hh := hw * 4 / 3
	r := image.Rect(cx-hw, cy-hh, cx+hw, cy+hh).Intersect(image.Rect(0, 0, src.Cols(), src.Rows()))
	portrait := src.Region(r)
	defer portrait.Close()
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(portrait, &small, image.Pt(270, 360), 0, 0, gocv.InterpolationArea)

	card := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(235, 222, 205, 0), 638, 1012, gocv.MatTypeCV8UC3)
	defer card.Close()
	dst := card.Region(image.Rect(50, 160, 320, 520))
	small.CopyTo(&dst)
	dst.Close()
	ink := color.RGBA{40, 40, 60, 0}
	gocv.PutText(&card, "UTOPIA  IDENTITY CARD", image.Pt(50, 90), gocv.FontHersheyDuplex, 1.6, ink, 2)
	for i, line := range []string{"Surname  ERIKSSON", "Given names  ANNA MARIA", "Nationality  UTO", "Date of birth  12 08 1974", "Expiry  15 04 2032"} {
		gocv.PutText(&card, line, image.Pt(360, 200+i*60), gocv.FontHersheySimplex, 1.0, ink, 2)
	}
	buf, err := gocv.IMEncode(gocv.JPEGFileExt, card)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...)
}

func TestDocumentPortrait(t *testing.T) {
	e := engine(t)
	card := syntheticCard(t, e, "obama.jpg")
	for _, selfie := range []string{"obama2.jpg", "obama3.jpg"} {
		m, err := e.MatchImages(face(t, selfie), card)
		if err != nil {
			t.Fatal(err)
		}
		if m.Decision != Match {
			t.Errorf("%s vs card: %s at %d‰", selfie, m.Decision, m.DistanceMilli)
		}
		t.Logf("%s vs card(obama.jpg): %d‰ %s", selfie, m.DistanceMilli, m.Decision)
	}
	// Reject twin: a card carrying someone else's portrait.
	other := syntheticCard(t, e, "astronaut.png")
	m, err := e.MatchImages(face(t, "obama2.jpg"), other)
	if err != nil {
		t.Fatal(err)
	}
	if m.Decision != Reject {
		t.Errorf("obama2 vs astronaut card: %s at %d‰", m.Decision, m.DistanceMilli)
	}
}
