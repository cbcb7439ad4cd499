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
	rnd  io.Reader
	mu   sync.Mutex
	sets map[string]*backupSet
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
// in lower-case base32.
func (b *BackupCodes) Generate(account string) ([]string, error) {
	if err := checkIDs(account, ""); err != nil {
		return nil, err
	}
	set := &backupSet{hashes: make([][32]byte, BackupCodeCount), used: make([]bool, BackupCodeCount)}
	if _, err := io.ReadFull(b.rnd, set.salt[:]); err != nil {
		return nil, fmt.Errorf("mfa: read salt: %w", err)
	}
	codes := make([]string, BackupCodeCount)
	raw := make([]byte, BackupCodeLen*5/8)
	for i := range codes {
		if _, err := io.ReadFull(b.rnd, raw); err != nil {
			return nil, fmt.Errorf("mfa: read backup code: %w", err)
		}
		c := strings.ToLower(backupAlphabet.EncodeToString(raw))
		set.hashes[i] = saltedHash(set.salt[:], account, c)
		codes[i] = c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
	}
	b.mu.Lock()
	b.sets[account] = set
	b.mu.Unlock()
	return codes, nil
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
