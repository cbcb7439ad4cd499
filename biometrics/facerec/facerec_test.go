package facerec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/virtengine/sdk/internal/assets"
)

func sources(t testing.TB) (manifest, bin []byte) {
	t.Helper()
	mp, err := assets.ModelPath(SourceManifest)
	if err != nil {
		t.Fatal(err)
	}
	bp, err := assets.ModelPath(SourceWeights)
	if err != nil {
		t.Fatal(err)
	}
	m, err := os.ReadFile(mp)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bp)
	if err != nil {
		t.Fatal(err)
	}
	return m, b
}

func loadNet(t testing.TB) *Net {
	m, b := sources(t)
	w, err := LoadTFJS(m, b)
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNet(w)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoadAndForward(t *testing.T) {
	n := loadNet(t)
	// A flat grey face-sized input: the network still gives a finite, non-zero descriptor, the same
	// on every run.
	rgb := bytes.Repeat([]byte{128, 110, 100}, InputSize*InputSize)
	in, err := Preprocess(rgb)
	if err != nil {
		t.Fatal(err)
	}
	a, err := n.Forward(in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := n.Forward(in)
	var norm float32
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("forward pass is not deterministic")
		}
		norm += a[i] * a[i]
	}
	if len(a) != EmbeddingDim || norm == 0 {
		t.Fatalf("descriptor len %d norm %v", len(a), norm)
	}
	if _, err := n.Forward(in[:10]); !errors.Is(err, ErrInput) {
		t.Fatalf("short input: %v", err)
	}
	if _, err := Preprocess(rgb[:3]); !errors.Is(err, ErrInput) {
		t.Fatalf("short image: %v", err)
	}
}

func TestRejectBadWeights(t *testing.T) {
	m, b := sources(t)
	if _, err := LoadTFJS(m, b[:len(b)-1]); !errors.Is(err, ErrWeights) {
		t.Fatalf("truncated weights: %v", err)
	}
	if _, err := LoadTFJS(m, append(append([]byte(nil), b...), 0)); !errors.Is(err, ErrWeights) {
		t.Fatalf("trailing bytes: %v", err)
	}
	if _, err := LoadTFJS([]byte("{"), b); !errors.Is(err, ErrWeights) {
		t.Fatalf("broken manifest: %v", err)
	}
	w, err := LoadTFJS(m, b)
	if err != nil {
		t.Fatal(err)
	}
	delete(w, "fc")
	if _, err := NewNet(w); !errors.Is(err, ErrWeights) {
		t.Fatalf("missing tensor: %v", err)
	}
	w, _ = LoadTFJS(m, b)
	w["conv32_1/conv1/conv/bias"] = Tensor{Shape: []int{31}, Data: make([]float32, 31)}
	if _, err := NewNet(w); !errors.Is(err, ErrWeights) {
		t.Fatalf("wrong shape: %v", err)
	}
}

// TestONNXStructure parses the written model back with protowire: every message is well formed, the
// graph has the expected operators and the bytes are the same on every conversion.
func TestONNXStructure(t *testing.T) {
	n := loadNet(t)
	a, b := n.ToONNX(), n.ToONNX()
	if !bytes.Equal(a, b) {
		t.Fatal("conversion is not deterministic")
	}
	var graph []byte
	forEach(t, a, func(num protowire.Number, v []byte) {
		if num == modelGraph {
			graph = v
		}
	})
	ops := map[string]int{}
	inits := 0
	forEach(t, graph, func(num protowire.Number, v []byte) {
		switch num {
		case graphNode:
			forEach(t, v, func(f protowire.Number, s []byte) {
				if f == nodeOpType {
					ops[string(s)]++
				}
			})
		case graphInitializer:
			inits++
		}
	})
	// 29 weighted convs + 3 channel-padding shortcut convs; 2 spatial pads; 1 same-width shortcut.
	if ops["Conv"] != 32 || ops["Pad"] != 2 || ops["AveragePool"] != 1 || ops["Gemm"] != 1 || ops["Add"] != 14 {
		t.Fatalf("operators %v", ops)
	}
	if inits != 2*29+3+2 {
		t.Fatalf("%d initializers", inits)
	}
}

// forEach walks the length-delimited fields of one protobuf message.
func forEach(t *testing.T, msg []byte, f func(protowire.Number, []byte)) {
	t.Helper()
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		msg = msg[n:]
		if typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(msg)
			if m < 0 {
				t.Fatalf("bad bytes: %v", protowire.ParseError(m))
			}
			f(num, v)
			msg = msg[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, msg)
		if m < 0 {
			t.Fatalf("bad field: %v", protowire.ParseError(m))
		}
		msg = msg[m:]
	}
}

func TestEnsureONNX(t *testing.T) {
	m, b := sources(t)
	dir := t.TempDir()
	for rel, data := range map[string][]byte{SourceManifest: m, SourceWeights: b} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p, err := EnsureONNX(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A damaged file is rewritten.
	if err := os.WriteFile(p, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureONNX(dir); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, loadNet(t).ToONNX()) {
		t.Fatal("damaged ONNX file not replaced")
	}
	if sum := sha256.Sum256(got); hex.EncodeToString(sum[:]) != ONNXSHA256 {
		t.Fatalf("converted model sha256 %x, pinned %s: update ONNXSHA256 if the converter changed on purpose", sum, ONNXSHA256)
	}
	if _, err := EnsureONNX(t.TempDir()); err == nil {
		t.Fatal("converted without weights")
	}
}

func FuzzLoadTFJS(f *testing.F) {
	m, b := sources(f)
	f.Add(m, b[:4096])
	f.Add([]byte(`[{"paths":["x"],"weights":[{"name":"a","shape":[2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}}]}]`), []byte{0, 4})
	f.Add([]byte(`[{"paths":["x"],"weights":[{"name":"a","shape":[1],"dtype":"float32"}]}]`), []byte{0, 0, 128, 63})
	f.Fuzz(func(t *testing.T, manifest, bin []byte) {
		w, err := LoadTFJS(manifest, bin)
		if err != nil {
			return
		}
		for name, tensor := range w {
			if len(tensor.Data) != tensor.size() {
				t.Fatalf("%s: %d values for shape %v", name, len(tensor.Data), tensor.Shape)
			}
		}
	})
}
