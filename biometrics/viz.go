package biometrics

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/mrz"
)

// VIZReader reads the printed text of a document (the visual inspection zone, ICAO 9303-3 §2) with
// Tesseract's English model from the system (Debian's tesseract-ocr-eng), to cross-check it with the
// machine-readable zone. Safe for concurrent use.
type VIZReader struct {
	mu      sync.Mutex
	client  *gosseract.Client
	threads int // OpenMP threads Tesseract may use per call (see limitOpenMP)
}

// NewVIZReader opens Tesseract with the system's "eng" model (tessdataDir "" for the default path).
func NewVIZReader(tessdataDir string) (*VIZReader, error) {
	c := gosseract.NewClient()
	if tessdataDir != "" {
		if err := c.SetTessdataPrefix(tessdataDir); err != nil {
			c.Close()
			return nil, &ModelError{Path: tessdataDir, Err: err}
		}
	}
	if err := c.SetLanguage("eng"); err != nil {
		c.Close()
		return nil, &ModelError{Path: "eng.traineddata", Err: err}
	}
	return &VIZReader{client: c, threads: 1}, nil
}

// Close releases Tesseract.
func (v *VIZReader) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.client.Close()
}

// Text returns the printed text of a document image, without the lines of the MRZ.
func (v *VIZReader) Text(img gocv.Mat) (string, error) {
	buf, err := gocv.IMEncode(bmpFileExt, img) // uncompressed: nothing to deflate and inflate
	if err != nil {
		return "", err
	}
	defer buf.Close()
	v.mu.Lock()
	defer v.mu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	limitOpenMP(v.threads)
	if err := v.client.SetImageFromBytes(buf.GetBytes()); err != nil {
		return "", err
	}
	text, err := v.client.Text()
	if err != nil {
		return "", err
	}
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.Contains(l, "<<") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n"), nil
}

// VIZCheck is the cross-check of MRZ fields against the printed text.
type VIZCheck struct {
	Field string `json:"field"`
	Value string `json:"value"`
	Found bool   `json:"found"`
}

var nonAlnum = regexp.MustCompile(`[^A-Z0-9]+`)

// normVIZ upper-cases text and turns every run of other characters into one space.
func normVIZ(s string) string {
	return " " + strings.TrimSpace(nonAlnum.ReplaceAllString(strings.ToUpper(s), " ")) + " "
}

var monthNames = [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

// CrossCheckVIZ looks for the zone's surname, given names, document number and birth date in the
// printed text. Dates are accepted as day, month (number or English name) and year (2 or 4 digits),
// with one optional word between month and year (bilingual documents print "AUGUST/AOÛT").
func CrossCheckVIZ(z *mrz.Result, vizText string) []VIZCheck {
	t := normVIZ(vizText)
	compact := strings.ReplaceAll(t, " ", "")
	var out []VIZCheck
	add := func(field, value string, found bool) {
		if value != "" {
			out = append(out, VIZCheck{Field: field, Value: value, Found: found})
		}
	}
	add("surname", z.Surname, strings.Contains(t, normVIZ(z.Surname)))
	add("given_names", z.GivenNames, strings.Contains(t, normVIZ(z.GivenNames)))
	add("document_number", z.DocumentNumber, z.DocumentNumber != "" && strings.Contains(compact, strings.ReplaceAll(z.DocumentNumber, " ", "")))
	if len(z.BirthDate) == 6 && isDigitsOnly(z.BirthDate) {
		yy, mm, dd := z.BirthDate[0:2], z.BirthDate[2:4], z.BirthDate[4:6]
		m := int(mm[0]-'0')*10 + int(mm[1]-'0')
		month := mm + "|" + strings.TrimPrefix(mm, "0")
		if m >= 1 && m <= 12 {
			month += "|" + monthNames[m-1] + "[A-Z]*"
		}
		re := regexp.MustCompile(fmt.Sprintf(` 0?%s (%s) ([A-Z]+ )?(\d\d)?%s `, strings.TrimPrefix(dd, "0"), month, yy))
		add("birth_date", z.BirthDate, re.MatchString(t))
	}
	return out
}

func isDigitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ErrNoVIZModel reports a system without Tesseract's "eng" model (Debian package tesseract-ocr-eng).
var ErrNoVIZModel = fmt.Errorf("%w: Tesseract eng model (install tesseract-ocr-eng)", ErrModel)

// CrossCheck reads a document's zone and its printed text and checks one against the other.
func (e *Engine) CrossCheck(name string, data []byte) (*MRZResult, []VIZCheck, error) {
	var res *MRZResult
	var checks []VIZCheck
	err := e.use(func() error {
		img, err := DecodeImage(name, data)
		if err != nil {
			return err
		}
		defer img.Close()
		var merr error
		if res, merr = e.mrz.ReadMRZ(name, img); res == nil {
			return merr
		}
		checks, err = e.vizChecks(img, res.Result)
		if err != nil {
			return err
		}
		return merr
	})
	return res, checks, err
}

func (e *Engine) vizChecks(img gocv.Mat, z *mrz.Result) ([]VIZCheck, error) {
	if e.viz == nil {
		return nil, ErrNoVIZModel
	}
	text, err := e.viz.Text(img)
	if err != nil {
		return nil, err
	}
	return CrossCheckVIZ(z, text), nil
}
