package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// Status is the state of one pinned file in a data directory.
type Status struct {
	Entry
	Path  string `json:"path"`
	State string `json:"state"` // "ok", "missing" or "corrupt"
	Got   string `json:"got,omitempty"`
}

// HashFile returns the hex sha256 of the file at path.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// VerifyFile checks the file of entry e under dir against its pinned sha256.
func VerifyFile(dir string, e Entry) error {
	p := filepath.Join(dir, filepath.FromSlash(e.Name))
	got, err := HashFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return &FileError{Name: e.Name, Path: p, Err: ErrMissing}
	}
	if err != nil {
		return err
	}
	if got != e.SHA256 {
		return &FileError{Name: e.Name, Path: p, Err: ErrChecksum, Got: got}
	}
	return nil
}

// Check verifies every file of the manifest under dir and returns one status per file.
func (m *Manifest) Check(dir string) []Status {
	out := make([]Status, 0, len(m.Files))
	for _, e := range m.Files {
		s := Status{Entry: e, Path: filepath.Join(dir, filepath.FromSlash(e.Name)), State: "ok"}
		var fe *FileError
		if err := VerifyFile(dir, e); errors.As(err, &fe) {
			s.Got = fe.Got
			s.State = "missing"
			if errors.Is(err, ErrChecksum) {
				s.State = "corrupt"
			}
		} else if err != nil {
			s.State = "missing"
		}
		out = append(out, s)
	}
	return out
}
