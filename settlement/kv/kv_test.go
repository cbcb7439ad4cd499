package kv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

func collect(t *testing.T, s Store, prefix string) []string {
	var out []string
	if err := s.Iterate([]byte(prefix), func(k, v []byte) error { out = append(out, string(k)+"="+string(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOverlayCommitAndDiscard(t *testing.T) {
	m := NewMem()
	m.Set([]byte("a/1"), []byte("x"))
	m.Set([]byte("a/3"), []byte("y"))
	m.Set([]byte("b/1"), []byte("z"))
	o := NewOverlay(m)
	o.Set([]byte("a/2"), []byte("new"))
	o.Delete([]byte("a/3"))
	o.Set([]byte("a/1"), []byte("x2"))
	if got := fmt.Sprint(collect(t, o, "a/")); got != "[a/1=x2 a/2=new]" {
		t.Fatalf("overlay view %s", got)
	}
	if got := fmt.Sprint(collect(t, m, "a/")); got != "[a/1=x a/3=y]" {
		t.Fatalf("base changed before commit: %s", got)
	}
	if v, ok, _ := o.Get([]byte("a/3")); ok || v != nil {
		t.Fatal("deleted key visible")
	}
	if err := o.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(collect(t, m, "")); got != "[a/1=x2 a/2=new b/1=z]" {
		t.Fatalf("after commit %s", got)
	}
}

func TestHashIndependentOfWriteOrder(t *testing.T) {
	a, b := NewMem(), NewMem()
	for i := 0; i < 100; i++ {
		a.Set([]byte(fmt.Sprint(i)), []byte{byte(i)})
		b.Set([]byte(fmt.Sprint(99-i)), []byte{byte(99 - i)})
	}
	ha, _ := Hash(a)
	hb, _ := Hash(b)
	if ha != hb {
		t.Fatal("same contents, different hash")
	}
	b.Set([]byte("5"), []byte{6})
	if hb, _ = Hash(b); ha == hb {
		t.Fatal("different contents, same hash")
	}
	// Length prefixes: ("ab","c") and ("a","bc") differ.
	x, y := NewMem(), NewMem()
	x.Set([]byte("ab"), []byte("c"))
	y.Set([]byte("a"), []byte("bc"))
	hx, _ := Hash(x)
	hy, _ := Hash(y)
	if hx == hy {
		t.Fatal("ambiguous encoding")
	}
}

func TestIterateStop(t *testing.T) {
	m := NewMem()
	for _, k := range []string{"k1", "k2", "k3"} {
		m.Set([]byte(k), nil)
	}
	n := 0
	err := m.Iterate([]byte("k"), func(k, v []byte) error {
		n++
		if n == 2 {
			return ErrStop
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	boom := errors.New("boom")
	if err := NewOverlay(m).Iterate(nil, func(k, v []byte) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("callback error lost: %v", err)
	}
}

// An overlay behaves exactly like writing to the base directly: random Set/Delete/Get/Iterate on
// both agree at every step, and after Commit the base equals the model.
func TestOverlayMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 50; round++ {
		base, model := NewMem(), NewMem()
		for i := 0; i < 30; i++ {
			k := []byte(fmt.Sprintf("k/%02d", rng.IntN(40)))
			base.Set(k, []byte{byte(i)})
			model.Set(k, []byte{byte(i)})
		}
		o := NewOverlay(base)
		for i := 0; i < 200; i++ {
			k := []byte(fmt.Sprintf("k/%02d", rng.IntN(40)))
			switch rng.IntN(4) {
			case 0, 1:
				v := []byte{byte(rng.IntN(256))}
				o.Set(k, v)
				model.Set(k, v)
			case 2:
				o.Delete(k)
				model.Delete(k)
			case 3:
				a, aok, _ := o.Get(k)
				b, bok, _ := model.Get(k)
				if aok != bok || string(a) != string(b) {
					t.Fatalf("Get(%s): overlay %q %v, model %q %v", k, a, aok, b, bok)
				}
			}
			if i%25 == 0 {
				p := fmt.Sprintf("k/%d", rng.IntN(4))
				if a, b := fmt.Sprint(collect(t, o, p)), fmt.Sprint(collect(t, model, p)); a != b {
					t.Fatalf("Iterate(%s): %s vs %s", p, a, b)
				}
			}
		}
		if err := o.Commit(); err != nil {
			t.Fatal(err)
		}
		ha, _ := Hash(base)
		hb, _ := Hash(model)
		if ha != hb {
			t.Fatal("committed base differs from the model")
		}
	}
}
