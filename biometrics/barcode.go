package biometrics

import (
	"errors"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/aamva"
	"github.com/virtengine/sdk/biometrics/pdf417"
)

// ErrNoBarcode reports an image without a readable PDF417 symbol.
var ErrNoBarcode = errors.New("biometrics: no PDF417 barcode found")

// BarcodeResult is the AAMVA data read from the back of a driving licence.
type BarcodeResult struct {
	*aamva.License
	Raw []byte `json:"-"`
}

// ReadBarcode decodes a document image, reads its PDF417 symbol with zxing-cpp and parses it as AAMVA
// data. A symbol that is not AAMVA data returns the raw bytes with the parser's error.
func (e *Engine) ReadBarcode(name string, data []byte) (*BarcodeResult, error) {
	var res *BarcodeResult
	err := e.use(func() error {
		img, err := DecodeImage(name, data)
		if err != nil {
			return err
		}
		defer img.Close()
		gray := gocv.NewMat()
		defer gray.Close()
		gocv.CvtColor(img, &gray, gocv.ColorBGRToGray)
		syms, err := pdf417.Decode(gray.ToBytes(), gray.Cols(), gray.Rows())
		if err != nil {
			return &InputError{Input: name, Err: ErrNoBarcode, Detail: err.Error()}
		}
		lic, perr := aamva.Parse(syms[0].Bytes)
		res = &BarcodeResult{License: lic, Raw: syms[0].Bytes}
		return perr
	})
	return res, err
}
