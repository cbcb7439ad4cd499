package biometrics

import (
	"fmt"
	"image"
	"sync"

	"gocv.io/x/gocv"

	"github.com/virtengine/sdk/biometrics/facerec"
)

// Embedder computes 128-d face descriptors with dlib's ResNet, converted to ONNX by package facerec.
// Safe for concurrent use.
type Embedder struct {
	mu  sync.Mutex
	net gocv.Net
}

// NewEmbedder loads the converted network (see facerec.EnsureONNX).
func NewEmbedder(onnxPath string) (*Embedder, error) {
	net := gocv.ReadNetFromONNX(onnxPath)
	if net.Empty() {
		net.Close()
		return nil, &ModelError{Path: onnxPath, Err: ErrModel}
	}
	return &Embedder{net: net}, nil
}

// Close releases the network.
func (e *Embedder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.net.Close()
}

// Embed returns the descriptor of an aligned 150×150 BGR chip. Preprocessing is face-api.js's: RGB,
// minus facerec.Mean, divided by 255.
func (e *Embedder) Embed(chip gocv.Mat) ([]float32, error) {
	if chip.Cols() != ChipSize || chip.Rows() != ChipSize || chip.Channels() != 3 {
		return nil, fmt.Errorf("%w: chip is %d×%d×%d, want %d×%d×3", ErrTooSmall, chip.Cols(), chip.Rows(), chip.Channels(), ChipSize, ChipSize)
	}
	blob := gocv.BlobFromImage(chip, 1.0/facerec.Scale, image.Pt(ChipSize, ChipSize),
		gocv.NewScalar(float64(facerec.Mean[0]), float64(facerec.Mean[1]), float64(facerec.Mean[2]), 0), true, false)
	defer blob.Close()
	e.mu.Lock()
	e.net.SetInput(blob, facerec.ONNXInputName)
	out := e.net.Forward(facerec.ONNXOutputName)
	e.mu.Unlock()
	defer out.Close()
	d, err := out.DataPtrFloat32()
	if err != nil || len(d) != facerec.EmbeddingDim {
		return nil, fmt.Errorf("%w: embedder output has %d values", ErrModel, len(d))
	}
	return append([]float32(nil), d...), nil
}

// referenceInput turns an aligned BGR chip into facerec.Net.Forward's input (RGB, preprocessed), for
// checking and timing the converted network against the reference.
func referenceInput(chip gocv.Mat) ([]float32, error) {
	bgr := chip.ToBytes()
	rgb := make([]byte, len(bgr))
	for i := 0; i+2 < len(bgr); i += 3 {
		rgb[i], rgb[i+1], rgb[i+2] = bgr[i+2], bgr[i+1], bgr[i]
	}
	return facerec.Preprocess(rgb)
}
