package features_test

import (
	"fmt"

	"github.com/virtengine/sdk/biometrics/features"
)

func ExampleFeatures_Normalize() {
	f := features.Features{Version: features.Version, FaceMatchBP: features.FaceBorderlineBP, LivenessBP: features.MaxBP,
		Reasons: []features.Reason{features.Glare, features.BorderlineMatch, features.Glare}}
	f.Normalize()
	fmt.Println(f.FaceMatchBP, f.LivenessBP, f.Reasons)
	// Output: 5000 10000 [BORDERLINE_FACE_MATCH GLARE]
}
