package biometrics

import (
	"image"

	"gocv.io/x/gocv"
)

// chipTemplate is where the 5 landmarks land in a 150×150 chip, in YuNet's order (image-left eye,
// image-right eye, nose tip, image-left and image-right mouth corners). The points are dlib's mean
// face shape (dlib/image_transforms/interpolation.h, get_face_chip_details: the 68-point template;
// eyes are the mean of points 36–41 and 42–47, nose tip point 30, mouth corners 48 and 54) mapped with
// dlib's chip padding of 0.25: x_chip = (x + 0.25) / 1.5 × 150. dlib's ResNet was trained on such
// chips.
var chipTemplate = [5]Point{
	{47.54, 46.60}, {100.48, 46.60}, {74.01, 76.56}, {50.41, 103.02}, {97.61, 103.02},
}

// similarity returns the 2×3 matrix [a −b tx; b a ty] of the least-squares similarity transform
// (rotation, uniform scale, translation; Umeyama 1991 without reflection) mapping src onto dst.
func similarity(src, dst [5]Point) [6]float64 {
	var pmx, pmy, qmx, qmy float64
	for i := range src {
		pmx += float64(src[i].X)
		pmy += float64(src[i].Y)
		qmx += float64(dst[i].X)
		qmy += float64(dst[i].Y)
	}
	n := float64(len(src))
	pmx, pmy, qmx, qmy = pmx/n, pmy/n, qmx/n, qmy/n
	var num1, num2, den float64
	for i := range src {
		px, py := float64(src[i].X)-pmx, float64(src[i].Y)-pmy
		qx, qy := float64(dst[i].X)-qmx, float64(dst[i].Y)-qmy
		num1 += px*qx + py*qy
		num2 += px*qy - py*qx
		den += px*px + py*py
	}
	if den == 0 {
		return [6]float64{1, 0, qmx - pmx, 0, 1, qmy - pmy}
	}
	a, b := num1/den, num2/den
	return [6]float64{a, -b, qmx - (a*pmx - b*pmy), b, a, qmy - (b*pmx + a*pmy)}
}

// Align warps the face onto the 150×150 chip template (the caller closes the returned Mat).
func Align(img gocv.Mat, f Face) gocv.Mat {
	m := similarity(f.Landmarks, chipTemplate)
	tm := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer tm.Close()
	for i, v := range m {
		tm.SetDoubleAt(i/3, i%3, v)
	}
	chip := gocv.NewMat()
	gocv.WarpAffineWithParams(img, &chip, tm, image.Pt(ChipSize, ChipSize), gocv.InterpolationLinear, gocv.BorderConstant, blackRGBA)
	return chip
}
