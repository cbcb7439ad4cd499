package agent

import (
	"errors"
	"testing"

	"github.com/virtengine/sdk/hpc"
)

func TestReplyRoundTrip(t *testing.T) {
	a := Ack{Seq: 42, Liveness: hpc.Stale, Drain: true}
	got, err := parseReply(encodeAck(a))
	if err != nil || got != a {
		t.Fatalf("%+v %v", got, err)
	}
	_, err = parseReply(encodeNack(7, CodeReplay, "sequence already seen"))
	var rej *RejectError
	if !errors.As(err, &rej) || rej.Seq != 7 || rej.Code != CodeReplay || rej.Reason != "sequence already seen" {
		t.Fatalf("nack: %v", err)
	}
	bad := encodeAck(a)
	bad[10] = 2 // drain must be 0 or 1
	if _, err := parseReply(bad); !errors.Is(err, hpc.ErrMalformed) {
		t.Fatalf("bad drain byte: %v", err)
	}
}

func FuzzParseReply(f *testing.F) {
	seeds := [][]byte{encodeAck(Ack{Seq: 1, Liveness: hpc.Alive}), encodeAck(Ack{Seq: 1 << 60, Liveness: hpc.Offline, Drain: true}),
		encodeNack(3, CodeBadSignature, "not signed by the node's registered key"), {msgAck}, {}}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ack, err := parseReply(b)
		var rej *RejectError
		switch {
		case err == nil:
			if string(encodeAck(ack)) != string(b) {
				t.Fatal("accepted a non-canonical ack")
			}
		case errors.As(err, &rej):
			if string(encodeNack(rej.Seq, rej.Code, rej.Reason)) != string(b) && len(b) <= 10+MaxReasonBytes {
				t.Fatal("nack does not round-trip")
			}
		case !errors.Is(err, hpc.ErrMalformed):
			t.Fatalf("unexpected error %v", err)
		}
	})
}
