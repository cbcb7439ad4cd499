package facerec

import "fmt"

// convLayer is conv2d + bias followed by the scale layer (x·w + b) of face-api.js convLayer.ts.
type convLayer struct {
	name         string
	k, cin, cout int
	filters      []float32 // [k, k, cin, cout]
	bias, sw, sb []float32 // [cout]
}

type block struct {
	name         string
	down         bool
	conv1, conv2 convLayer
}

// Net is the FaceRecognitionNet with its weights.
type Net struct {
	stem   convLayer
	blocks []block
	fc     []float32 // [256, 128]
	fcIn   int
}

// blockOrder is the sequence of FaceRecognitionNet.forwardInput.
var blockOrder = []struct {
	name string
	down bool
}{
	{"conv32_1", false}, {"conv32_2", false}, {"conv32_3", false},
	{"conv64_down", true}, {"conv64_1", false}, {"conv64_2", false}, {"conv64_3", false},
	{"conv128_down", true}, {"conv128_1", false}, {"conv128_2", false},
	{"conv256_down", true}, {"conv256_1", false}, {"conv256_2", false},
	{"conv256_down_out", true},
}

// NewNet builds the network from the tensors LoadTFJS returned and checks every shape.
func NewNet(w map[string]Tensor) (*Net, error) {
	get := func(name string, shape ...int) ([]float32, error) {
		t, ok := w[name]
		if !ok {
			return nil, fmt.Errorf("%w: missing %s", ErrWeights, name)
		}
		if len(t.Shape) != len(shape) {
			return nil, fmt.Errorf("%w: %s has shape %v, want %v", ErrWeights, name, t.Shape, shape)
		}
		for i := range shape {
			if t.Shape[i] != shape[i] {
				return nil, fmt.Errorf("%w: %s has shape %v, want %v", ErrWeights, name, t.Shape, shape)
			}
		}
		return t.Data, nil
	}
	layer := func(prefix string, k, cin, cout int) (convLayer, error) {
		l := convLayer{name: prefix, k: k, cin: cin, cout: cout}
		var err error
		if l.filters, err = get(prefix+"/conv/filters", k, k, cin, cout); err != nil {
			return l, err
		}
		if l.bias, err = get(prefix+"/conv/bias", cout); err != nil {
			return l, err
		}
		if l.sw, err = get(prefix+"/scale/weights", cout); err != nil {
			return l, err
		}
		l.sb, err = get(prefix+"/scale/biases", cout)
		return l, err
	}
	n := &Net{}
	var err error
	if n.stem, err = layer("conv32_down", 7, 3, 32); err != nil {
		return nil, err
	}
	c := 32
	for _, b := range blockOrder {
		cout := c
		if b.down && b.name != "conv256_down_out" {
			cout = 2 * c
		}
		bl := block{name: b.name, down: b.down}
		if bl.conv1, err = layer(b.name+"/conv1", 3, c, cout); err != nil {
			return nil, err
		}
		if bl.conv2, err = layer(b.name+"/conv2", 3, cout, cout); err != nil {
			return nil, err
		}
		n.blocks = append(n.blocks, bl)
		c = cout
	}
	n.fcIn = c
	if n.fc, err = get("fc", c, EmbeddingDim); err != nil {
		return nil, err
	}
	if len(w) != 1+4*(1+2*len(blockOrder)) {
		return nil, fmt.Errorf("%w: %d tensors, want %d", ErrWeights, len(w), 1+4*(1+2*len(blockOrder)))
	}
	return n, nil
}
