package market

import (
	"errors"
	"testing"
)

func TestReviewsAndReputation(t *testing.T) {
	e := reach(t, OrderOpen)
	_, err := e.m.Review("ord-1", "alice", 5, t0)
	wantErr(t, err, ErrNotFound) // no lease yet
	e = reach(t, OrderActive)
	for _, stars := range []uint8{0, 6} {
		if _, err := e.m.Review("ord-1", "alice", stars, t0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("%d stars: %v", stars, err)
		}
	}
	_, err = e.m.Review("ord-1", "prov", 5, t0)
	wantErr(t, err, ErrNotAuthorized)
	_, err = e.m.Review("ord-1", "alice", 4, t0)
	must(t, err)
	_, err = e.m.Review("ord-1", "alice", 5, t0)
	wantErr(t, err, ErrExists)
	rep, err := e.m.Reputation("prov")
	must(t, err)
	if rep.Reviews != 1 || rep.AverageMilli != 4000 {
		t.Fatalf("%+v", rep)
	}
	e2 := reach(t, OrderMatched)
	_, err = e2.m.Review("ord-1", "alice", 3, t0)
	wantErr(t, err, ErrBadTransition)
}
