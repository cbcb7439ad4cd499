package features_test

import (
	"fmt"

	"github.com/virtengine/sdk/biometrics/features"
)

func ExampleFeatures_Normalize() {
	f := features.Features{Version: features.Version, FaceSimilarityBP: 8700, LivenessBP: 9900,
		Reasons: []features.Reason{features.Glare, features.BorderlineMatch, features.Glare}}
	f.Normalize()
	fmt.Println(f.FaceSimilarityBP, f.LivenessBP, f.Reasons)
	// Output: 8700 9900 [BORDERLINE_FACE_MATCH GLARE]
}
