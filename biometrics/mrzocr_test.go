package biometrics

import (
	"errors"
	"image"
	"testing"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/mrz"
)

// The ICAO Doc 9303 specimens (Utopia) and the US specimens, read from the image exactly.
var mrzImages = map[string][]string{
	"passport-td3.jpg": {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
	"passport-td2.jpg": {"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"},
	"100_pass-uto.jpg": {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
	"100_id-usa.jpg":   {"IAUSA0000000033LIN1044750079<<", "5808175F1004027COD<<<<<<<<<<<7", "SPECIMEN<<TEST<VOID<<<<<<<<<<<"},
	"100_visa-usa.jpg": {"VIUSATRAVELER<<HAPPYPERSON<<<<<<<<<<<<<<<<<<", "555123ABC6GBR6502056F0412236IFLND00AMS803085"},
}

func TestReadMRZFromImages(t *testing.T) {
	e := engine(t)
	for name, want := range mrzImages {
		r, err := e.ReadMRZ(name, testdata(t, "documents/mrz/"+name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(r.Lines) != len(want) {
			t.Errorf("%s: lines %q", name, r.Lines)
			continue
		}
		for i := range want {
			if r.Lines[i] != want[i] {
				t.Errorf("%s line %d: %q, want %q", name, i, r.Lines[i], want[i])
			}
		}
		if len(r.Corrections) != 0 {
			t.Errorf("%s: needed corrections %+v", name, r.Corrections)
		}
	}
}

// A document whose zone has a check digit struck out by a dark blot: reported as a check digit error,
// not silently corrected.
func TestReadMRZCorruptedCheckDigit(t *testing.T) {
	e := engine(t)
	img, err := DecodeImage("td3", testdata(t, "documents/mrz/passport-td3.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	// Print "7" over the document number check digit "6" of line 2.
	gray := grayOf(img)
	zone, ok := locateMRZ(gray)
	gray.Close()
	if !ok {
		t.Fatal("zone not found")
	}
	cw := float64(zone.Dx()) / 46 // about 44 characters and margins
	x := zone.Min.X + int(cw*(1+9))
	y0 := zone.Min.Y + zone.Dy()/2 + 4
	cell := image.Rect(x, y0, x+int(cw)+2, zone.Max.Y-6)
	gocv.Rectangle(&img, cell, whiteRGBA, -1)
	gocv.PutText(&img, "7", image.Pt(x+1, cell.Max.Y-8), gocv.FontHersheyPlain, float64(cell.Dy())/16, blackRGBA, 3)
	r, err := e.mrz.ReadMRZ("td3-blot", img)
	var cde *mrz.CheckDigitError
	if r == nil || !errors.As(err, &cde) || r.Valid {
		t.Fatalf("got %+v, %v", r, err)
	}
	t.Logf("reported: %v (line %q)", err, r.Lines[1])
}

func TestReadMRZNoZone(t *testing.T) {
	e := engine(t)
	_, err := e.ReadMRZ("portrait", face(t, "obama.jpg"))
	if !errors.Is(err, ErrNoMRZ) {
		t.Fatalf("got %v", err)
	}
}

func grayOf(img gocv.Mat) gocv.Mat {
	g := gocv.NewMat()
	gocv.CvtColor(img, &g, gocv.ColorBGRToGray)
	return g
}
