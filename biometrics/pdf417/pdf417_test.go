package pdf417

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtengine/sdk/internal/assets"
)

func dir(t testing.TB, rel string) string {
	t.Helper()
	p, err := assets.TestdataPath("documents/pdf417/" + rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestZXingSamples decodes zxing-cpp's own PDF417 black-box samples to their expected text.
func TestZXingSamples(t *testing.T) {
	n := 0
	for _, set := range []string{"pdf417-1", "pdf417-3"} {
		pngs, _ := filepath.Glob(filepath.Join(dir(t, "zxing_cpp_samples/"+set), "*.png"))
		for _, p := range pngs {
			want, err := os.ReadFile(strings.TrimSuffix(p, ".png") + ".txt")
			if err != nil {
				continue // a sample without expected text (zxing-cpp checks it another way)
			}
			data, _ := os.ReadFile(p)
			syms, err := DecodeImage(data)
			if err != nil {
				t.Errorf("%s/%s: %v", set, filepath.Base(p), err)
				continue
			}
			if syms[0].Text != string(want) {
				t.Errorf("%s/%s: %q, want %q", set, filepath.Base(p), syms[0].Text, want)
			}
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d samples checked", n)
	}
}

// TestAAMVASamples decodes every AAMVA sample, the clean render and the degraded photo, to exactly the
// encoded bytes.
func TestAAMVASamples(t *testing.T) {
	raws, _ := filepath.Glob(filepath.Join(dir(t, "aamva"), "*.txt"))
	if len(raws) < 2 {
		t.Fatal("AAMVA samples missing")
	}
	for _, raw := range raws {
		want, _ := os.ReadFile(raw)
		for _, img := range []string{strings.TrimSuffix(raw, ".txt") + ".png", strings.TrimSuffix(raw, ".txt") + "_photo.jpg"} {
			data, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			syms, err := DecodeImage(data)
			if err != nil {
				t.Fatalf("%s: %v", filepath.Base(img), err)
			}
			if !bytes.Equal(syms[0].Bytes, want) {
				t.Errorf("%s: %q\nwant %q", filepath.Base(img), syms[0].Bytes, want)
			}
		}
	}
}

func TestRejects(t *testing.T) {
	if _, err := DecodeImage(nil); !errors.Is(err, ErrImage) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := DecodeImage([]byte("not an image")); !errors.Is(err, ErrImage) {
		t.Fatalf("text: %v", err)
	}
	blank := make([]byte, 200*100)
	for i := range blank {
		blank[i] = 255
	}
	if _, err := Decode(blank, 200, 100); !errors.Is(err, ErrNotFound) {
		t.Fatalf("blank: %v", err)
	}
	if _, err := Decode(blank, 201, 100); !errors.Is(err, ErrImage) {
		t.Fatalf("short buffer: %v", err)
	}
	// A real barcode with its left half wiped (start pattern and most codewords) is not read.
	data, _ := os.ReadFile(filepath.Join(dir(t, "aamva"), "aamva_v10_va_fictional.png"))
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	if _, err := Decode(g.Pix, b.Dx(), b.Dy()); err != nil {
		t.Fatalf("intact copy: %v", err)
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx()*6/10; x++ {
			g.Pix[y*g.Stride+x] = 255
		}
	}
	if _, err := Decode(g.Pix, b.Dx(), b.Dy()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wiped: %v", err)
	}
}
