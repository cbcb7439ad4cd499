package demo

import (
	"bytes"
	"context"
	"testing"
)

func TestRunSDK(t *testing.T) {
	var out bytes.Buffer
	rep, err := RunSDK(context.Background(), &out, Options{})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Final || rep.Score < 70 || !rep.ProofValid || rep.ProofBytes == 0 || len(rep.Rejections) != 3 {
		t.Fatalf("%+v", rep)
	}
}
