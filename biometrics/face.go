package biometrics

import (
	"fmt"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/features"
)

// FaceResult is one face found and embedded.
type FaceResult struct {
	Face      Face      `json:"face"`
	Faces     int       `json:"faces"` // how many faces the detection pass that found it saw
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

// EmbedImage decodes a selfie, finds its subject (Detector.Subject), aligns and embeds the face.
func (e *Engine) EmbedImage(name string, data []byte) (*FaceResult, error) {
	return e.embedImage(name, data, Selfie)
}

// EmbedDocument decodes a photo of an identity document, finds its portrait (Detector.Subject with
// Document: a plausible face scoring at least DocumentMinFaceScore), aligns and embeds it. A document
// without such a face gives ErrNoFace.
func (e *Engine) EmbedDocument(name string, data []byte) (*FaceResult, error) {
	return e.embedImage(name, data, Document)
}

func (e *Engine) embedImage(name string, data []byte, kind CaptureKind) (*FaceResult, error) {
	var res *FaceResult
	err := e.use(func() error {
		img, err := DecodeImage(name, data)
		if err != nil {
			return err
		}
		defer img.Close()
		res, err = e.embedMat(name, img, kind)
		return err
	})
	return res, err
}

func (e *Engine) embedMat(name string, img gocv.Mat, kind CaptureKind) (*FaceResult, error) {
	f, n, ok := e.det.Subject(img, kind)
	if !ok {
		detail := ""
		if kind == Document {
			detail = fmt.Sprintf("no portrait: %d face(s) found, none plausible with a score ≥ %.2f", n, DocumentMinFaceScore)
		}
		return nil, &InputError{Input: name, Err: ErrNoFace, Detail: detail}
	}
	return e.embedFace(img, f, n)
}

// embedFace aligns and embeds a face found in img (n faces found in all).
func (e *Engine) embedFace(img gocv.Mat, f Face, n int) (*FaceResult, error) {
	chip := Align(img, f)
	defer chip.Close()
	emb, err := e.emb.Embed(chip)
	if err != nil {
		return nil, err
	}
	return &FaceResult{Face: f, Faces: n, Embedding: emb, Quantized: features.Quantize(emb)}, nil
}
