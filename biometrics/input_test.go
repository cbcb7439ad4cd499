package biometrics

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// pngHeader is a PNG signature and IHDR chunk claiming w×h, with a correct CRC and no pixels.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func encodePNG(t *testing.T, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBadInput(t *testing.T) {
	e := engine(t)
	grey := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(100 + i%7)
	}
	var noFace bytes.Buffer
	jpeg.Encode(&noFace, grey, nil)
	one := image.NewRGBA(image.Rect(0, 0, 1, 1))
	one.Set(0, 0, color.White)
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrEmptyImage},
		{"text", []byte("this is a text file, not an image\n"), ErrNotImage},
		{"1x1", encodePNG(t, one), ErrTooSmall},
		{"20000x20000 header", pngHeader(20000, 20000), ErrTooLarge},
		{"truncated png", encodePNG(t, grey)[:200], ErrNotImage},
		{"no face", noFace.Bytes(), ErrNoFace},
	}
	for _, c := range cases {
		_, err := e.EmbedImage(c.name, c.data)
		var ie *InputError
		if !errors.Is(err, c.want) || !errors.As(err, &ie) || ie.Input != c.name {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
		if _, err := e.Liveness(c.name, c.data); !errors.Is(err, c.want) {
			t.Errorf("liveness %s: got %v, want %v", c.name, err, c.want)
		}
	}
	// A valid image with no face yields no detections rather than an error.
	faces, err := e.Detect("no face", noFace.Bytes())
	if err != nil || len(faces) != 0 {
		t.Fatalf("%d faces, %v", len(faces), err)
	}
}

func FuzzDecodeImage(f *testing.F) {
	f.Add(pngHeader(64, 64))
	f.Add(pngHeader(20000, 20000))
	f.Add([]byte("\xff\xd8\xff\xe0garbage"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeImage("fuzz", data)
		if err == nil {
			if m.Cols() < MinImageSide || m.Rows() < MinImageSide {
				t.Fatalf("accepted %d×%d", m.Cols(), m.Rows())
			}
		}
		m.Close()
	})
}
