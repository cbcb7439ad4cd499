package settlement

import (
	"errors"
	"testing"

	"github.com/virtengine/sdk/settlement/kv"
)

func TestBalancesListsEveryAccountInOrder(t *testing.T) {
	store := kv.NewMem()
	l := NewLedger(store)
	if bs, err := l.Balances(); err != nil || len(bs) != 0 {
		t.Fatalf("empty ledger: %v %v", bs, err)
	}
	must(t, l.Mint("zed", 5))
	must(t, l.Mint("alice", 10))
	must(t, l.Transfer("alice", "bob", 4))
	bs, err := l.Balances()
	must(t, err)
	want := []AccountBalance{{"alice", 6}, {"bob", 4}, {"zed", 5}}
	if len(bs) != len(want) {
		t.Fatalf("got %v, want %v", bs, want)
	}
	for i := range want {
		if bs[i] != want[i] {
			t.Fatalf("got %v, want %v", bs, want)
		}
	}
	// Reject twin: a corrupt stored balance is reported, not skipped.
	must(t, store.Set([]byte(pAcct+"carol"), []byte{1, 2, 3}))
	if _, err := l.Balances(); !errors.Is(err, ErrMalformed) {
		t.Fatalf("corrupt balance: %v", err)
	}
}
