package biometrics

import (
	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/features"
)

// FaceResult is one face found and embedded.
type FaceResult struct {
	Face      Face      `json:"face"`
	Faces     int       `json:"faces"` // how many faces the image held
	Embedding []float32 `json:"-"`     // raw descriptor; never leaves the process unencrypted
	Quantized []int8    `json:"-"`     // features.Quantize(Embedding)
}

// Detect decodes an image and returns every face, best first.
func (e *Engine) Detect(name string, data []byte) ([]Face, error) {
	var faces []Face
	err := e.use(func() error {
		img, err := DecodeImage(name, data)
		if err != nil {
			return err
		}
		defer img.Close()
		faces = e.det.Detect(img)
		return nil
	})
	return faces, err
}

// EmbedImage decodes an image, takes its largest face, aligns and embeds it.
func (e *Engine) EmbedImage(name string, data []byte) (*FaceResult, error) {
	var res *FaceResult
	err := e.use(func() error {
		img, err := DecodeImage(name, data)
		if err != nil {
			return err
		}
		defer img.Close()
		res, err = e.embedMat(name, img)
		return err
	})
	return res, err
}

func (e *Engine) embedMat(name string, img gocv.Mat) (*FaceResult, error) {
	faces := e.det.Detect(img)
	if len(faces) == 0 {
		return nil, &InputError{Input: name, Err: ErrNoFace}
	}
	f := e.det.Refine(img, largest(faces))
	chip := Align(img, f)
	defer chip.Close()
	emb, err := e.emb.Embed(chip)
	if err != nil {
		return nil, err
	}
	return &FaceResult{Face: f, Faces: len(faces), Embedding: emb, Quantized: features.Quantize(emb)}, nil
}

// largest returns the face with the largest box (the subject, on a selfie or a document).
func largest(faces []Face) Face {
	best := faces[0]
	for _, f := range faces[1:] {
		if f.Box.Dx()*f.Box.Dy() > best.Box.Dx()*best.Box.Dy() {
			best = f
		}
	}
	return best
}
