package facerec

import (
	"errors"
	"fmt"
)

// fmap is a feature map in HWC order.
type fmap struct {
	h, w, c int
	d       []float32
}

// ErrInput reports an input of the wrong size.
var ErrInput = errors.New("facerec: bad input")

// Preprocess turns a 150×150 RGB image (row-major, 3 bytes a pixel) into the network's input: minus
// Mean, divided by Scale.
func Preprocess(rgb []byte) ([]float32, error) {
	if len(rgb) != InputSize*InputSize*3 {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInput, len(rgb), InputSize*InputSize*3)
	}
	out := make([]float32, len(rgb))
	for i, v := range rgb {
		out[i] = (float32(v) - Mean[i%3]) / Scale
	}
	return out, nil
}

// Forward runs the network in Go on a preprocessed 150×150×3 HWC input and returns the 128-d
// descriptor. It follows the TensorFlow.js operations one by one (no folding) and is the reference
// the ONNX conversion is checked against; it is too slow for production (a few hundred ms).
func (n *Net) Forward(in []float32) ([]float32, error) {
	if len(in) != InputSize*InputSize*3 {
		return nil, fmt.Errorf("%w: %d values, want %d", ErrInput, len(in), InputSize*InputSize*3)
	}
	x := fmap{InputSize, InputSize, 3, in}
	x = conv(x, n.stem, 2, false, true)
	x = maxPool3s2(x)
	for _, b := range n.blocks {
		var out fmap
		if b.down {
			out = conv(x, b.conv1, 2, false, true)
		} else {
			out = conv(x, b.conv1, 1, true, true)
		}
		out = conv(out, b.conv2, 1, true, false)
		short := x
		if b.down {
			short = avgPool2(x)
			if out.h != short.h || out.w != short.w {
				out = padBottomRight(out, short.h, short.w)
			}
		}
		for i := range out.d {
			var s float32
			if short.c == out.c {
				s = short.d[i]
			} else if c := i % out.c; c < short.c {
				s = short.d[i/out.c*short.c+c]
			}
			v := out.d[i] + s
			if v < 0 {
				v = 0
			}
			out.d[i] = v
		}
		x = out
	}
	mean := make([]float32, x.c)
	for i, v := range x.d {
		mean[i%x.c] += v
	}
	for i := range mean {
		mean[i] /= float32(x.h * x.w)
	}
	emb := make([]float32, EmbeddingDim)
	for i := 0; i < n.fcIn; i++ {
		for j := 0; j < EmbeddingDim; j++ {
			emb[j] += mean[i] * n.fc[i*EmbeddingDim+j]
		}
	}
	return emb, nil
}

// conv is tf.conv2d with "same" (symmetric for odd k, stride 1) or "valid" padding, then bias, scale
// and optional ReLU.
func conv(x fmap, l convLayer, stride int, same, relu bool) fmap {
	pad := 0
	oh, ow := (x.h-l.k)/stride+1, (x.w-l.k)/stride+1
	if same {
		pad = (l.k - 1) / 2
		oh, ow = x.h, x.w
	}
	out := fmap{oh, ow, l.cout, make([]float32, oh*ow*l.cout)}
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			acc := out.d[(oy*ow+ox)*l.cout : (oy*ow+ox+1)*l.cout]
			for ky := 0; ky < l.k; ky++ {
				iy := oy*stride + ky - pad
				if iy < 0 || iy >= x.h {
					continue
				}
				for kx := 0; kx < l.k; kx++ {
					ix := ox*stride + kx - pad
					if ix < 0 || ix >= x.w {
						continue
					}
					px := x.d[(iy*x.w+ix)*x.c : (iy*x.w+ix+1)*x.c]
					wbase := (ky*l.k + kx) * l.cin * l.cout
					for ic, v := range px {
						wrow := l.filters[wbase+ic*l.cout : wbase+(ic+1)*l.cout]
						for oc := range acc {
							acc[oc] += v * wrow[oc]
						}
					}
				}
			}
			for oc := range acc {
				v := (acc[oc]+l.bias[oc])*l.sw[oc] + l.sb[oc]
				if relu && v < 0 {
					v = 0
				}
				acc[oc] = v
			}
		}
	}
	return out
}

func maxPool3s2(x fmap) fmap {
	oh, ow := (x.h-3)/2+1, (x.w-3)/2+1
	out := fmap{oh, ow, x.c, make([]float32, oh*ow*x.c)}
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			for c := 0; c < x.c; c++ {
				m := x.d[((oy*2)*x.w+ox*2)*x.c+c]
				for ky := 0; ky < 3; ky++ {
					for kx := 0; kx < 3; kx++ {
						if v := x.d[((oy*2+ky)*x.w+ox*2+kx)*x.c+c]; v > m {
							m = v
						}
					}
				}
				out.d[(oy*ow+ox)*x.c+c] = m
			}
		}
	}
	return out
}

func avgPool2(x fmap) fmap {
	oh, ow := x.h/2, x.w/2
	out := fmap{oh, ow, x.c, make([]float32, oh*ow*x.c)}
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			for c := 0; c < x.c; c++ {
				s := x.d[((2*oy)*x.w+2*ox)*x.c+c] + x.d[((2*oy)*x.w+2*ox+1)*x.c+c] +
					x.d[((2*oy+1)*x.w+2*ox)*x.c+c] + x.d[((2*oy+1)*x.w+2*ox+1)*x.c+c]
				out.d[(oy*ow+ox)*x.c+c] = s / 4
			}
		}
	}
	return out
}

// padBottomRight zero-pads x to h×w at the bottom and right (the concat of zeros in residualDown).
func padBottomRight(x fmap, h, w int) fmap {
	out := fmap{h, w, x.c, make([]float32, h*w*x.c)}
	for y := 0; y < x.h; y++ {
		copy(out.d[y*w*x.c:], x.d[y*x.w*x.c:(y+1)*x.w*x.c])
	}
	return out
}
