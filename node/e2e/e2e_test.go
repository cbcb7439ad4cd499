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
	if rep.Score == 0 || !rep.ProofValid || rep.ProviderShare == 0 || !rep.PaidOut || !rep.AppHashesAgree {
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
	// The validator extracts the real images (~1 s of CPU on an idle core) while ExtendVote waits up
	// to node.DefaultVoteWait for it: 3 blocks on an idle machine, more when the cores are shared
	// (the blocks to the final score are reported, not asserted; the vote window bounds them).
	t.Logf("score final %d blocks (%.1fs) after the evidence", rep.ScoreBlocks, rep.ScoreSeconds)
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
	t.Logf("score final %d blocks (%.1fs) after the evidence", rep.ScoreBlocks, rep.ScoreSeconds)
}
