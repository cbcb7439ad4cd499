package zk

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// FileNonceStore is a NonceStore kept in a JSON file, for a relying party that verifies from the
// command line (`virtengine zk verify --nonce-db FILE`) rather than from a long-running process.
//
// Each Use takes the lock file Path+".lock" (created with O_EXCL), reads the store, drops expired
// entries, records the pair, and writes the store back through a temporary file renamed over Path,
// so concurrent processes never both accept the same (audience, nonce) and a crash never leaves a
// half-written store. A lock older than LockStale is taken to be left by a crashed process and
// removed.
type FileNonceStore struct {
	Path        string
	LockTimeout time.Duration // how long Use waits for the lock; DefaultNonceLockTimeout when 0
	LockStale   time.Duration // a lock file older than this is removed; DefaultNonceLockStale when 0
}

// Defaults of FileNonceStore.
const (
	DefaultNonceLockTimeout = 10 * time.Second
	DefaultNonceLockStale   = 2 * time.Minute
	// MaxNonceStoreSize bounds the store file a FileNonceStore reads.
	MaxNonceStoreSize = 64 << 20
)

// ErrNonceStore wraps failures of a nonce store's own storage (lock, read, parse, write).
var ErrNonceStore = errors.New("zk: nonce store")

// nonceFile is the on-disk form: {"version":1,"entries":[{"audience":…,"nonce":"0x…","expiry":unix}]}.
type nonceFile struct {
	Version int          `json:"version"`
	Entries []nonceEntry `json:"entries"`
}

type nonceEntry struct {
	Audience string `json:"audience"`
	Nonce    Scalar `json:"nonce"`
	Expiry   int64  `json:"expiry"`
}

// parseNonceFile decodes a store file strictly. An empty file is an empty store.
func parseNonceFile(b []byte) (*nonceFile, error) {
	f := &nonceFile{Version: 1}
	if len(b) == 0 {
		return f, nil
	}
	if len(b) > MaxNonceStoreSize {
		return nil, fmt.Errorf("%w: file larger than %d bytes", ErrNonceStore, MaxNonceStoreSize)
	}
	if err := strictUnmarshal(b, f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNonceStore, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("%w: unsupported version %d", ErrNonceStore, f.Version)
	}
	if len(f.Entries) > MaxNonceStoreSize/64 {
		return nil, fmt.Errorf("%w: too many entries", ErrNonceStore)
	}
	for _, e := range f.Entries {
		if len(e.Audience) > MaxAudienceLen {
			return nil, fmt.Errorf("%w: audience longer than %d bytes", ErrNonceStore, MaxAudienceLen)
		}
	}
	return f, nil
}

// Use implements NonceStore.
func (s *FileNonceStore) Use(audience string, nonce Scalar, now, expiry time.Time) error {
	if s == nil || s.Path == "" {
		return fmt.Errorf("%w: no file", ErrNonceStore)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()

	b, err := os.ReadFile(s.Path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %v", ErrNonceStore, err)
	}
	f, err := parseNonceFile(b)
	if err != nil {
		return err
	}
	kept := f.Entries[:0]
	for _, e := range f.Entries {
		if now.After(time.Unix(e.Expiry, 0)) {
			continue
		}
		if e.Audience == audience && e.Nonce == nonce {
			return fmt.Errorf("%w: audience %q, nonce %s (recorded in %s)", ErrNonceReplayed, audience, nonce, s.Path)
		}
		kept = append(kept, e)
	}
	f.Entries = append(kept, nonceEntry{Audience: audience, Nonce: nonce, Expiry: expiry.Unix()})
	out, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNonceStore, err)
	}
	return s.replace(append(out, '\n'))
}

// replace writes b to a temporary file next to Path and renames it over Path.
func (s *FileNonceStore) replace(b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(s.Path), "."+filepath.Base(s.Path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNonceStore, err)
	}
	name := tmp.Name()
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, s.Path)
	}
	if err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("%w: %v", ErrNonceStore, err)
	}
	return nil
}

// lock creates Path+".lock" exclusively, waiting up to LockTimeout and removing a stale lock.
func (s *FileNonceStore) lock() (func(), error) {
	timeout, stale := s.LockTimeout, s.LockStale
	if timeout <= 0 {
		timeout = DefaultNonceLockTimeout
	}
	if stale <= 0 {
		stale = DefaultNonceLockStale
	}
	path := s.Path + ".lock"
	deadline := time.Now().Add(timeout)
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
			_ = f.Close()
			return func() { _ = os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%w: lock: %v", ErrNonceStore, err)
		}
		if fi, serr := os.Stat(path); serr == nil && time.Since(fi.ModTime()) > stale {
			_ = os.Remove(path) // left by a crashed process
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s is locked (another verify running, or remove it if none is)", ErrNonceStore, path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
