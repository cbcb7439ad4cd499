package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"

	"github.com/virtengine/sdk/biometrics"
)

// turnFrames synthesizes the frames of a short selfie video in which the head turns: frame k moves
// the nose region sideways by k/(n−1)·amp eye distances (negative: toward the image's left) with a
// smooth Gaussian mesh warp that leaves the eyes almost in place, on a crop around the face. There is
// no real selfie video in the test data; this exercises the landmark motion that active liveness
// measures (biometrics.ActiveLiveness), not the 3-D appearance of a real turn. It runs on the
// capturing device, not in consensus, so it may use floating point.
func turnFrames(photo []byte, f biometrics.Face, n int, amp float64) ([][]byte, error) {
	src, _, err := image.Decode(bytes.NewReader(photo))
	if err != nil {
		return nil, fmt.Errorf("face video source: %w", err)
	}
	b := f.Box
	c := image.Rect(b.Min.X-b.Dx()/2, b.Min.Y-b.Dy()/2, b.Max.X+b.Dx()/2, b.Max.Y+b.Dy()/2).Intersect(src.Bounds())
	nose, le, re := f.Landmarks[biometrics.NoseTip], f.Landmarks[biometrics.LeftEye], f.Landmarks[biometrics.RightEye]
	eyeDist := math.Hypot(float64(le.X-re.X), float64(le.Y-re.Y))
	sigma2 := 2 * (0.7 * eyeDist) * (0.7 * eyeDist)
	nx, ny := float64(nose.X), float64(nose.Y)
	var frames [][]byte
	for k := range n {
		dx := amp * eyeDist * float64(k) / float64(n-1)
		out := image.NewRGBA(image.Rect(0, 0, c.Dx(), c.Dy()))
		for y := c.Min.Y; y < c.Max.Y; y++ {
			for x := c.Min.X; x < c.Max.X; x++ {
				g := math.Exp(-((float64(x)-nx)*(float64(x)-nx) + (float64(y)-ny)*(float64(y)-ny)) / sigma2)
				sx := float64(x) - dx*g
				out.SetRGBA(x-c.Min.X, y-c.Min.Y, bilinear(src, c, sx, float64(y)))
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 92}); err != nil {
			return nil, err
		}
		frames = append(frames, buf.Bytes())
	}
	return frames, nil
}

// bilinear samples src at (x, y), clamped to r.
func bilinear(src image.Image, r image.Rectangle, x, y float64) color.RGBA {
	x = math.Max(float64(r.Min.X), math.Min(x, float64(r.Max.X-1)))
	x0 := int(x)
	x1 := min(x0+1, r.Max.X-1)
	wx := x - float64(x0)
	yi := int(y)
	var out [3]float64
	for _, p := range [2]struct {
		x int
		w float64
	}{{x0, 1 - wx}, {x1, wx}} {
		cr, cg, cb, _ := src.At(p.x, yi).RGBA()
		out[0] += float64(cr>>8) * p.w
		out[1] += float64(cg>>8) * p.w
		out[2] += float64(cb>>8) * p.w
	}
	return color.RGBA{uint8(out[0] + 0.5), uint8(out[1] + 0.5), uint8(out[2] + 0.5), 255}
}
