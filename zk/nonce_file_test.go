package zk

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestFileNonceStore: a pair is accepted once and refused again (also from another store on the same
// file, i.e. another process); other audiences and nonces, and expired entries, are accepted.
func TestFileNonceStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nonces.json")
	s := &FileNonceStore{Path: path}
	now := time.Unix(1_800_000_000, 0)
	n := Scalar{31: 7}
	if err := s.Use("rp.example", n, now, now.Add(time.Hour)); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := (&FileNonceStore{Path: path}).Use("rp.example", n, now, now.Add(time.Hour)); !errors.Is(err, ErrNonceReplayed) {
		t.Fatalf("replay accepted: %v", err)
	}
	if err := s.Use("other.example", n, now, now.Add(time.Hour)); err != nil {
		t.Fatalf("other audience: %v", err)
	}
	if err := s.Use("rp.example", Scalar{31: 8}, now, now.Add(time.Hour)); err != nil {
		t.Fatalf("other nonce: %v", err)
	}
	later := now.Add(2 * time.Hour)
	if err := s.Use("rp.example", n, later, later.Add(time.Hour)); err != nil {
		t.Fatalf("use after expiry: %v", err)
	}
	if err := s.Use("rp.example", n, later, later.Add(time.Hour)); !errors.Is(err, ErrNonceReplayed) {
		t.Fatalf("replay after re-use accepted: %v", err)
	}
	b, _ := os.ReadFile(path)
	f, err := parseNonceFile(b)
	if err != nil || len(f.Entries) != 1 { // the three first entries expired and were dropped
		t.Fatalf("store after pruning: %v %+v", err, f)
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Fatalf("lock left behind: %v", err)
	}
}

// TestFileNonceStoreConcurrent: of many concurrent uses of one pair, through separate stores on one
// file, exactly one is accepted.
func TestFileNonceStoreConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nonces.json")
	now := time.Unix(1_800_000_000, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, replayed := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := (&FileNonceStore{Path: path}).Use("rp.example", Scalar{31: 1}, now, now.Add(time.Hour))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrNonceReplayed):
				replayed++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || replayed != 7 {
		t.Fatalf("accepted %d, replayed %d", ok, replayed)
	}
}

// TestFileNonceStoreLock: a held lock makes Use wait and then fail with ErrNonceStore; a stale one is
// removed and the use accepted.
func TestFileNonceStoreLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nonces.json")
	if err := os.WriteFile(path+".lock", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := &FileNonceStore{Path: path, LockTimeout: 50 * time.Millisecond}
	if err := s.Use("rp.example", Scalar{}, now, now.Add(time.Hour)); !errors.Is(err, ErrNonceStore) {
		t.Fatalf("held lock: %v", err)
	}
	old := now.Add(-time.Hour)
	if err := os.Chtimes(path+".lock", old, old); err != nil {
		t.Fatal(err)
	}
	if err := s.Use("rp.example", Scalar{}, now, now.Add(time.Hour)); err != nil {
		t.Fatalf("stale lock: %v", err)
	}
}

// TestFileNonceStoreCorrupt: a corrupt store is an ErrNonceStore error, never a silent reset.
func TestFileNonceStoreCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nonces.json")
	now := time.Now()
	for _, bad := range []string{"{", `{"version":2,"entries":[]}`, `{"version":1,"entries":[],"x":1}`, `{"version":1,"entries":[{"audience":"a","nonce":"0x00","expiry":1}]}`} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := (&FileNonceStore{Path: path}).Use("a", Scalar{}, now, now); !errors.Is(err, ErrNonceStore) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if err := (&FileNonceStore{}).Use("a", Scalar{}, now, now); !errors.Is(err, ErrNonceStore) {
		t.Errorf("no path: %v", err)
	}
}

func FuzzParseNonceFile(f *testing.F) {
	f.Add([]byte(`{"version":1,"entries":[{"audience":"rp.example","nonce":"0x0000000000000000000000000000000000000000000000000000000000000007","expiry":1800003600}]}`))
	f.Add([]byte(`{"version":1,"entries":[]}`))
	f.Add([]byte(``))
	f.Add([]byte(`{"version":1,"entries":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		nf, err := parseNonceFile(b)
		if err != nil {
			if !errors.Is(err, ErrNonceStore) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		// What parses re-encodes to something that parses to the same entries.
		out, err := json.Marshal(nf)
		if err != nil {
			t.Fatal(err)
		}
		nf2, err := parseNonceFile(out)
		if err != nil || len(nf2.Entries) != len(nf.Entries) {
			t.Fatalf("round trip: %v", err)
		}
		for i := range nf.Entries {
			if nf.Entries[i] != nf2.Entries[i] {
				t.Fatalf("entry %d changed: %+v -> %+v", i, nf.Entries[i], nf2.Entries[i])
			}
		}
	})
}

// TestVerifyFileNonceStore: with a FileNonceStore a presentation is accepted once, and refused as
// replayed on the second verify, also by a second verifier on the same file.
func TestVerifyFileNonceStore(t *testing.T) {
	req, p := validPresentation(t)
	path := filepath.Join(t.TempDir(), "nonces.json")
	v := devVerifier(t)
	v.Nonces = &FileNonceStore{Path: path}
	if r := v.Verify(req, p, testNow); !r.Valid {
		t.Fatalf("first verify: %v", r.Err())
	}
	v2 := devVerifier(t)
	v2.Nonces = &FileNonceStore{Path: path}
	r := v2.Verify(req, p, testNow)
	if r.Valid || r.Reason != ReasonReplay || !errors.Is(r.Err(), ErrNonceReplayed) {
		t.Fatalf("replay: %+v", r)
	}
}
