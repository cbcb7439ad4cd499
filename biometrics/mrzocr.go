package biometrics

import (
	"image"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/mrz"
)

// MRZ location works on a copy whose height is mrzLocateHeight; OCR runs on the zone cut from the
// full-resolution image, scaled to mrzOCRWidth pixels wide (shrunk with area averaging, enlarged
// with cubic interpolation). The width is not a cost lever: Tesseract rescales each text line to its
// network's input height, and one OCR pass of a TD3 zone costs about 60 ms of CPU at 500 px, 87 at
// 1000 and 100 at 1400. But the low-resolution 100_id-usa.jpg (a 570 px TD1 zone) reads exactly only
// when enlarged to 1400 (at 800–1200 px one digit of line 1 changes), so 1400 stays.
const (
	mrzLocateHeight = 600
	mrzMinAspect    = 3  // a zone is much wider than tall (TD1: 3 lines of 30)
	mrzMinWidthPct  = 40 // and spans a large part of the image
	mrzOCRWidth     = 1400
	mrzWhitelist    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
	bmpFileExt      = gocv.FileExt(".bmp")
)

// MRZReader locates and reads machine-readable zones with Tesseract and the OCR-B model
// mrz.traineddata (language "mrz", page segmentation mode 6, whitelist A–Z 0–9 <). Safe for concurrent
// use (calls are serialised on one Tesseract handle).
type MRZReader struct {
	mu      sync.Mutex
	client  *gosseract.Client
	threads int // OpenMP threads Tesseract may use per call (see limitOpenMP)
}

// NewMRZReader opens Tesseract with the mrz model found in tessdataDir.
func NewMRZReader(tessdataDir string) (*MRZReader, error) {
	c := gosseract.NewClient()
	if err := c.SetTessdataPrefix(tessdataDir); err != nil {
		c.Close()
		return nil, &ModelError{Path: tessdataDir, Err: err}
	}
	if err := c.SetLanguage("mrz"); err != nil {
		c.Close()
		return nil, &ModelError{Path: tessdataDir, Err: err}
	}
	c.SetPageSegMode(gosseract.PSM_SINGLE_BLOCK)
	c.SetWhitelist(mrzWhitelist)
	return &MRZReader{client: c, threads: 1}, nil
}

// Close releases Tesseract.
func (r *MRZReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.client.Close()
}

// locateMRZ finds the zone by morphology (after A. Rosebrock's passport MRZ detector): a black-hat
// transform brings out dark text on a light background, a horizontal Scharr gradient and closing join
// the characters of a line, a second closing joins the lines, and the widest flat blob in the lower
// part of the document is the zone. It returns the rectangle in img's pixels.
func locateMRZ(gray gocv.Mat) (image.Rectangle, bool) {
	s := float64(mrzLocateHeight) / float64(gray.Rows())
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(gray, &small, image.Pt(int(float64(gray.Cols())*s), mrzLocateHeight), 0, 0, gocv.InterpolationArea)
	gocv.GaussianBlur(small, &small, image.Pt(3, 3), 0, 0, gocv.BorderDefault)

	rect := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(13, 5))
	defer rect.Close()
	sq := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(21, 21))
	defer sq.Close()
	black := gocv.NewMat()
	defer black.Close()
	gocv.MorphologyEx(small, &black, gocv.MorphBlackhat, rect)
	grad := gocv.NewMat()
	defer grad.Close()
	gocv.Sobel(black, &grad, gocv.MatTypeCV32F, 1, 0, -1, 1, 0, gocv.BorderDefault) // ksize −1: Scharr
	gocv.ConvertScaleAbs(grad, &grad, 1, 0)
	gocv.Normalize(grad, &grad, 0, 255, gocv.NormMinMax)
	gocv.MorphologyEx(grad, &grad, gocv.MorphClose, rect)
	thr := gocv.NewMat()
	defer thr.Close()
	gocv.Threshold(grad, &thr, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
	gocv.MorphologyEx(thr, &thr, gocv.MorphClose, sq)
	gocv.Erode(thr, &thr, gocv.NewMat())
	// Clear a border so blobs touching the edge do not merge with it.
	contours := gocv.FindContours(thr, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer contours.Close()
	type cand struct {
		r    image.Rectangle
		area int
	}
	var cands []cand
	for i := 0; i < contours.Size(); i++ {
		r := gocv.BoundingRect(contours.At(i))
		if r.Dy() == 0 {
			continue
		}
		if r.Dx()/r.Dy() >= mrzMinAspect && r.Dx()*100 >= small.Cols()*mrzMinWidthPct {
			cands = append(cands, cand{r, r.Dx() * r.Dy()})
		}
	}
	if len(cands) == 0 {
		return image.Rectangle{}, false
	}
	// The zone is at the bottom: prefer the lowest large candidate.
	sort.Slice(cands, func(i, j int) bool { return cands[i].r.Max.Y > cands[j].r.Max.Y })
	r := cands[0].r
	// Grow by a margin (the closing trims the text's ends) and map back.
	px, py := r.Dx()*3/100+4, r.Dy()*15/100+4
	r = image.Rect(r.Min.X-px, r.Min.Y-py, r.Max.X+px, r.Max.Y+py)
	back := image.Rect(int(float64(r.Min.X)/s), int(float64(r.Min.Y)/s), int(float64(r.Max.X)/s), int(float64(r.Max.Y)/s))
	return back.Intersect(image.Rect(0, 0, gray.Cols(), gray.Rows())), true
}

// ocrZone reads the text of the zone.
func (r *MRZReader) ocrZone(gray gocv.Mat, zone image.Rectangle) (string, error) {
	roi := gray.Region(zone)
	defer roi.Close()
	scaled := gocv.NewMat()
	defer scaled.Close()
	s := float64(mrzOCRWidth) / float64(zone.Dx())
	interp := gocv.InterpolationCubic
	if s < 1 {
		interp = gocv.InterpolationArea
	}
	gocv.Resize(roi, &scaled, image.Pt(mrzOCRWidth, max(1, int(float64(zone.Dy())*s))), 0, 0, interp)
	padded := gocv.NewMat()
	defer padded.Close()
	gocv.CopyMakeBorder(scaled, &padded, 20, 20, 20, 20, gocv.BorderReplicate, blackRGBA)
	// BMP: Leptonica reads it without inflating anything (PNG's zlib was 8% of an OCR call).
	buf, err := gocv.IMEncode(bmpFileExt, padded)
	if err != nil {
		return "", err
	}
	defer buf.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	// The OpenMP limit belongs to the OS thread that calls Tesseract: pin the goroutine to it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	limitOpenMP(r.threads)
	if err := r.client.SetImageFromBytes(buf.GetBytes()); err != nil {
		return "", err
	}
	return r.client.Text()
}

// mrzCandidates picks possible zones from OCR text: every run of 2 or 3 consecutive lines of at least
// 28 characters (spaces removed; shorter lines are noise), each line fitted to the layout's length by
// trimming or padding fillers at the end. Runs from the bottom come first.
func mrzCandidates(text string) [][]string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if len(l) >= 28 {
			lines = append(lines, l)
		}
	}
	var out [][]string
	for end := len(lines); end >= 2; end-- {
		for _, k := range []int{2, 3} {
			if end-k < 0 {
				continue
			}
			win := lines[end-k : end]
			lengths := []int{44, 36}
			if k == 3 {
				lengths = []int{30}
			}
			for _, want := range lengths {
				fitted := make([]string, k)
				for i, l := range win {
					if len(l) > want {
						l = strings.TrimRight(l, "<")
						if len(l) > want {
							l = l[:want]
						}
					}
					fitted[i] = l + strings.Repeat("<", want-len(l))
				}
				out = append(out, fitted)
			}
		}
	}
	return out
}

// MRZResult is what was read from a document image.
type MRZResult struct {
	*mrz.Result
	Zone    image.Rectangle `json:"zone"`
	OCRText string          `json:"ocr_text"`
}

// ReadMRZ locates the zone in a document image, reads it and parses it. It returns ErrNoMRZ when no
// zone is found or the text has no MRZ layout; otherwise the parsed result, with the parser's
// *mrz.InvalidError when a check digit fails.
func (r *MRZReader) ReadMRZ(name string, img gocv.Mat) (*MRZResult, error) {
	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(img, &gray, gocv.ColorBGRToGray)
	// Candidates: the located zone, then the bottom third of the document (where ICAO 9303-3 §4.1
	// puts the zone), for documents whose background defeats the morphology.
	var zones []image.Rectangle
	if zone, ok := locateMRZ(gray); ok {
		zones = append(zones, zone)
	}
	zones = append(zones, image.Rect(0, gray.Rows()*2/3, gray.Cols(), gray.Rows()))
	var best *MRZResult
	var bestErr error
	for _, zone := range zones {
		text, err := r.ocrZone(gray, zone)
		if err != nil {
			continue
		}
		for _, lines := range mrzCandidates(text) {
			res, perr := mrz.Parse(lines)
			if res == nil {
				continue
			}
			if perr == nil {
				return &MRZResult{Result: res, Zone: zone, OCRText: text}, nil
			}
			if best == nil || len(res.Corrections) == 0 && failedChecks(res) < failedChecks(best.Result) {
				best, bestErr = &MRZResult{Result: res, Zone: zone, OCRText: text}, perr
			}
		}
	}
	if best == nil {
		return nil, &InputError{Input: name, Err: ErrNoMRZ, Detail: "no text with an MRZ layout"}
	}
	return best, bestErr
}

func failedChecks(r *mrz.Result) int {
	n := 0
	for _, c := range r.Checks {
		if !c.OK {
			n++
		}
	}
	return n
}

// ReadMRZ decodes a document image and reads its machine-readable zone (see MRZReader.ReadMRZ).
func (e *Engine) ReadMRZ(name string, data []byte) (*MRZResult, error) {
	var res *MRZResult
	err := e.use(func() error {
		img, err := DecodeImage(name, data)
		if err != nil {
			return err
		}
		defer img.Close()
		var rerr error
		res, rerr = e.mrz.ReadMRZ(name, img)
		return rerr
	})
	return res, err
}
