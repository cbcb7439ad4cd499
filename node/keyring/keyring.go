// Package keyring stores account keys as files in a directory, one JSON file per named key with
// mode 0600: {"name", "algo", "address", "private_key" (hex)}. It is for development and operators'
// scripts; wallets keep keys in their platform's secure storage.
package keyring

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/virtengine/sdk/node/tx"
)

// ErrNotFound is returned for a key name that has no file.
var ErrNotFound = errors.New("keyring: no such key")

// ErrExists is returned when adding a name that is taken.
var ErrExists = errors.New("keyring: key exists")

var validName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Entry is a stored key.
type Entry struct {
	Name       string     `json:"name"`
	Algo       string     `json:"algo"`
	Address    tx.Address `json:"address"`
	PrivateKey string     `json:"private_key"`
}

// Keyring is a directory of keys.
type Keyring struct{ Dir string }

// Open returns the keyring in dir, creating it with mode 0700.
func Open(dir string) (*Keyring, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Keyring{Dir: dir}, nil
}

func (k *Keyring) path(name string) (string, error) {
	if !validName.MatchString(name) {
		return "", fmt.Errorf("keyring: bad name %q (letters, digits, _ . -)", name)
	}
	return filepath.Join(k.Dir, name+".json"), nil
}

// Add stores key under name.
func (k *Keyring) Add(name string, key *tx.PrivKey) (*Entry, error) {
	p, err := k.path(name)
	if err != nil {
		return nil, err
	}
	e := &Entry{Name: name, Algo: key.Algo().String(), Address: key.Address(), PrivateKey: hex.EncodeToString(key.Bytes())}
	b, _ := json.MarshalIndent(e, "", "  ")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%w: %s", ErrExists, name)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		return nil, err
	}
	return e, nil
}

// Get loads the key named name.
func (k *Keyring) Get(name string) (*tx.PrivKey, *Entry, error) {
	p, err := k.path(name)
	if err != nil {
		return nil, nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s (create it with `virtengine keys add %s`)", ErrNotFound, name, name)
	}
	if err != nil {
		return nil, nil, err
	}
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, nil, fmt.Errorf("keyring: %s: %w", p, err)
	}
	algo, err := tx.ParseAlgo(e.Algo)
	if err != nil {
		return nil, nil, err
	}
	raw, err := hex.DecodeString(e.PrivateKey)
	if err != nil {
		return nil, nil, fmt.Errorf("keyring: %s: private key is not hex", p)
	}
	key, err := tx.PrivKeyFromBytes(algo, raw)
	if err != nil {
		return nil, nil, err
	}
	if key.Address() != e.Address {
		return nil, nil, fmt.Errorf("keyring: %s: address does not match the key", p)
	}
	return key, &e, nil
}

// List returns the stored entries sorted by name (private keys blanked).
func (k *Keyring) List() ([]Entry, error) {
	ents, err := os.ReadDir(k.Dir)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, de := range ents {
		name, ok := strings.CutSuffix(de.Name(), ".json")
		if !ok {
			continue
		}
		_, e, err := k.Get(name)
		if err != nil {
			continue
		}
		e.PrivateKey = ""
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
