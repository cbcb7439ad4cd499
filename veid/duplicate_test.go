package veid

import (
	"bytes"
	"errors"
	"testing"
)

func embedding(seed int) []int8 {
	e := make([]int8, 128)
	for i := range e {
		e[i] = int8((i*seed*7919+seed*31)%200/2 - 50)
	}
	return e
}

func TestProtectFace(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	a, err := ProtectFace(key, embedding(3))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ProtectFace(key, embedding(3))
	if a != again || a.Distance(again) != 0 {
		t.Fatal("not deterministic")
	}
	// Negating the embedding flips every sign: the farthest template.
	neg := embedding(3)
	for i := range neg {
		neg[i] = -neg[i]
	}
	n, _ := ProtectFace(key, neg)
	if d := a.Distance(n); d < FaceTemplateBits-8 {
		t.Fatalf("negated embedding at distance %d", d)
	}
	// A small perturbation stays close; the same embedding under another key does not.
	near := embedding(3)
	near[5]++
	near[77]--
	p, _ := ProtectFace(key, near)
	o, _ := ProtectFace(bytes.Repeat([]byte{2}, 32), embedding(3))
	if a.Distance(p) > FaceDuplicateMaxDistance || a.Distance(o) <= FaceDuplicateMaxDistance {
		t.Fatalf("near %d, other key %d", a.Distance(p), a.Distance(o))
	}
	for _, bad := range [][]int8{nil, make([]int8, MaxEmbeddingDim+1)} {
		if _, err := ProtectFace(key, bad); !errors.Is(err, ErrFeatureRange) {
			t.Fatal(err)
		}
	}
	// Long embeddings use several sign blocks.
	if _, err := ProtectFace(key, make([]int8, 300)); err != nil {
		t.Fatal(err)
	}
}

func TestDuplicateIndex(t *testing.T) {
	key := []byte("template key")
	a, _ := ProtectFace(key, embedding(3))
	b, _ := ProtectFace(key, embedding(5))
	doc := DocumentFingerprint(key, "UTO", "L898902C3")
	if doc != DocumentFingerprint(key, " uto", "l898902c3 ") || doc == DocumentFingerprint(key, "UTO", "L898902C4") {
		t.Fatal("fingerprint normalization")
	}
	var x DuplicateIndex
	x.Add("alice", a, doc)
	var de *DuplicateError
	if err := x.Check("bob", a, [32]byte{}); !errors.As(err, &de) || de.What != "face" || de.Account != "alice" || !errors.Is(err, ErrDuplicateIdentity) {
		t.Fatal(err)
	}
	if err := x.Check("bob", b, doc); !errors.As(err, &de) || de.What != "document" {
		t.Fatal(err)
	}
	if err := x.Check("bob", b, DocumentFingerprint(key, "UTO", "X1")); err != nil {
		t.Fatal(err)
	}
	if err := x.Check("alice", a, doc); err != nil {
		t.Fatal("same account refused:", err)
	}
}
