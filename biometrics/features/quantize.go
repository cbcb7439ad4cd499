package features

import "math"

// EmbeddingScale maps an embedding value to int8: q = round(v × EmbeddingScale) clamped to
// [-127, 127]. dlib ResNet embeddings have values within about ±0.35, so 256 keeps about 1/256 of
// resolution and never clips in practice.
const EmbeddingScale = 256

// Quantize turns a float embedding into int8s. Rounding is half away from zero, per value: equal
// float32 inputs give equal bytes. Equal inputs are what one machine produces; another CPU, on which
// OpenCV dispatches other SIMD kernels (AVX-512, AVX2, SSE), computes the floats slightly differently
// (up to about 1e-4 per value), and a value near a rounding edge then lands on the neighbouring
// step: 0–3 of the 128 values differ by one across the test images. The int8 embedding is therefore
// not consensus data; validators agree on the coarse levels of package features instead (see the
// package documentation).
func Quantize(v []float32) []int8 {
	out := make([]int8, len(v))
	for i, x := range v {
		q := math.Round(float64(x) * EmbeddingScale)
		if q > 127 {
			q = 127
		} else if q < -127 {
			q = -127
		}
		out[i] = int8(q)
	}
	return out
}

// DistanceSquaredQ is the squared Euclidean distance of two quantised embeddings, in integer units of
// (1/EmbeddingScale)². Integer arithmetic: the same embeddings give the same distance everywhere
// (the embeddings themselves may differ slightly across CPUs, see Quantize).
func DistanceSquaredQ(a, b []int8) (int64, error) {
	if len(a) != len(b) {
		return 0, ErrRange
	}
	var s int64
	for i := range a {
		d := int64(a[i]) - int64(b[i])
		s += d * d
	}
	return s, nil
}

// BP clamps a value to [0, MaxBP].
func BP(v int64) uint32 {
	if v < 0 {
		return 0
	}
	if v > MaxBP {
		return MaxBP
	}
	return uint32(v)
}
