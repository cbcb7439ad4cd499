package veid

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// PROTOCOL.md's field-by-field example must stay the signing payload of the first vector.
func TestProtocolDocMatchesVectors(t *testing.T) {
	doc, err := os.ReadFile("PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var f captureVectorFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(doc), "split by field:")
	end := strings.Index(string(doc), "Both signatures of this vector")
	if start < 0 || end < start {
		t.Fatal("PROTOCOL.md lost its field-by-field example")
	}
	hexRun := regexp.MustCompile(`^    ((?:[0-9a-f]+ ?)+?)\s{2,}`)
	var got strings.Builder
	for _, line := range strings.Split(string(doc[start:end]), "\n") {
		if m := hexRun.FindStringSubmatch(line); m != nil {
			got.WriteString(strings.ReplaceAll(m[1], " ", ""))
		}
	}
	if got.String() != f.Vectors[0].SigningPayload {
		t.Fatalf("PROTOCOL.md example:\n%s\nvector:\n%s", got.String(), f.Vectors[0].SigningPayload)
	}
	if !strings.Contains(string(doc), "and 21 vectors") || len(f.Vectors) != 21 {
		t.Fatalf("PROTOCOL.md states 21 vectors, the file has %d", len(f.Vectors))
	}
}
