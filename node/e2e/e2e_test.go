package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func checkReport(t *testing.T, rep *Report, out string) {
	t.Helper()
	if len(rep.Steps) != totalSteps {
		t.Fatalf("%d steps, want %d:\n%s", len(rep.Steps), totalSteps, out)
	}
	if rep.Score == 0 || rep.ScoreBlocks > 3 || !rep.ProofValid || rep.ProviderShare == 0 || !rep.AppHashesAgree {
		t.Fatalf("report %+v\n%s", rep, out)
	}
}

// The whole flow on the embedded default (one validator).
func TestFlowOneValidator(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	var buf bytes.Buffer
	rep, err := Run(ctx, &buf, Config{Validators: 1})
	t.Log("\n" + buf.String())
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, buf.String())
}

// The whole flow on four validators, one of them Byzantine in its identity votes: every step passes,
// the score is the honest one and the app hashes agree on every node.
func TestFlowFourValidators(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	var buf bytes.Buffer
	rep, err := Run(ctx, &buf, Config{Validators: 4, Byzantine: []int{1}})
	t.Log("\n" + buf.String())
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, buf.String())
}
