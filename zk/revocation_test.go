package zk

import (
	"errors"
	"testing"
	"time"
)

func TestRevocationTree(t *testing.T) {
	tr := NewRevocationTree()
	if tr.Root() != EmptyRevocationRoot() {
		t.Fatal("empty tree root")
	}
	p := tr.Path(12345)
	if r, err := p.Root(); err != nil || r != tr.Root() {
		t.Fatalf("empty path root: %v", err)
	}
	old := tr.Root()
	u, err := tr.Revoke(12345)
	if err != nil {
		t.Fatal(err)
	}
	if u.OldRoot != old || u.NewRoot != tr.Root() || u.NewRoot == old {
		t.Fatal("update roots")
	}
	if err := u.Verify(); err != nil {
		t.Fatal(err)
	}
	if !tr.Revoked(12345) || tr.Revoked(12344) {
		t.Fatal("Revoked")
	}
	// the neighbour's non-revocation path still verifies against the new root
	n := tr.Path(12344)
	if r, _ := n.Root(); r != tr.Root() || n.Leaf != (Scalar{}) {
		t.Fatal("neighbour path")
	}
	// the revoked slot's path has leaf 1
	rp := tr.Path(12345)
	if rp.Leaf != scalarOf(u64(1)) {
		t.Fatal("revoked leaf")
	}
	// reject twins
	if _, err := tr.Revoke(12345); !errors.Is(err, ErrRevocationIndex) {
		t.Fatalf("double revoke: %v", err)
	}
	bad := *u
	bad.Index ^= 1
	if err := bad.Verify(); err == nil {
		t.Fatal("update for another slot verified")
	}
	bad = *u
	bad.Siblings[7][2][31] ^= 1
	if err := bad.Verify(); err == nil {
		t.Fatal("update with a tampered sibling verified")
	}
	// extreme slots
	for _, idx := range []uint32{0, MaxRangeValue} {
		if _, err := tr.Revoke(idx); err != nil {
			t.Fatal(err)
		}
		p := tr.Path(idx)
		if r, _ := p.Root(); r != tr.Root() {
			t.Fatalf("slot %d path", idx)
		}
	}
}

func TestAgeCutoff(t *testing.T) {
	cases := []struct {
		today     [3]int
		years     int
		wantCutof [3]int
	}{
		{[3]int{2026, 11, 28}, 18, [3]int{2008, 11, 28}},
		{[3]int{2024, 2, 29}, 18, [3]int{2006, 2, 28}}, // born 1 March 2006 is not 18 yet
		{[3]int{2024, 2, 29}, 4, [3]int{2020, 2, 29}},
		{[3]int{2025, 3, 1}, 21, [3]int{2004, 3, 1}},
	}
	for _, c := range cases {
		today := Day(c.today[0], monthOf(c.today[1]), c.today[2])
		want := Day(c.wantCutof[0], monthOf(c.wantCutof[1]), c.wantCutof[2])
		if got := AgeCutoff(today, c.years); got != want {
			t.Errorf("AgeCutoff(%v, %d) = %v, want %v", c.today, c.years, DayDate(got), DayDate(want))
		}
	}
	if d := Day(1900, 1, 1); d != 0 || DayDate(0).Year() != 1900 {
		t.Fatal("epoch")
	}
}

func monthOf(m int) time.Month { return time.Month(m) }

func TestRevocationTreeJSON(t *testing.T) {
	tr := NewRevocationTree()
	for range 5 {
		tr.Allocate()
	}
	for _, i := range []uint32{3, 1, 4000000000} {
		if _, err := tr.Revoke(i); err != nil {
			t.Fatal(err)
		}
	}
	b, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"next":5,"revoked":[1,3,4000000000]}` {
		t.Fatalf("encoding %s", b)
	}
	var tr2 RevocationTree
	if err := tr2.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if tr2.Root() != tr.Root() {
		t.Fatal("root differs after reload")
	}
	if err := tr2.UnmarshalJSON([]byte(`{"next":1,"revoked":[2,2]}`)); err == nil {
		t.Fatal("duplicate revoked slot accepted")
	}
}
