package biometrics

import (
	"encoding/json"
	"image"
	"math"
	"sort"
	"sync"

	"gocv.io/x/gocv"
)

// Point is a landmark in image pixels.
type Point struct{ X, Y float32 }

// Face is one detection: the box, the 5 landmarks in YuNet's order (see the Landmark constants) and
// the score √(class × IoU) in [0, 1].
type Face struct {
	Box       image.Rectangle `json:"box"`
	Landmarks [5]Point        `json:"landmarks"`
	Score     float32         `json:"score"`
}

// Landmark indexes Face.Landmarks. YuNet names them from the subject's side: the "right" eye is the
// one on the image's left.
const (
	RightEye = iota
	LeftEye
	NoseTip
	RightMouth
	LeftMouth
)

// Detector finds faces with YuNet (face_detection_yunet_2022mar.onnx). gocv v0.31.0 has no
// FaceDetectorYN, so the network runs through dnn and its outputs (loc, conf, iou) are decoded here as
// OpenCV 4.6's modules/objdetect/src/face_detect.cpp does. Safe for concurrent use.
type Detector struct {
	mu  sync.Mutex
	net gocv.Net
}

// NewDetector loads YuNet from an ONNX file.
func NewDetector(path string) (*Detector, error) {
	net := gocv.ReadNetFromONNX(path)
	if net.Empty() {
		net.Close()
		return nil, &ModelError{Path: path, Err: ErrModel}
	}
	return &Detector{net: net}, nil
}

// Close releases the network.
func (d *Detector) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.net.Close()
}

// Detect returns the faces in a BGR image, best score first: every face, YuNet run at DetectMaxSide.
func (d *Detector) Detect(img gocv.Mat) []Face { return d.detectAt(img, DetectMaxSide) }

// Subject finds the face to embed: a selfie's subject or a document's portrait (selectFace), with
// landmarks precise enough to align it. It also returns how many faces the pass that found it saw.
//
// YuNet first runs at SubjectDetectSide, a quarter of Detect's pixels, which finds faces down to about
// a sixth of the image's longer side (a face YuNet's input shows at 25 px). Only when that pass has no
// suitable face does it run again at DetectMaxSide. The face is then refined (Refine) unless the pass
// already showed it at least as large as Refine would.
func (d *Detector) Subject(img gocv.Mat, kind CaptureKind) (Face, int, bool) {
	side := SubjectDetectSide
	faces := d.detectAt(img, side)
	f, ok := selectFace(faces, kind)
	if !ok {
		side = DetectMaxSide
		faces = d.detectAt(img, side)
		f, ok = selectFace(faces, kind)
	}
	if !ok {
		return Face{}, len(faces), false
	}
	// The face's side in this pass's input, and in Refine's (at most refineSpan; never enlarged).
	native := min(f.Box.Dx(), f.Box.Dy())
	seen := native * side / max(img.Cols(), img.Rows())
	if seen < min(native, RefineMaxSide*100/RefineCropPct) {
		f = d.Refine(img, f)
	}
	return f, len(faces), true
}

// Refine re-detects a face on a crop around it, where the face fills most of YuNet's input, and
// returns it with more precise landmarks (alignment and pose depend on them). It returns f unchanged
// when the crop shows no face near the centre.
func (d *Detector) Refine(img gocv.Mat, f Face) Face {
	side := max(f.Box.Dx(), f.Box.Dy()) * RefineCropPct / 100
	cx, cy := (f.Box.Min.X+f.Box.Max.X)/2, (f.Box.Min.Y+f.Box.Max.Y)/2
	r := image.Rect(cx-side/2, cy-side/2, cx+side/2, cy+side/2).Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	if r.Dx() < MinImageSide || r.Dy() < MinImageSide {
		return f
	}
	crop := img.Region(r)
	defer crop.Close()
	faces := d.detectAt(crop, min(RefineMaxSide, max(r.Dx(), r.Dy())))
	c := image.Pt(cx-r.Min.X, cy-r.Min.Y)
	for _, g := range faces {
		if c.In(g.Box) {
			g.Box = g.Box.Add(r.Min)
			for i := range g.Landmarks {
				g.Landmarks[i].X += float32(r.Min.X)
				g.Landmarks[i].Y += float32(r.Min.Y)
			}
			return g
		}
	}
	return f
}

func (d *Detector) detectAt(img gocv.Mat, maxSide int) []Face {
	w, h := img.Cols(), img.Rows()
	if w == 0 || h == 0 {
		return nil
	}
	// Scale so the longer side is maxSide, then pad right and bottom to multiples of 32.
	s := float64(maxSide) / float64(max(w, h))
	sw, sh := max(1, int(math.Round(float64(w)*s))), max(1, int(math.Round(float64(h)*s)))
	inW, inH := (sw+31)/32*32, (sh+31)/32*32
	resized := gocv.NewMat()
	defer resized.Close()
	gocv.Resize(img, &resized, image.Pt(sw, sh), 0, 0, gocv.InterpolationLinear)
	padded := gocv.NewMat()
	defer padded.Close()
	gocv.CopyMakeBorder(resized, &padded, 0, inH-sh, 0, inW-sw, gocv.BorderConstant, blackRGBA)
	blob := gocv.BlobFromImage(padded, 1, image.Pt(inW, inH), gocv.NewScalar(0, 0, 0, 0), false, false)
	defer blob.Close()

	d.mu.Lock()
	d.net.SetInput(blob, "")
	outs := d.net.ForwardLayers([]string{"loc", "conf", "iou"})
	d.mu.Unlock()
	defer func() {
		for i := range outs {
			outs[i].Close()
		}
	}()
	if len(outs) != 3 {
		return nil
	}
	loc, err1 := outs[0].DataPtrFloat32()
	conf, err2 := outs[1].DataPtrFloat32()
	iou, err3 := outs[2].DataPtrFloat32()
	priors := yunetPriors(inW, inH)
	if err1 != nil || err2 != nil || err3 != nil || len(loc) < 14*len(priors) || len(conf) < 2*len(priors) || len(iou) < len(priors) {
		return nil
	}
	faces := decodeYuNet(loc, conf, iou, priors, inW, inH, 1/s)
	return nmsFaces(faces, w, h)
}

type prior struct{ cx, cy, w, h float64 }

// yunetPriors generates the anchors of face_detect.cpp generatePriors: feature maps at strides 8, 16,
// 32, 64 with the minimum sizes {10,16,24}, {32,48}, {64,96}, {128,192,256}.
func yunetPriors(inW, inH int) []prior {
	fw, fh := (inW+1)/2/2, (inH+1)/2/2
	minSizes := [][]float64{{10, 16, 24}, {32, 48}, {64, 96}, {128, 192, 256}}
	steps := []float64{8, 16, 32, 64}
	var out []prior
	for i := range steps {
		fw, fh = fw/2, fh/2
		for y := 0; y < fh; y++ {
			for x := 0; x < fw; x++ {
				for _, m := range minSizes[i] {
					out = append(out, prior{
						cx: (float64(x) + 0.5) * steps[i] / float64(inW), cy: (float64(y) + 0.5) * steps[i] / float64(inH),
						w: m / float64(inW), h: m / float64(inH),
					})
				}
			}
		}
	}
	return out
}

// decodeYuNet turns the raw outputs into faces in original-image pixels (inv = 1 / resize factor),
// keeping those above DetectScoreThreshold. Variances are 0.1 (centres) and 0.2 (sizes).
func decodeYuNet(loc, conf, iou []float32, priors []prior, inW, inH int, inv float64) []Face {
	var faces []Face
	W, H := float64(inW), float64(inH)
	for i, p := range priors {
		io := math.Min(math.Max(float64(iou[i]), 0), 1)
		score := math.Sqrt(math.Max(float64(conf[2*i+1]), 0) * io)
		if score < DetectScoreThreshold {
			continue
		}
		l := loc[14*i : 14*i+14]
		cx := (p.cx + float64(l[0])*0.1*p.w) * W
		cy := (p.cy + float64(l[1])*0.1*p.h) * H
		bw := p.w * math.Exp(float64(l[2])*0.2) * W
		bh := p.h * math.Exp(float64(l[3])*0.2) * H
		f := Face{Score: float32(score)}
		f.Box = image.Rect(int((cx-bw/2)*inv), int((cy-bh/2)*inv), int((cx+bw/2)*inv), int((cy+bh/2)*inv))
		for k := 0; k < 5; k++ {
			f.Landmarks[k] = Point{
				X: float32((p.cx + float64(l[4+2*k])*0.1*p.w) * W * inv),
				Y: float32((p.cy + float64(l[5+2*k])*0.1*p.h) * H * inv),
			}
		}
		faces = append(faces, f)
	}
	return faces
}

// nmsFaces keeps the best of overlapping faces and clips boxes to the image.
func nmsFaces(faces []Face, w, h int) []Face {
	sort.SliceStable(faces, func(i, j int) bool { return faces[i].Score > faces[j].Score })
	if len(faces) > DetectTopK {
		faces = faces[:DetectTopK]
	}
	var keep []Face
	for _, f := range faces {
		ok := true
		for _, k := range keep {
			if iouRect(f.Box, k.Box) > DetectNMSThreshold {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, f)
		}
	}
	bounds := image.Rect(0, 0, w, h)
	out := keep[:0]
	for _, f := range keep {
		f.Box = f.Box.Intersect(bounds)
		if !f.Box.Empty() {
			out = append(out, f)
		}
	}
	return out
}

func iouRect(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	if in.Empty() {
		return 0
	}
	ia := float64(in.Dx() * in.Dy())
	return ia / (float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - ia)
}

// MarshalJSON writes the box as x, y, width, height and landmarks as [x, y] pairs.
func (f Face) MarshalJSON() ([]byte, error) {
	type box struct {
		X int `json:"x"`
		Y int `json:"y"`
		W int `json:"width"`
		H int `json:"height"`
	}
	lm := make([][2]float32, len(f.Landmarks))
	for i, p := range f.Landmarks {
		lm[i] = [2]float32{p.X, p.Y}
	}
	return json.Marshal(struct {
		Box       box          `json:"box"`
		Landmarks [][2]float32 `json:"landmarks"`
		Score     float32      `json:"score"`
	}{box{f.Box.Min.X, f.Box.Min.Y, f.Box.Dx(), f.Box.Dy()}, lm, f.Score})
}
