package app

import (
	"bytes"
	"testing"

	"github.com/virtengine/sdk/node/tx"
)

func extensionSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, e := range []VoteExtension{
		{Model: "composite-v2"},
		{Model: "composite-v2", Votes: []IdentityVote{{Request: bytes.Repeat([]byte{1}, 32), Score: 87, InputHash: bytes.Repeat([]byte{2}, 32), Tier: 3, Passed: true}}},
		{Model: "composite-v2", Votes: []IdentityVote{
			{Request: bytes.Repeat([]byte{1}, 32), Score: 40, InputHash: bytes.Repeat([]byte{3}, 32)},
			{Request: bytes.Repeat([]byte{4}, 32), Score: 100, InputHash: bytes.Repeat([]byte{5}, 32), Tier: 3, Passed: true}}},
	} {
		b, err := tx.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzVoteExtension: the parser of other validators' vote extensions never panics, and what it
// accepts is canonical (re-encodes to the same bytes) and within range.
func FuzzVoteExtension(f *testing.F) {
	seeds := extensionSeeds(f)
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := parseExtension(b)
		if err != nil || len(b) == 0 {
			return
		}
		again, _ := tx.Marshal(e)
		if !bytes.Equal(again, b) {
			t.Fatal("accepted a non-canonical extension")
		}
		for _, v := range e.Votes {
			if v.Score > 100 || len(v.Request) != 32 {
				t.Fatal("accepted an out-of-range vote")
			}
		}
	})
}

// FuzzTally: the proposer-built tally decoder never panics on arbitrary bytes.
func FuzzTally(f *testing.F) {
	exts := extensionSeeds(f)
	t := Tally{Height: 5, Round: 1, Votes: []TallyVote{{Validator: bytes.Repeat([]byte{7}, 20), Power: 10, Extension: exts[1], Signature: make([]byte, 64)}}}
	b, err := tx.Marshal(t)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append(append([]byte(nil), internalPrefix...), b...))
	f.Add(append([]byte(nil), internalPrefix...))
	a := &App{}
	f.Fuzz(func(t *testing.T, b []byte) {
		if tl, err := a.decodeTally(b); err == nil {
			for _, v := range tl.Votes {
				parseExtension(v.Extension)
			}
		}
	})
}
