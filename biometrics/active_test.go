package biometrics

import (
	"encoding/binary"
	"image"
	"math"
	"testing"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/features"
)

// turnFrames builds a head-turn sequence from one portrait: frame k moves the nose region sideways by
// k/(n−1)·amp eye distances (negative: toward the image's left) with a smooth (Gaussian) mesh warp,
// leaving the eyes almost in place. It shows that the check follows the landmarks' relative motion
// and needs it; it does not reproduce the 3-D appearance of a real turn.
func turnFrames(t *testing.T, e *Engine, photo string, n int, amp float64) [][]byte {
	t.Helper()
	src, err := DecodeImage(photo, face(t, photo))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f := largest(e.det.Detect(src))
	// Work on a crop around the face.
	c := image.Rect(f.Box.Min.X-f.Box.Dx()/2, f.Box.Min.Y-f.Box.Dy()/2, f.Box.Max.X+f.Box.Dx()/2, f.Box.Max.Y+f.Box.Dy()/2).Intersect(image.Rect(0, 0, src.Cols(), src.Rows()))
	crop := src.Region(c)
	defer crop.Close()
	w, h := c.Dx(), c.Dy()
	nose := f.Landmarks[NoseTip]
	nx, ny := float64(nose.X)-float64(c.Min.X), float64(nose.Y)-float64(c.Min.Y)
	eyeDist := math.Hypot(float64(f.Landmarks[LeftEye].X-f.Landmarks[RightEye].X), float64(f.Landmarks[LeftEye].Y-f.Landmarks[RightEye].Y))
	sigma := 0.7 * eyeDist
	var frames [][]byte
	for k := 0; k < n; k++ {
		dx := amp * eyeDist * float64(k) / float64(n-1)
		mx := make([]byte, 4*w*h)
		my := make([]byte, 4*w*h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				g := math.Exp(-((float64(x)-nx)*(float64(x)-nx) + (float64(y)-ny)*(float64(y)-ny)) / (2 * sigma * sigma))
				binary.LittleEndian.PutUint32(mx[4*(y*w+x):], math.Float32bits(float32(float64(x)-dx*g)))
				binary.LittleEndian.PutUint32(my[4*(y*w+x):], math.Float32bits(float32(y)))
			}
		}
		mapX, _ := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV32F, mx)
		mapY, _ := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV32F, my)
		out := gocv.NewMat()
		gocv.Remap(crop, &out, &mapX, &mapY, gocv.InterpolationLinear, gocv.BorderReplicate, blackRGBA)
		buf, err := gocv.IMEncode(gocv.JPEGFileExt, out)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, append([]byte(nil), buf.GetBytes()...))
		buf.Close()
		out.Close()
		mapX.Close()
		mapY.Close()
	}
	return frames
}

func TestActiveLiveness(t *testing.T) {
	e := engine(t)
	left := turnFrames(t, e, "obama.jpg", 6, -0.8)
	r, err := e.ActiveLiveness(left, TurnLeft)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Live || r.TurnPermille > -MinTurnPermille {
		t.Fatalf("turn to the left: %+v", r)
	}
	t.Logf("turn left: %+v", r)
	// The same sequence does not answer the opposite challenge.
	if r, _ := e.ActiveLiveness(left, TurnRight); r.Live {
		t.Fatalf("left turn accepted for turn_right: %+v", r)
	}
	right := turnFrames(t, e, "obama.jpg", 5, 0.8)
	if r, _ := e.ActiveLiveness(right, TurnEither); !r.Live {
		t.Fatalf("turn right, either accepted: %+v", r)
	}
	if r, _ := e.ActiveLiveness(right, TurnRight); !r.Live {
		t.Fatalf("turn right: %+v", r)
	}
	// A still image repeated as frames fails; so does the still moved about as a whole (warp
	// amplitude 0, re-encoded).
	still := face(t, "obama.jpg")
	r, err = e.ActiveLiveness([][]byte{still, still, still, still, still}, TurnEither)
	if err != nil || r.Live || !containsReason(r.Reasons, features.NoMotion) {
		t.Fatalf("repeated still: %+v %v", r, err)
	}
	moved := turnFrames(t, e, "obama.jpg", 5, 0)
	if r, _ = e.ActiveLiveness(moved, TurnEither); r.Live {
		t.Fatalf("still re-encoded: %+v", r)
	}
	// Two people spliced: a turn ending on another face fails the same-person check.
	spliced := append(append([][]byte{}, left[:5]...), face(t, "astronaut.png"))
	if r, _ = e.ActiveLiveness(spliced, TurnLeft); r.Live || r.SamePerson {
		t.Fatalf("spliced: %+v", r)
	}
	if _, err := e.ActiveLiveness(left[:2], TurnLeft); err == nil {
		t.Fatal("2 frames accepted")
	}
	if _, err := e.ActiveLiveness(left, "blink"); err == nil {
		t.Fatal("unknown challenge accepted")
	}
}

func containsReason(rs []features.Reason, r features.Reason) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
