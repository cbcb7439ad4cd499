package mrz

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := 0
	for _, v := range loadVectors(f) {
		f.Add(strings.Join(v.Lines, "\n"))
		seeds++
	}
	f.Add(td3L1 + "\n" + td3L2)
	f.Add(td3L1 + "\n" + td3L2[:9] + "<" + td3L2[10:])
	if seeds == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseText(s)
		if err == nil && (r == nil || !r.Valid) {
			t.Fatalf("nil error without a valid result")
		}
		if r == nil {
			return
		}
		// Round trip: the corrected lines parse to the same fields, with nothing left to correct.
		r2, err2 := Parse(r.Lines)
		if r2 == nil || (err2 == nil) != (err == nil) || r2.DocumentNumber != r.DocumentNumber || r2.BirthDate != r.BirthDate {
			t.Fatalf("re-parse differs: %+v / %+v (%v / %v)", r, r2, err, err2)
		}
	})
}
