// Package pdf417 decodes PDF417 barcodes (the back of North American driving licences) with
// zxing-cpp 1.4 (Debian's libzxing-dev) through a small cgo wrapper. Package aamva parses what the
// barcode of a driving licence holds.
//
//	syms, err := pdf417.DecodeImage(pngOrJPEG)
//	lic, err := aamva.Parse(syms[0].Bytes)
package pdf417

// #cgo CXXFLAGS: -std=c++17 -O2
// #cgo LDFLAGS: -lZXing
// #include <stdlib.h>
// #include "zxing.h"
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // formats DecodeImage reads
	_ "image/png"
	"unsafe"
)

// Limits on the images the decoder accepts, checked from the header before pixels are decoded.
const (
	MaxImageBytes  = 32 << 20
	MaxImageSide   = 8192
	MaxImagePixels = 40_000_000
	// MaxSymbols bounds the symbols returned from one image.
	MaxSymbols = 8
)

// Errors.
var (
	ErrNotFound = errors.New("pdf417: no barcode found")
	ErrImage    = errors.New("pdf417: unreadable image")
	ErrDecoder  = errors.New("pdf417: decoder failed")
)

// Symbol is one decoded barcode.
type Symbol struct {
	Bytes []byte // the content bytes, as encoded (AAMVA data is ASCII with LF, RS and CR separators)
	Text  string // the content as UTF-8 (character set from ECI or guessed)
}

// Decode reads the PDF417 symbols of an 8-bit grey image (row stride = width).
func Decode(gray []byte, width, height int) ([]Symbol, error) {
	if width <= 0 || height <= 0 || width > MaxImageSide || height > MaxImageSide || len(gray) < width*height {
		return nil, fmt.Errorf("%w: %d×%d with %d bytes", ErrImage, width, height, len(gray))
	}
	var out [MaxSymbols]C.ve_zx_result
	// Fast pass first; try harder (rotations, more binarisation) only when it finds nothing.
	for _, harder := range []C.int{0, 1} {
		n := C.ve_zx_read_pdf417((*C.uchar)(unsafe.Pointer(&gray[0])), C.int(width), C.int(height), C.int(width), harder, &out[0], MaxSymbols)
		if n < 0 {
			return nil, ErrDecoder
		}
		if n == 0 {
			continue
		}
		syms := make([]Symbol, n)
		for i := 0; i < int(n); i++ {
			syms[i] = Symbol{Bytes: C.GoBytes(unsafe.Pointer(out[i].bytes), out[i].bytes_len), Text: C.GoStringN(out[i].text, out[i].text_len)}
			C.ve_zx_free(&out[i])
		}
		return syms, nil
	}
	return nil, ErrNotFound
}

// DecodeImage decodes a PNG or JPEG and reads its PDF417 symbols.
func DecodeImage(data []byte) ([]Symbol, error) {
	if len(data) == 0 || len(data) > MaxImageBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrImage, len(data))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrImage, err)
	}
	if cfg.Width > MaxImageSide || cfg.Height > MaxImageSide || cfg.Width*cfg.Height > MaxImagePixels {
		return nil, fmt.Errorf("%w: %d×%d is too large", ErrImage, cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrImage, err)
	}
	b := img.Bounds()
	g, ok := img.(*image.Gray)
	if !ok || g.Stride != b.Dx() {
		g = image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	}
	return Decode(g.Pix, b.Dx(), b.Dy())
}
