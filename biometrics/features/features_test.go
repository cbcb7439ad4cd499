package features

import (
	"bytes"
	"errors"
	"testing"
)

func TestNormalizeAndEncode(t *testing.T) {
	a := Features{Version: Version, ModelHash: "ab", FaceMatchBP: MaxBP, Reasons: []Reason{Glare, Blurry, Glare}}
	b := Features{Version: Version, ModelHash: "ab", FaceMatchBP: MaxBP, Reasons: []Reason{Blurry, Glare}}
	ea, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	eb, _ := b.MarshalBinary()
	if !bytes.Equal(ea, eb) {
		t.Fatal("same features, different bytes")
	}
	// The measurements and the embedding differ across CPUs: they are not in the encoding.
	b.FaceSimilarityBP, b.FaceDistanceMilli, b.PassiveLivenessBP, b.ActiveTurnPermille = 6400, 432, 9853, -159
	b.Embedding = make([]int8, EmbeddingDim)
	if ec, _ := b.MarshalBinary(); !bytes.Equal(ea, ec) {
		t.Fatal("the measurements changed the encoding")
	}
	b.FaceMatchBP = FaceBorderlineBP
	if ec, _ := b.MarshalBinary(); bytes.Equal(ea, ec) {
		t.Fatal("different levels, same bytes")
	}
	a.Normalize()
	if len(a.Reasons) != 2 || a.Reasons[0] != Blurry {
		t.Fatalf("reasons %v", a.Reasons)
	}
}

func TestValidateRange(t *testing.T) {
	if _, err := (Features{LivenessBP: MaxBP + 1}).MarshalBinary(); !errors.Is(err, ErrRange) {
		t.Fatalf("got %v", err)
	}
	if _, err := (Features{PassiveLivenessBP: MaxBP + 1}).MarshalBinary(); !errors.Is(err, ErrRange) {
		t.Fatalf("measurement out of range: got %v", err)
	}
	if err := (&Features{Embedding: make([]int8, 3)}).Validate(); !errors.Is(err, ErrRange) {
		t.Fatalf("got %v", err)
	}
	if err := (&Features{LivenessBP: MaxBP, Embedding: make([]int8, EmbeddingDim)}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestQuantize(t *testing.T) {
	q := Quantize([]float32{0, 0.5, -0.5, 1, -1, 0.001953125, -0.001953125})
	want := []int8{0, 127, -127, 127, -127, 1, -1}
	if !bytes.Equal(toBytes(q), toBytes(want)) {
		t.Fatalf("got %v want %v", q, want)
	}
	d, err := DistanceSquaredQ([]int8{1, 2}, []int8{4, -2})
	if err != nil || d != 25 {
		t.Fatalf("d = %d %v", d, err)
	}
	if _, err := DistanceSquaredQ([]int8{1}, nil); !errors.Is(err, ErrRange) {
		t.Fatal("length mismatch accepted")
	}
	if BP(-3) != 0 || BP(20000) != MaxBP || BP(77) != 77 {
		t.Fatal("BP clamp")
	}
}

func toBytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}
