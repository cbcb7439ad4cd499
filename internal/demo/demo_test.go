package demo

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// The whole SDK flow on the shared test data: a genuine verification passes with a quorum, its
// proof verifies, and the replayed proof, the reused salt, a second account with the same face and
// the spoofed selfie are refused.
func TestRunSDK(t *testing.T) {
	var out bytes.Buffer
	rep, err := RunSDK(context.Background(), &out, Options{})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Final || rep.Score < 70 || len(rep.Agreeing) != 3 || !rep.ProofValid || rep.ProofBytes != 128 || rep.VCBytes == 0 {
		t.Fatalf("%+v", rep)
	}
	var codes []string
	for _, r := range rep.Rejections {
		codes = append(codes, r.Code)
	}
	if !slices.Equal(codes, []string{"", "SALT_REUSED", "DUPLICATE_IDENTITY", "NOT_PASSED"}) || !strings.Contains(rep.Rejections[0].Err, "nonce_replayed") ||
		!strings.Contains(rep.Rejections[3].Err, "LOW_LIVENESS") {
		t.Fatalf("rejections %+v", rep.Rejections)
	}
	for _, s := range rep.Steps {
		if !s.OK {
			t.Fatalf("step %q failed: %s", s.Name, s.Detail)
		}
	}
}
