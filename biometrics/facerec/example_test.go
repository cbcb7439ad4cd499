package facerec_test

import (
	"fmt"
	"path/filepath"

	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
)

func ExampleEnsureONNX() {
	path, err := facerec.EnsureONNX(filepath.Join(assets.DataDir(), "models"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(path))
	// Output: dlib_resnet.onnx
}
