package biometrics

import (
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/features"
)

// CaptureKind says what an image should show; the thresholds differ.
type CaptureKind int

// Capture kinds.
const (
	Selfie CaptureKind = iota
	Document
)

// Capture-quality thresholds (FEATURES.md §5.4). Blur and exposure are measured on the face region
// (a selfie) or the whole image (a document), resized to qualityWidth so the numbers do not depend on
// resolution.
const (
	SelfieMinLong, SelfieMinShort     = 640, 480
	DocumentMinLong, DocumentMinShort = 1024, 768
	qualityWidth                      = 256
	// MinSharpness is the least variance of the Laplacian (3×3) accepted. The test portraits measure
	// 150–1500; a 9×9 Gaussian blur brings them under 40.
	MinSharpness = 60
	// Exposure bounds on the mean grey level (0–255); paper is bright, so documents may be brighter.
	MinBrightness, MaxBrightness = 50, 205
	MaxDocumentBrightness        = 245
	// MaxGlarePermille bounds the share of glare pixels, in thousandths: saturated (≥ 250) on the face
	// of a selfie; on a document, saturated where the surroundings (a 31×31 mean) are not (< 200),
	// i.e. a specular highlight rather than white paper.
	MaxGlarePermille = 20
	// MinFaceHeightPct is the least face-box height of a selfie, in percent of the image height.
	MinFaceHeightPct = 15
	// MaxYawPermille bounds the nose's offset from the eyes' midpoint, in thousandths of the eye
	// distance (about 0.35 for a 25° turn); MaxRollDeg the eye line's tilt.
	MaxYawPermille = 350
	MaxRollDeg     = 20
	// qualityPenaltyBP is taken off 10000 for each failed check.
	qualityPenaltyBP = 2000
)

// QualityResult measures a capture. Every failed check adds a reason code the capturing app can show.
type QualityResult struct {
	Width         int               `json:"width"`
	Height        int               `json:"height"`
	Sharpness     int               `json:"sharpness"`  // variance of the Laplacian
	Brightness    int               `json:"brightness"` // mean grey level
	GlarePermille int               `json:"glare_permille"`
	Faces         int               `json:"faces"`
	FaceHeightPct int               `json:"face_height_pct,omitempty"`
	YawPermille   int               `json:"yaw_permille,omitempty"`
	RollDeg       int               `json:"roll_deg,omitempty"`
	ScoreBP       uint32            `json:"score"`
	Reasons       []features.Reason `json:"reasons"`
}

// Quality decodes an image and measures it as kind.
func (e *Engine) Quality(name string, data []byte, kind CaptureKind) (*QualityResult, error) {
	var res *QualityResult
	err := e.use(func() error {
		img, err := DecodeImage(name, data)
		if err != nil {
			return err
		}
		defer img.Close()
		res = e.quality(img, kind)
		return nil
	})
	return res, err
}

func (e *Engine) quality(img gocv.Mat, kind CaptureKind) *QualityResult {
	q := &QualityResult{Width: img.Cols(), Height: img.Rows()}
	long, short := max(q.Width, q.Height), min(q.Width, q.Height)
	minLong, minShort := SelfieMinLong, SelfieMinShort
	if kind == Document {
		minLong, minShort = DocumentMinLong, DocumentMinShort
	}
	if long < minLong || short < minShort {
		q.Reasons = append(q.Reasons, features.LowResolution)
	}
	region := image.Rect(0, 0, q.Width, q.Height)
	faces := e.det.Detect(img)
	q.Faces = len(faces)
	if kind == Selfie {
		switch len(faces) {
		case 0:
			q.Reasons = append(q.Reasons, features.NoFace)
		default:
			if len(faces) > 1 {
				q.Reasons = append(q.Reasons, features.MultipleFaces)
			}
			f, _ := selectFace(faces, Selfie)
			region = f.Box
			q.FaceHeightPct = f.Box.Dy() * 100 / q.Height
			if q.FaceHeightPct < MinFaceHeightPct {
				q.Reasons = append(q.Reasons, features.FaceTooSmall)
			}
			q.YawPermille, q.RollDeg = pose(e.det.Refine(img, f))
			if abs(q.YawPermille) > MaxYawPermille || abs(q.RollDeg) > MaxRollDeg {
				q.Reasons = append(q.Reasons, features.PoseTooLarge)
			}
		}
	}
	q.Sharpness, q.Brightness, q.GlarePermille = measure(img, region, kind == Document)
	if q.Sharpness < MinSharpness {
		q.Reasons = append(q.Reasons, features.Blurry)
	}
	switch {
	case q.Brightness < MinBrightness:
		q.Reasons = append(q.Reasons, features.Underexposed)
	case kind == Selfie && q.Brightness > MaxBrightness, q.Brightness > MaxDocumentBrightness:
		q.Reasons = append(q.Reasons, features.Overexposed)
	}
	if q.GlarePermille > MaxGlarePermille {
		q.Reasons = append(q.Reasons, features.Glare)
	}
	q.ScoreBP = features.BP(int64(features.MaxBP - qualityPenaltyBP*len(q.Reasons)))
	f := features.Features{Reasons: q.Reasons}
	f.Normalize()
	q.Reasons = f.Reasons
	if q.Reasons == nil {
		q.Reasons = []features.Reason{}
	}
	return q
}

// measure returns the variance of the Laplacian, the mean grey level and the share of saturated
// pixels (‰) of region, resized to qualityWidth wide.
func measure(img gocv.Mat, region image.Rectangle, paper bool) (sharp, bright, glare int) {
	roi := img.Region(region)
	defer roi.Close()
	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(roi, &gray, gocv.ColorBGRToGray)
	h := max(1, region.Dy()*qualityWidth/max(1, region.Dx()))
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(gray, &small, image.Pt(qualityWidth, h), 0, 0, gocv.InterpolationArea)
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(small, &lap, gocv.MatTypeCV64F, 3, 1, 0, gocv.BorderDefault)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	sd := std.GetDoubleAt(0, 0)
	sharp = int(sd * sd)
	gocv.MeanStdDev(small, &mean, &std)
	bright = int(math.Round(mean.GetDoubleAt(0, 0)))
	sat := gocv.NewMat()
	defer sat.Close()
	gocv.Threshold(small, &sat, 249, 255, gocv.ThresholdBinary)
	if paper {
		local := gocv.NewMat()
		defer local.Close()
		gocv.Blur(small, &local, image.Pt(31, 31))
		darkAround := gocv.NewMat()
		defer darkAround.Close()
		gocv.Threshold(local, &darkAround, 199, 255, gocv.ThresholdBinaryInv)
		gocv.BitwiseAnd(sat, darkAround, &sat)
	}
	glare = gocv.CountNonZero(sat) * 1000 / max(1, small.Rows()*small.Cols())
	return sharp, bright, glare
}

// pose estimates yaw from the nose's horizontal offset to the eyes' midpoint (‰ of the eye distance)
// and roll from the eye line's angle.
func pose(f Face) (yawPermille, rollDeg int) {
	re, le, nose := f.Landmarks[RightEye], f.Landmarks[LeftEye], f.Landmarks[NoseTip]
	dx, dy := float64(le.X-re.X), float64(le.Y-re.Y)
	d := math.Hypot(dx, dy)
	if d == 0 {
		return 0, 0
	}
	// Project the nose offset on the eye line.
	mx, my := float64(re.X+le.X)/2, float64(re.Y+le.Y)/2
	off := ((float64(nose.X)-mx)*dx + (float64(nose.Y)-my)*dy) / d
	return int(math.Round(off / d * 1000)), int(math.Round(math.Atan2(dy, dx) * 180 / math.Pi))
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
