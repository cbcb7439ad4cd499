package node

import (
	"testing"

	"github.com/virtengine/sdk/biometrics/facerec"
)

// Genesis pins one sha256 per model file the extractor runs, the derived ONNX by facerec's pin.
func TestGenesisParamsPinModelFiles(t *testing.T) {
	p, err := GenesisParams()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ModelHashes) != len(ModelFiles) {
		t.Fatalf("%d hashes for %d model files", len(p.ModelHashes), len(ModelFiles))
	}
	for i, name := range ModelFiles {
		if len(p.ModelHashes[i]) != 64 {
			t.Fatalf("%s: pinned %q is not a hex sha256", name, p.ModelHashes[i])
		}
		if name == "models/"+facerec.ONNXFile && p.ModelHashes[i] != facerec.ONNXSHA256 {
			t.Fatalf("%s pinned %s, facerec pins %s", name, p.ModelHashes[i], facerec.ONNXSHA256)
		}
	}
}
