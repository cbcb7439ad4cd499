package biometrics

import (
	"image"
	"slices"
	"testing"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/features"
)

// variant decodes a test image, changes it with f and encodes it as JPEG.
func variant(t *testing.T, data []byte, f func(src gocv.Mat) gocv.Mat) []byte {
	t.Helper()
	src, err := DecodeImage("src", data)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := f(src)
	defer out.Close()
	buf, err := gocv.IMEncode(gocv.JPEGFileExt, out)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...)
}

func TestQualityReasons(t *testing.T) {
	e := engine(t)
	obama := face(t, "obama.jpg")
	faceBox := func(m gocv.Mat) image.Rectangle { return largest(e.det.Detect(m)).Box }
	cases := []struct {
		name string
		data []byte
		kind CaptureKind
		want []features.Reason
	}{
		{"clean portrait", obama, Selfie, nil},
		{"clean passport", testdata(t, "documents/mrz/passport-td3.jpg"), Document, nil},
		{"small image", face(t, "astronaut.png"), Selfie, []features.Reason{features.LowResolution}},
		{"two faces", face(t, "biden2.jpg"), Selfie, []features.Reason{features.MultipleFaces}},
		{"passport as a selfie document too small", testdata(t, "documents/mrz/100_pass-uto.jpg"), Document, []features.Reason{features.LowResolution}},
		{"blurred", variant(t, obama, func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMat()
			gocv.GaussianBlur(m, &o, image.Pt(21, 21), 0, 0, gocv.BorderDefault)
			return o
		}), Selfie, []features.Reason{features.Blurry}},
		{"dark", variant(t, obama, func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMat()
			m.ConvertToWithParams(&o, m.Type(), 0.25, 0)
			return o
		}), Selfie, []features.Reason{features.Underexposed}},
		{"bright", variant(t, obama, func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMat()
			m.ConvertToWithParams(&o, m.Type(), 0.3, 175)
			return o
		}), Selfie, []features.Reason{features.Overexposed}},
		{"glare", variant(t, obama, func(m gocv.Mat) gocv.Mat {
			o := m.Clone()
			b := faceBox(m)
			c := image.Pt((b.Min.X+b.Max.X)/2, b.Min.Y+b.Dy()/3)
			gocv.Ellipse(&o, c, image.Pt(b.Dx()/6, b.Dy()/12), 0, 0, 360, whiteRGBA, -1)
			return o
		}), Selfie, []features.Reason{features.Glare}},
		{"far away", variant(t, obama, func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(120, 120, 120, 0), m.Rows()*3, m.Cols()*3, m.Type())
			dst := o.Region(image.Rect(m.Cols(), m.Rows(), 2*m.Cols(), 2*m.Rows()))
			m.CopyTo(&dst)
			dst.Close()
			return o
		}), Selfie, []features.Reason{features.FaceTooSmall}},
		{"tilted", variant(t, obama, func(m gocv.Mat) gocv.Mat {
			o := gocv.NewMat()
			b := faceBox(m)
			rot := gocv.GetRotationMatrix2D(image.Pt((b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2), 35, 1)
			defer rot.Close()
			gocv.WarpAffineWithParams(m, &o, rot, image.Pt(m.Cols(), m.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, blackRGBA)
			return o
		}), Selfie, []features.Reason{features.PoseTooLarge}},
	}
	for _, c := range cases {
		q, err := e.Quality(c.name, c.data, c.kind)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := c.want
		if want == nil {
			want = []features.Reason{}
		}
		if !slices.Equal(q.Reasons, want) {
			t.Errorf("%s: reasons %v, want %v (%+v)", c.name, q.Reasons, want, q)
		}
		if wantScore := uint32(features.MaxBP - qualityPenaltyBP*len(want)); q.ScoreBP != wantScore {
			t.Errorf("%s: score %d, want %d", c.name, q.ScoreBP, wantScore)
		}
	}
	noFace := variant(t, obama, func(m gocv.Mat) gocv.Mat {
		return gocv.NewMatWithSizeFromScalar(gocv.NewScalar(128, 128, 128, 0), m.Rows(), m.Cols(), m.Type())
	})
	q, err := e.Quality("blank", noFace, Selfie)
	if err != nil || !slices.Contains(q.Reasons, features.NoFace) {
		t.Fatalf("blank: %+v %v", q, err)
	}
}
