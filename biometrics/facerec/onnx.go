package facerec

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The ONNX protobuf messages written here, with their field numbers from onnx/onnx.proto (ONNX 1.x).
// Only what this network needs is written, with opset 9 so that OpenCV 4.6's importer reads every
// operator (Pad takes its pads as an attribute before opset 11).
const (
	onnxIRVersion = 4 // IR version of ONNX 1.3–1.4, which introduced opset 9
	onnxOpset     = 9

	modelIRVersion, modelProducerName, modelGraph, modelOpsetImport = 1, 2, 7, 8
	opsetVersion                                                    = 2
	graphNode, graphName, graphInitializer, graphInput, graphOutput = 1, 2, 5, 11, 12
	nodeInput, nodeOutput, nodeName, nodeOpType, nodeAttribute      = 1, 2, 3, 4, 5
	attrName, attrF, attrI, attrInts, attrType                      = 1, 2, 3, 8, 20
	attrTypeFloat, attrTypeInt, attrTypeInts                        = 1, 2, 7
	tensorDims, tensorDataType, tensorName, tensorRawData           = 1, 2, 8, 9
	tensorFloat                                                     = 1
	valueName, valueType                                            = 1, 2
	typeTensor, typeTensorElem, typeTensorShape, shapeDim, dimValue = 1, 1, 2, 1, 1
)

type attr struct {
	name string
	i    *int64
	f    *float32
	ints []int64
}

func ai(name string, v int64) attr       { return attr{name: name, i: &v} }
func af(name string, v float32) attr     { return attr{name: name, f: &v} }
func aints(name string, v ...int64) attr { return attr{name: name, ints: v} }

func (a attr) encode() []byte {
	var b []byte
	b = protowire.AppendTag(b, attrName, protowire.BytesType)
	b = protowire.AppendString(b, a.name)
	switch {
	case a.f != nil:
		b = protowire.AppendTag(b, attrF, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(*a.f))
		b = protowire.AppendTag(b, attrType, protowire.VarintType)
		b = protowire.AppendVarint(b, attrTypeFloat)
	case a.i != nil:
		b = protowire.AppendTag(b, attrI, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(*a.i))
		b = protowire.AppendTag(b, attrType, protowire.VarintType)
		b = protowire.AppendVarint(b, attrTypeInt)
	default:
		for _, v := range a.ints {
			b = protowire.AppendTag(b, attrInts, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(v))
		}
		b = protowire.AppendTag(b, attrType, protowire.VarintType)
		b = protowire.AppendVarint(b, attrTypeInts)
	}
	return b
}

type node struct {
	op      string
	name    string
	inputs  []string
	outputs []string
	attrs   []attr
}

func (n node) encode() []byte {
	var b []byte
	for _, in := range n.inputs {
		b = protowire.AppendTag(b, nodeInput, protowire.BytesType)
		b = protowire.AppendString(b, in)
	}
	for _, out := range n.outputs {
		b = protowire.AppendTag(b, nodeOutput, protowire.BytesType)
		b = protowire.AppendString(b, out)
	}
	b = protowire.AppendTag(b, nodeName, protowire.BytesType)
	b = protowire.AppendString(b, n.name)
	b = protowire.AppendTag(b, nodeOpType, protowire.BytesType)
	b = protowire.AppendString(b, n.op)
	for _, a := range n.attrs {
		b = protowire.AppendTag(b, nodeAttribute, protowire.BytesType)
		b = protowire.AppendBytes(b, a.encode())
	}
	return b
}

func encodeTensor(name string, dims []int64, data []float32) []byte {
	var b []byte
	for _, d := range dims {
		b = protowire.AppendTag(b, tensorDims, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = protowire.AppendTag(b, tensorDataType, protowire.VarintType)
	b = protowire.AppendVarint(b, tensorFloat)
	b = protowire.AppendTag(b, tensorName, protowire.BytesType)
	b = protowire.AppendString(b, name)
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	b = protowire.AppendTag(b, tensorRawData, protowire.BytesType)
	b = protowire.AppendBytes(b, raw)
	return b
}

func encodeValueInfo(name string, dims []int64) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		dim = protowire.AppendTag(dim, dimValue, protowire.VarintType)
		dim = protowire.AppendVarint(dim, uint64(d))
		shape = protowire.AppendTag(shape, shapeDim, protowire.BytesType)
		shape = protowire.AppendBytes(shape, dim)
	}
	var tt []byte
	tt = protowire.AppendTag(tt, typeTensorElem, protowire.VarintType)
	tt = protowire.AppendVarint(tt, tensorFloat)
	tt = protowire.AppendTag(tt, typeTensorShape, protowire.BytesType)
	tt = protowire.AppendBytes(tt, shape)
	var typ []byte
	typ = protowire.AppendTag(typ, typeTensor, protowire.BytesType)
	typ = protowire.AppendBytes(typ, tt)
	var b []byte
	b = protowire.AppendTag(b, valueName, protowire.BytesType)
	b = protowire.AppendString(b, name)
	b = protowire.AppendTag(b, valueType, protowire.BytesType)
	b = protowire.AppendBytes(b, typ)
	return b
}

// graphBuilder collects nodes and initializers in order, so the output is deterministic.
type graphBuilder struct {
	nodes []node
	inits [][]byte
	count int
}

func (g *graphBuilder) add(op string, inputs []string, attrs ...attr) string {
	g.count++
	out := fmt.Sprintf("%s_%d", op, g.count)
	g.nodes = append(g.nodes, node{op: op, name: out, inputs: inputs, outputs: []string{out}, attrs: attrs})
	return out
}

func (g *graphBuilder) init(name string, dims []int64, data []float32) string {
	g.inits = append(g.inits, encodeTensor(name, dims, data))
	return name
}

// convONNX adds a Conv with the scale layer folded in: w' = w·s, b' = bias·s + sb, per output channel,
// and the filters moved from TensorFlow's [k, k, cin, cout] to ONNX's [cout, cin, k, k].
func (g *graphBuilder) convONNX(x string, l convLayer, stride int64, pad int64) string {
	k, cin, cout := l.k, l.cin, l.cout
	w := make([]float32, len(l.filters))
	for ky := 0; ky < k; ky++ {
		for kx := 0; kx < k; kx++ {
			for ic := 0; ic < cin; ic++ {
				for oc := 0; oc < cout; oc++ {
					v := float64(l.filters[((ky*k+kx)*cin+ic)*cout+oc]) * float64(l.sw[oc])
					w[((oc*cin+ic)*k+ky)*k+kx] = float32(v)
				}
			}
		}
	}
	b := make([]float32, cout)
	for oc := range b {
		b[oc] = float32(float64(l.bias[oc])*float64(l.sw[oc]) + float64(l.sb[oc]))
	}
	wn := g.init(l.name+"/W", []int64{int64(cout), int64(cin), int64(k), int64(k)}, w)
	bn := g.init(l.name+"/B", []int64{int64(cout)}, b)
	return g.add("Conv", []string{x, wn, bn}, aints("kernel_shape", int64(k), int64(k)),
		aints("strides", stride, stride), aints("pads", pad, pad, pad, pad))
}

// ONNXInputName and ONNXOutputName name the converted model's input ([1, 3, 150, 150], NCHW, already
// preprocessed as Preprocess does) and output ([1, 128]).
const (
	ONNXInputName  = "input"
	ONNXOutputName = "embedding"
)

// ToONNX writes the network as an ONNX model (opset 9). The bytes are deterministic.
func (n *Net) ToONNX() []byte {
	g := &graphBuilder{}
	x := g.convONNX(ONNXInputName, n.stem, 2, 0)
	x = g.add("Relu", []string{x})
	x = g.add("MaxPool", []string{x}, aints("kernel_shape", 3, 3), aints("strides", 2, 2))
	size := int64((InputSize-7)/2 + 1)
	size = (size-3)/2 + 1
	c := int64(32)
	for _, b := range n.blocks {
		var out string
		outSize := size
		if b.down {
			out = g.convONNX(x, b.conv1, 2, 0)
			outSize = (size-3)/2 + 1
		} else {
			out = g.convONNX(x, b.conv1, 1, 1)
		}
		out = g.add("Relu", []string{out})
		out = g.convONNX(out, b.conv2, 1, 1)
		short := x
		if b.down {
			pooled := size / 2
			if outSize != pooled {
				d := pooled - outSize
				out = g.add("Pad", []string{out}, aints("pads", 0, 0, 0, 0, 0, 0, d, d), af("value", 0))
			}
			cout := int64(b.conv1.cout)
			if cout == c {
				short = g.add("AveragePool", []string{x}, aints("kernel_shape", 2, 2), aints("strides", 2, 2))
			} else {
				// avgPool(2, 2) then zero channels appended = one 2×2 stride-2 conv whose weights are
				// 1/4 from input channel i to output channel i and 0 elsewhere.
				w := make([]float32, cout*c*4)
				for i := int64(0); i < c; i++ {
					for j := int64(0); j < 4; j++ {
						w[(i*c+i)*4+j] = 0.25
					}
				}
				wn := g.init(b.name+"/shortcut/W", []int64{cout, c, 2, 2}, w)
				short = g.add("Conv", []string{x, wn}, aints("kernel_shape", 2, 2), aints("strides", 2, 2),
					aints("pads", 0, 0, 0, 0))
			}
			size, c = pooled, cout
		}
		x = g.add("Add", []string{out, short})
		x = g.add("Relu", []string{x})
	}
	x = g.add("GlobalAveragePool", []string{x})
	x = g.add("Flatten", []string{x}, ai("axis", 1))
	fcT := make([]float32, len(n.fc)) // Gemm with transB: B is [128, 256]
	for i := 0; i < n.fcIn; i++ {
		for j := 0; j < EmbeddingDim; j++ {
			fcT[j*n.fcIn+i] = n.fc[i*EmbeddingDim+j]
		}
	}
	fcn := g.init("fc/W", []int64{EmbeddingDim, int64(n.fcIn)}, fcT)
	fcb := g.init("fc/B", []int64{EmbeddingDim}, make([]float32, EmbeddingDim))
	g.add("Gemm", []string{x, fcn, fcb}, af("alpha", 1), af("beta", 1), ai("transB", 1))
	g.nodes[len(g.nodes)-1].outputs = []string{ONNXOutputName}

	var graph []byte
	for _, nd := range g.nodes {
		graph = protowire.AppendTag(graph, graphNode, protowire.BytesType)
		graph = protowire.AppendBytes(graph, nd.encode())
	}
	graph = protowire.AppendTag(graph, graphName, protowire.BytesType)
	graph = protowire.AppendString(graph, "dlib_resnet_face_recognition")
	for _, t := range g.inits {
		graph = protowire.AppendTag(graph, graphInitializer, protowire.BytesType)
		graph = protowire.AppendBytes(graph, t)
	}
	graph = protowire.AppendTag(graph, graphInput, protowire.BytesType)
	graph = protowire.AppendBytes(graph, encodeValueInfo(ONNXInputName, []int64{1, 3, InputSize, InputSize}))
	graph = protowire.AppendTag(graph, graphOutput, protowire.BytesType)
	graph = protowire.AppendBytes(graph, encodeValueInfo(ONNXOutputName, []int64{1, EmbeddingDim}))

	var opset []byte
	opset = protowire.AppendTag(opset, opsetVersion, protowire.VarintType)
	opset = protowire.AppendVarint(opset, onnxOpset)

	var m []byte
	m = protowire.AppendTag(m, modelIRVersion, protowire.VarintType)
	m = protowire.AppendVarint(m, onnxIRVersion)
	m = protowire.AppendTag(m, modelProducerName, protowire.BytesType)
	m = protowire.AppendString(m, "virtengine-facerec-convert")
	m = protowire.AppendTag(m, modelGraph, protowire.BytesType)
	m = protowire.AppendBytes(m, graph)
	m = protowire.AppendTag(m, modelOpsetImport, protowire.BytesType)
	m = protowire.AppendBytes(m, opset)
	return m
}
