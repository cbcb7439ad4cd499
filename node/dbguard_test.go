package node

import (
	"errors"
	"testing"

	cfg "github.com/cometbft/cometbft/config"
)

// A consensus goroutine that wakes after the node closed its block store must not panic: reads
// find nothing, writes and iterators return a typed error, and Close is idempotent.
func TestGuardedDBAfterClose(t *testing.T) {
	c := cfg.DefaultConfig()
	c.SetRoot(t.TempDir())
	db, err := guardedDBProvider(&cfg.DBContext{ID: "blockstore", Config: c})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("before close: %q %v", v, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || v != nil {
		t.Fatalf("read after close: %q %v, want nothing and no error", v, err)
	}
	if ok, err := db.Has([]byte("k")); err != nil || ok {
		t.Fatalf("has after close: %v %v", ok, err)
	}
	if err := db.Set([]byte("k"), []byte("w")); !errors.Is(err, errDBClosed) {
		t.Fatalf("write after close: %v, want errDBClosed", err)
	}
	if _, err := db.Iterator(nil, nil); !errors.Is(err, errDBClosed) {
		t.Fatalf("iterator after close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}
