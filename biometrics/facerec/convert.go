package facerec

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// Paths of the source weights and of the converted model, relative to the data directory's models/.
const (
	SourceManifest = "face_recognition/face_recognition_model-weights_manifest.json"
	SourceWeights  = "face_recognition/face_recognition_model.bin"
	ONNXFile       = "face_recognition/dlib_resnet.onnx"
)

// ONNXSHA256 is the sha256 of the ONNX file the converter writes from the pinned TensorFlow.js weights.
// The conversion is deterministic, so every machine derives the same bytes; `virtengine doctor` checks
// the derived file against it, and a test fails when the converter's output changes.
const ONNXSHA256 = "5e08f3f69ab5ba82a58c089ff6bc83c4642d3394f398f70ead40f6359d2a7577"

// Load reads the TensorFlow.js manifest and weights and builds the network.
func Load(manifestPath, weightsPath string) (*Net, error) {
	m, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(weightsPath)
	if err != nil {
		return nil, err
	}
	w, err := LoadTFJS(m, b)
	if err != nil {
		return nil, err
	}
	return NewNet(w)
}

// ConvertFiles converts the TensorFlow.js model at manifestPath/weightsPath to ONNX and writes it to
// outPath atomically (a temporary file renamed into place). It returns the ONNX file's sha256.
func ConvertFiles(manifestPath, weightsPath, outPath string) (string, error) {
	n, err := Load(manifestPath, weightsPath)
	if err != nil {
		return "", err
	}
	model := n.ToONNX()
	if err := os.MkdirAll(filepath.Dir(outPath), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(outPath), ".dlib_resnet-*.onnx")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(model); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), outPath); err != nil {
		return "", fmt.Errorf("facerec: %w", err)
	}
	sum := sha256.Sum256(model)
	return hex.EncodeToString(sum[:]), nil
}

// EnsureONNX returns the path of the converted model under modelsDir (the data directory's models/),
// converting it from the TensorFlow.js files first when it is missing or when its bytes differ from
// what the converter produces from the present weights.
func EnsureONNX(modelsDir string) (string, error) {
	out := filepath.Join(modelsDir, filepath.FromSlash(ONNXFile))
	n, err := Load(filepath.Join(modelsDir, filepath.FromSlash(SourceManifest)), filepath.Join(modelsDir, filepath.FromSlash(SourceWeights)))
	if err != nil {
		return "", err
	}
	want := n.ToONNX()
	if have, err := os.ReadFile(out); err == nil && string(have) == string(want) {
		return out, nil
	}
	if _, err := ConvertFiles(filepath.Join(modelsDir, filepath.FromSlash(SourceManifest)), filepath.Join(modelsDir, filepath.FromSlash(SourceWeights)), out); err != nil {
		return "", err
	}
	return out, nil
}
