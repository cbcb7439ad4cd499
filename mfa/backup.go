package mfa

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// BackupCodes is the Factor of printed single-use recovery codes. Generate returns the codes once;
// only salted SHA-256 hashes are kept (each code carries 80 random bits, so the hashes cannot be
// searched). A code works once.
type BackupCodes struct {
	rnd   io.Reader
	mu    sync.Mutex
	owner *Registry // set by Registry.SetStores: enrollment goes through the registry only
	sets  map[string]*backupSet
}

type backupSet struct {
	salt   [16]byte
	hashes [][32]byte
	used   []bool
}

var backupAlphabet = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewBackupCodes returns an empty store; rnd nil means crypto/rand.
func NewBackupCodes(rnd io.Reader) *BackupCodes {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &BackupCodes{rnd: rnd, sets: map[string]*backupSet{}}
}

// Type implements Factor.
func (b *BackupCodes) Type() FactorType { return FactorBackupCode }

// String implements fmt.Stringer: how many accounts hold codes, nothing of the codes.
func (b *BackupCodes) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprintf("mfa.BackupCodes{accounts: %d}", len(b.sets))
}

// Format implements fmt.Formatter with String for every verb.
func (b *BackupCodes) Format(f fmt.State, verb rune) { s := b.String(); formatRedacted(f, verb, s, s) }

// Generate replaces the codes of account with BackupCodeCount new ones, formatted "xxxx-xxxx-xxxx-xxxx"
// in lower-case base32. A store driven by a Registry refuses it (ErrInvalidInput): enroll or replace
// the codes with Registry.Enroll or Registry.Replace.
func (b *BackupCodes) Generate(account string) ([]string, error) {
	if err := checkIDs(account, ""); err != nil {
		return nil, err
	}
	b.mu.Lock()
	managed := b.owner != nil
	b.mu.Unlock()
	if managed {
		return nil, errManaged(FactorBackupCode)
	}
	set, codes, err := b.newSet(account)
	if err != nil {
		return nil, err
	}
	b.put(account, set)
	return codes, nil
}

// newSet draws BackupCodeCount codes for account and returns them with the set that stores their
// hashes.
func (b *BackupCodes) newSet(account string) (*backupSet, []string, error) {
	set := &backupSet{hashes: make([][32]byte, BackupCodeCount), used: make([]bool, BackupCodeCount)}
	if _, err := io.ReadFull(b.rnd, set.salt[:]); err != nil {
		return nil, nil, fmt.Errorf("mfa: read salt: %w", err)
	}
	codes := make([]string, BackupCodeCount)
	raw := make([]byte, BackupCodeLen*5/8)
	for i := range codes {
		if _, err := io.ReadFull(b.rnd, raw); err != nil {
			return nil, nil, fmt.Errorf("mfa: read backup code: %w", err)
		}
		c := strings.ToLower(backupAlphabet.EncodeToString(raw))
		set.hashes[i] = saltedHash(set.salt[:], account, c)
		codes[i] = c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
	}
	return set, codes, nil
}

// put and drop are the registry's way in (and Generate's).
func (b *BackupCodes) put(account string, set *backupSet) {
	b.mu.Lock()
	b.sets[account] = set
	b.mu.Unlock()
}

func (b *BackupCodes) drop(account string) {
	b.mu.Lock()
	delete(b.sets, account)
	b.mu.Unlock()
}

// manage hands the store to r; the accounts holding codes are returned for r to record.
func (b *BackupCodes) manage(r *Registry) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.owner != nil && b.owner != r {
		return nil, invalid("the backup-code store is already driven by another Registry")
	}
	b.owner = r
	return mapKeys(b.sets), nil
}

// Remaining counts the unused codes of account.
func (b *BackupCodes) Remaining(account string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	if s := b.sets[account]; s != nil {
		for _, u := range s.used {
			if !u {
				n++
			}
		}
	}
	return n
}

// Verify implements Factor. Case, spaces and dashes are ignored. Errors: ErrFactorNotFound,
// ErrBackupCodesSpent, ErrCodeReplayed (a used code), ErrWrongCode.
func (b *BackupCodes) Verify(account string, response []byte, _ time.Time) error {
	code := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(string(response)))
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.sets[account]
	if s == nil {
		return fmt.Errorf("%w: no backup codes for %q", ErrFactorNotFound, account)
	}
	if len(code) != BackupCodeLen {
		return ErrWrongCode
	}
	h := saltedHash(s.salt[:], account, code)
	match := -1
	for i := range s.hashes { // compare all, in constant time each
		if subtle.ConstantTimeCompare(h[:], s.hashes[i][:]) == 1 {
			match = i
		}
	}
	switch {
	case match < 0:
		for _, u := range s.used {
			if !u {
				return ErrWrongCode
			}
		}
		return ErrBackupCodesSpent
	case s.used[match]:
		return ErrCodeReplayed
	}
	s.used[match] = true
	return nil
}
