package biometrics

import (
	"image"
	"math"
	"sync"

	"gocv.io/x/gocv"
)

// PassiveLiveness scores one image with minivision-ai's Silent-Face anti-spoofing models: MiniFASNetV2
// on the face box scaled 2.7× and MiniFASNetV1SE on the box scaled 4.0×, each 80×80 BGR with raw
// 0–255 values, 3 logits whose softmax index 1 is "real". The ensemble averages the two "real"
// probabilities (Silent-Face test.py sums the softmaxes). Safe for concurrent use.
type PassiveLiveness struct {
	mu     sync.Mutex
	nets   [2]gocv.Net
	scales [2]float64
}

// NewPassiveLiveness loads the two models.
func NewPassiveLiveness(v2Path, v1sePath string) (*PassiveLiveness, error) {
	p := &PassiveLiveness{scales: [2]float64{2.7, 4.0}}
	for i, path := range []string{v2Path, v1sePath} {
		p.nets[i] = gocv.ReadNetFromONNX(path)
		if p.nets[i].Empty() {
			for j := 0; j <= i; j++ {
				p.nets[j].Close()
			}
			return nil, &ModelError{Path: path, Err: ErrModel}
		}
	}
	return p, nil
}

// Close releases both networks.
func (p *PassiveLiveness) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.nets {
		p.nets[i].Close()
	}
	return nil
}

// ScoreBP returns the ensemble's probability that the face is real, in basis points.
func (p *PassiveLiveness) ScoreBP(img gocv.Mat, f Face) int {
	var sum float64
	for i := range p.nets {
		r := spoofCrop(img.Cols(), img.Rows(), f.Box, p.scales[i])
		crop := img.Region(r)
		small := gocv.NewMat()
		gocv.Resize(crop, &small, image.Pt(LivenessInput, LivenessInput), 0, 0, gocv.InterpolationLinear)
		crop.Close()
		blob := gocv.BlobFromImage(small, 1, image.Pt(LivenessInput, LivenessInput), gocv.NewScalar(0, 0, 0, 0), false, false)
		small.Close()
		p.mu.Lock()
		p.nets[i].SetInput(blob, "")
		out := p.nets[i].Forward("")
		p.mu.Unlock()
		blob.Close()
		d, err := out.DataPtrFloat32()
		if err == nil && len(d) == 3 {
			sum += softmax3(d)[1]
		}
		out.Close()
	}
	return int(math.Round(sum / float64(len(p.nets)) * 10000))
}

func softmax3(d []float32) [3]float64 {
	m := math.Max(float64(d[0]), math.Max(float64(d[1]), float64(d[2])))
	var e [3]float64
	var s float64
	for i := range e {
		e[i] = math.Exp(float64(d[i]) - m)
		s += e[i]
	}
	for i := range e {
		e[i] /= s
	}
	return e
}

// spoofCrop is Silent-Face's CropImage._get_new_box: the box scaled about its centre by scale (less
// when the image is too small), shifted to stay inside the image.
func spoofCrop(w, h int, box image.Rectangle, scale float64) image.Rectangle {
	bw, bh := float64(box.Dx()), float64(box.Dy())
	if bw <= 0 || bh <= 0 {
		return image.Rect(0, 0, w, h)
	}
	scale = math.Min(scale, math.Min(float64(h-1)/bh, float64(w-1)/bw))
	nw, nh := bw*scale, bh*scale
	cx, cy := float64(box.Min.X)+bw/2, float64(box.Min.Y)+bh/2
	x0, y0, x1, y1 := cx-nw/2, cy-nh/2, cx+nw/2, cy+nh/2
	if x0 < 0 {
		x1 -= x0
		x0 = 0
	}
	if y0 < 0 {
		y1 -= y0
		y0 = 0
	}
	if x1 > float64(w-1) {
		x0 -= x1 - float64(w-1)
		x1 = float64(w - 1)
	}
	if y1 > float64(h-1) {
		y0 -= y1 - float64(h-1)
		y1 = float64(h - 1)
	}
	r := image.Rect(int(x0), int(y0), int(x1)+1, int(y1)+1).Intersect(image.Rect(0, 0, w, h))
	if r.Empty() {
		return image.Rect(0, 0, w, h)
	}
	return r
}

// LivenessResult is the passive-liveness verdict on one image.
type LivenessResult struct {
	Live    bool `json:"live"`
	ScoreBP int  `json:"score"` // ensemble probability of a real face, basis points
	Face    Face `json:"face"`
}

// Liveness runs passive anti-spoofing on the subject of a selfie (selectFace).
func (e *Engine) Liveness(name string, data []byte) (*LivenessResult, error) {
	var res *LivenessResult
	err := e.use(func() error {
		img, err := DecodeImage(name, data)
		if err != nil {
			return err
		}
		defer img.Close()
		faces := e.det.Detect(img)
		if len(faces) == 0 {
			return &InputError{Input: name, Err: ErrNoFace}
		}
		f, _ := selectFace(faces, Selfie)
		s := e.live.ScoreBP(img, f)
		res = &LivenessResult{Live: s > LivenessThresholdBP, ScoreBP: s, Face: f}
		return nil
	})
	return res, err
}
