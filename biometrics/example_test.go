package biometrics_test

import (
	"fmt"
	"os"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/internal/assets"
)

// Compare works on int8-quantised descriptors in integer arithmetic, so every validator computes the
// same decision.
func ExampleCompare() {
	a := make([]int8, 128)
	b := make([]int8, 128)
	b[0], b[1] = 100, 50 // distance √(100² + 50²)/256 ≈ 0.437
	c, _ := biometrics.Compare(a, b)
	fmt.Println(c.DistanceMilli, c.SimilarityBP, c.Decision)
	// Output: 436 6367 match
}

func ExampleEngine_MatchImages() {
	eng, err := biometrics.Open(biometrics.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	read := func(rel string) []byte {
		p, _ := assets.TestdataPath(rel)
		b, _ := os.ReadFile(p)
		return b
	}
	m, err := eng.MatchImages(read("faces/public_domain/obama2.jpg"), read("faces/public_domain/obama3.jpg"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Decision)
	l, _ := eng.Liveness("spoof", read("faces/liveness/spoof_F1.jpg"))
	fmt.Println("live:", l.Live)
	// Output:
	// match
	// live: false
}
