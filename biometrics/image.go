package biometrics

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // header parsing for DecodeConfig
	_ "image/png"

	"gocv.io/x/gocv"
)

// DecodeImage decodes a JPEG or PNG into a BGR Mat (the caller closes it). It reads the header first
// and refuses images beyond MaxImageSide/MaxImagePixels or below MinImageSide before decoding pixels.
// EXIF orientation is applied.
func DecodeImage(name string, data []byte) (gocv.Mat, error) {
	fail := func(err error, detail string) (gocv.Mat, error) {
		return gocv.NewMat(), &InputError{Input: name, Err: err, Detail: detail}
	}
	switch {
	case len(data) == 0:
		return fail(ErrEmptyImage, "")
	case len(data) > MaxImageBytes:
		return fail(ErrTooLarge, fmt.Sprintf("%d bytes, at most %d", len(data), MaxImageBytes))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return fail(ErrNotImage, err.Error())
	}
	if format != "jpeg" && format != "png" {
		return fail(ErrNotImage, format)
	}
	if cfg.Width > MaxImageSide || cfg.Height > MaxImageSide || cfg.Width*cfg.Height > MaxImagePixels {
		return fail(ErrTooLarge, fmt.Sprintf("%d×%d", cfg.Width, cfg.Height))
	}
	if cfg.Width < MinImageSide || cfg.Height < MinImageSide {
		return fail(ErrTooSmall, fmt.Sprintf("%d×%d, at least %d a side", cfg.Width, cfg.Height, MinImageSide))
	}
	m, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err != nil {
		return fail(ErrNotImage, err.Error())
	}
	if m.Empty() {
		m.Close()
		return fail(ErrNotImage, "decoder failed")
	}
	return m, nil
}
