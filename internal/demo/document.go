package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
)

// expand grows r around its centre by num/den, clamped to bounds.
func expand(r image.Rectangle, num, den int, bounds image.Rectangle) image.Rectangle {
	cx, cy := (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2
	hw, hh := r.Dx()*num/den/2, r.Dy()*num/den/2
	return image.Rect(cx-hw, cy-hh, cx+hw, cy+hh).Intersect(bounds)
}

// scaleInto draws src (region sr) into dst region dr with bilinear sampling in integer arithmetic.
func scaleInto(dst *image.RGBA, dr image.Rectangle, src image.Image, sr image.Rectangle) {
	if dr.Empty() || sr.Empty() {
		return
	}
	const one = 1 << 16
	for y := dr.Min.Y; y < dr.Max.Y; y++ {
		fy := (y-dr.Min.Y)*sr.Dy()*one/dr.Dy() + sr.Min.Y*one
		y0 := fy / one
		y1 := min(y0+1, sr.Max.Y-1)
		wy := fy % one
		for x := dr.Min.X; x < dr.Max.X; x++ {
			fx := (x-dr.Min.X)*sr.Dx()*one/dr.Dx() + sr.Min.X*one
			x0 := fx / one
			x1 := min(x0+1, sr.Max.X-1)
			wx := fx % one
			var out [3]int
			for _, p := range [4]struct{ x, y, w int }{
				{x0, y0, (one - wx) * (one - wy) / one}, {x1, y0, wx * (one - wy) / one},
				{x0, y1, (one - wx) * wy / one}, {x1, y1, wx * wy / one},
			} {
				r, g, b, _ := src.At(p.x, p.y).RGBA()
				out[0] += int(r>>8) * p.w
				out[1] += int(g>>8) * p.w
				out[2] += int(b>>8) * p.w
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(out[0] / one), uint8(out[1] / one), uint8(out[2] / one), 255})
		}
	}
}

// printPortrait prints the face of a portrait photo onto an identity document, over the
// document's own portrait: there is no real selfie-and-document pair in the test data, so the demo
// makes one (shared/README.md suggests exactly this). docFace and portraitFace are the detected
// face boxes. The printed portrait is made larger than the original so it is the document's
// largest face.
func printPortrait(doc, portrait []byte, docFace, portraitFace image.Rectangle) ([]byte, error) {
	d, err := jpeg.Decode(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("document image: %w", err)
	}
	p, _, err := image.Decode(bytes.NewReader(portrait))
	if err != nil {
		return nil, fmt.Errorf("portrait image: %w", err)
	}
	out := image.NewRGBA(d.Bounds())
	draw.Draw(out, out.Bounds(), d, d.Bounds().Min, draw.Src)
	// Target: the document portrait area (face box × 1.8), kept at the source's aspect ratio.
	src := expand(portraitFace, 18, 10, p.Bounds())
	dst := expand(docFace, 18, 10, d.Bounds())
	dst.Max.X = dst.Min.X + dst.Dy()*src.Dx()/max(src.Dy(), 1)
	scaleInto(out, dst.Intersect(out.Bounds()), p, src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 92}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
