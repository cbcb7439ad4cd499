package biometrics

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
)

// Model files, relative to the data directory's models/, in the order ModelHash hashes them.
const (
	ModelYuNet       = "face_detection/face_detection_yunet_2022mar.onnx"
	ModelSpoofV2     = "antispoof/2.7_80x80_MiniFASNetV2.onnx"
	ModelSpoofV1SE   = "antispoof/4_0_0_80x80_MiniFASNetV1SE.onnx"
	ModelMRZTessdata = "tessdata/mrz.traineddata"
)

// ModelVersion names this pipeline's models and their use; scoring pins it with ModelHash.
const ModelVersion = "yunet-2022mar+dlib-resnet-v1+minifasnet-v2-v1se+tess-mrz"

// pinnedModels are verified against the asset manifest's sha256 when an Engine opens.
var pinnedModels = []string{ModelYuNet, facerec.SourceManifest, facerec.SourceWeights, ModelSpoofV2, ModelSpoofV1SE, ModelMRZTessdata}

// verifyModels checks every pinned model file under modelsDir against the manifest and returns
// ModelHash: sha256 over "name sha256\n" for each pinned file, in order, then the converted ONNX
// file's line, then extra (the system's Tesseract model of the printed-text cross-check, when there
// is one: see vizModel). Validators with other model bytes get another hash and abstain.
func verifyModels(modelsDir string, extra string) (string, error) {
	m, err := assets.Load()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, name := range pinnedModels {
		e, ok := m.Lookup("models/" + name)
		if !ok {
			return "", &ModelError{Path: name, Err: fmt.Errorf("not in the asset manifest")}
		}
		p := filepath.Join(modelsDir, filepath.FromSlash(name))
		got, err := assets.HashFile(p)
		if err != nil {
			return "", &ModelError{Path: p, Err: err}
		}
		if got != e.SHA256 {
			return "", &ModelError{Path: p, Err: fmt.Errorf("%w: sha256 %s, manifest %s", assets.ErrChecksum, got, e.SHA256)}
		}
		fmt.Fprintf(h, "%s %s\n", name, got)
	}
	onnx, err := facerec.EnsureONNX(modelsDir)
	if err != nil {
		return "", &ModelError{Path: facerec.ONNXFile, Err: err}
	}
	b, err := os.ReadFile(onnx)
	if err != nil {
		return "", &ModelError{Path: onnx, Err: err}
	}
	sum := sha256.Sum256(b)
	fmt.Fprintf(h, "%s %s\n", facerec.ONNXFile, hex.EncodeToString(sum[:]))
	h.Write([]byte(extra))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// vizTessdataDirs are where Debian and source installs keep Tesseract's language models, after
// $TESSDATA_PREFIX.
var vizTessdataDirs = []string{"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
	"/usr/share/tessdata", "/usr/local/share/tessdata"}

// vizModel finds the system's Tesseract "eng" model (Debian's tesseract-ocr-eng), which the
// printed-text cross-check runs (VIZReader), and returns its directory and the line it adds to
// ModelHash: "tessdata/eng.traineddata (system) sha256\n". It is not in the asset manifest, yet it
// decides part of ConsistencyBP: a validator without it, or with other bytes, must not claim the
// same model hash. ok is false when there is none (the cross-check is then skipped).
func vizModel() (dir, line string, ok bool) {
	dirs := vizTessdataDirs
	if p := os.Getenv("TESSDATA_PREFIX"); p != "" {
		dirs = append([]string{p}, dirs...)
	}
	for _, d := range dirs {
		sum, err := assets.HashFile(filepath.Join(d, "eng.traineddata"))
		if err == nil {
			return d, fmt.Sprintf("tessdata/eng.traineddata (system) %s\n", sum), true
		}
	}
	return "", "", false
}
