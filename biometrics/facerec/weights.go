package facerec

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Tensor is a dense float32 tensor in TensorFlow's layout (filters are [kh, kw, in, out]).
type Tensor struct {
	Shape []int
	Data  []float32
}

func (t Tensor) size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// ErrWeights reports a manifest or weight file that does not describe the expected network.
var ErrWeights = errors.New("facerec: bad weights")

type manifestGroup struct {
	Paths   []string `json:"paths"`
	Weights []struct {
		Name         string `json:"name"`
		Shape        []int  `json:"shape"`
		Dtype        string `json:"dtype"`
		Quantization *struct {
			Dtype string  `json:"dtype"`
			Scale float64 `json:"scale"`
			Min   float64 `json:"min"`
		} `json:"quantization"`
	} `json:"weights"`
}

// LoadTFJS decodes a TensorFlow.js weights manifest and its concatenated weight data (the .bin files
// of every group, in order). Quantised tensors (uint8 or uint16 with min and scale) are dequantised as
// value = min + scale·q, as tfjs-core io/io_utils.ts decodeWeights does.
func LoadTFJS(manifestJSON, bin []byte) (map[string]Tensor, error) {
	var groups []manifestGroup
	if err := json.Unmarshal(manifestJSON, &groups); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrWeights, err)
	}
	out := map[string]Tensor{}
	off := 0
	for _, g := range groups {
		for _, w := range g.Weights {
			t := Tensor{Shape: append([]int(nil), w.Shape...)}
			n := 1
			for _, d := range w.Shape {
				if d <= 0 || d > maxDim {
					return nil, fmt.Errorf("%w: %s has dimension %d", ErrWeights, w.Name, d)
				}
				n *= d
				if n > maxTensor {
					return nil, fmt.Errorf("%w: %s is too large", ErrWeights, w.Name)
				}
			}
			if w.Dtype != "float32" {
				return nil, fmt.Errorf("%w: %s has dtype %s", ErrWeights, w.Name, w.Dtype)
			}
			t.Data = make([]float32, n)
			q := w.Quantization
			switch {
			case q == nil:
				if off+4*n > len(bin) {
					return nil, fmt.Errorf("%w: data ends inside %s", ErrWeights, w.Name)
				}
				for i := range t.Data {
					t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(bin[off+4*i:]))
				}
				off += 4 * n
			case q.Dtype == "uint8":
				if off+n > len(bin) {
					return nil, fmt.Errorf("%w: data ends inside %s", ErrWeights, w.Name)
				}
				for i := range t.Data {
					t.Data[i] = float32(q.Min + q.Scale*float64(bin[off+i]))
				}
				off += n
			case q.Dtype == "uint16":
				if off+2*n > len(bin) {
					return nil, fmt.Errorf("%w: data ends inside %s", ErrWeights, w.Name)
				}
				for i := range t.Data {
					t.Data[i] = float32(q.Min + q.Scale*float64(binary.LittleEndian.Uint16(bin[off+2*i:])))
				}
				off += 2 * n
			default:
				return nil, fmt.Errorf("%w: %s has quantisation %s", ErrWeights, w.Name, q.Dtype)
			}
			if _, dup := out[w.Name]; dup {
				return nil, fmt.Errorf("%w: %s twice", ErrWeights, w.Name)
			}
			out[w.Name] = t
		}
	}
	if off != len(bin) {
		return nil, fmt.Errorf("%w: %d bytes of data, manifest describes %d", ErrWeights, len(bin), off)
	}
	return out, nil
}
