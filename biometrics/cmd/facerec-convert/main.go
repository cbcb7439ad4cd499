// Command facerec-convert converts dlib's face recognition ResNet from the TensorFlow.js files in the
// data directory (models/face_recognition/face_recognition_model*.{bin,json}, fetched by set-up) into
// models/face_recognition/dlib_resnet.onnx, which OpenCV's dnn module loads.
//
//	go run ./biometrics/cmd/facerec-convert [-models DIR]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
)

func main() {
	models := flag.String("models", filepath.Join(assets.DataDir(), "models"), "models directory of the data directory")
	flag.Parse()
	src := func(rel string) string { return filepath.Join(*models, filepath.FromSlash(rel)) }
	out := src(facerec.ONNXFile)
	sum, err := facerec.ConvertFiles(src(facerec.SourceManifest), src(facerec.SourceWeights), out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "facerec-convert: %v\nFetch the TensorFlow.js weights first: go run ./internal/assets/fetch\n", err)
		os.Exit(1)
	}
	fmt.Printf("%s sha256 %s\n", out, sum)
}
