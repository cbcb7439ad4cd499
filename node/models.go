package node

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
	"github.com/virtengine/sdk/node/app"
)

// ModelFiles are the biometric model files the identity extractor (BioExtractor) runs, relative to
// the data directory: the pinned originals of the asset manifest and the face-recognition ONNX
// derived from them. Networks pin their sha256 in Params.ModelHashes (PinnedModelHashes), and each
// validator hashes its own copies at start (LocalModelHashes): one whose files differ abstains.
var ModelFiles = []string{
	"models/" + biometrics.ModelYuNet,
	"models/" + facerec.SourceManifest,
	"models/" + facerec.SourceWeights,
	"models/" + facerec.ONNXFile,
	"models/" + biometrics.ModelSpoofV2,
	"models/" + biometrics.ModelSpoofV1SE,
	"models/" + biometrics.ModelMRZTessdata,
}

// PinnedModelHashes returns the sha256 (hex) this release pins for each of ModelFiles, in order:
// the embedded asset manifest's values and facerec.ONNXSHA256 for the derived ONNX file. It reads
// no file, so `node init` pins them on a machine without the models.
func PinnedModelHashes() ([]string, error) {
	m, err := assets.Load()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ModelFiles))
	for _, name := range ModelFiles {
		if name == "models/"+facerec.ONNXFile {
			out = append(out, facerec.ONNXSHA256)
			continue
		}
		e, ok := m.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("node: model file %s is not in the asset manifest", name)
		}
		out = append(out, e.SHA256)
	}
	return out, nil
}

// GenesisParams are app.DefaultParams with this release's model files pinned (Params.ModelHashes).
func GenesisParams() (app.Params, error) {
	p := app.DefaultParams()
	h, err := PinnedModelHashes()
	if err != nil {
		return p, err
	}
	p.ModelHashes = h
	return p, nil
}

var (
	localOnce   sync.Once
	localHashes []string
	localErr    error
)

// LocalModelHashes hashes this machine's copies of ModelFiles in the data directory (once per
// process), in order. A missing file is an error saying how to fetch it; the derived ONNX file is
// hashed as it is (biometrics converts it when missing, at the first extraction).
func LocalModelHashes() ([]string, error) {
	localOnce.Do(func() {
		dir := assets.DataDir()
		onnx := filepath.Join(dir, "models", filepath.FromSlash(facerec.ONNXFile))
		if _, err := os.Stat(onnx); err != nil {
			// Derived from the pinned weights, deterministically: convert it now, as biometrics.Open would.
			if _, err := facerec.EnsureONNX(filepath.Join(dir, "models")); err != nil {
				localErr = fmt.Errorf("node: face-recognition model: %w (run scripts/setup.sh)", err)
				return
			}
		}
		for _, name := range ModelFiles {
			p := filepath.Join(dir, filepath.FromSlash(name))
			h, err := assets.HashFile(p)
			if err != nil {
				localErr = fmt.Errorf("node: hashing model file %s: %w (run scripts/setup.sh, or go run ./internal/assets/fetch)", p, err)
				localHashes = nil
				return
			}
			localHashes = append(localHashes, h)
		}
	})
	return localHashes, localErr
}
