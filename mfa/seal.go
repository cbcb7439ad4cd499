package mfa

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// StateKeyLen is the length of the key that seals factor state at rest: 32 bytes (AES-256).
const StateKeyLen = 32

// ErrSealedState is returned by the Import methods for a sealed record that does not open: sealed
// under another key, changed after sealing, or moved from another account or factor store.
var ErrSealedState = errors.New("mfa: sealed factor state does not open (wrong key, tampered, or another account's or factor's record)")

// StateKey seals factor state for storage: TOTP.Export, BackupCodes.Export, DeliveredCode.Export and
// Passkeys.Export return one record per account, each encrypted and authenticated with AES-256-GCM
// under a key derived (HKDF-SHA256) from the caller's 32-byte key. The factor type and the account
// are bound as associated data, so a record opens only unchanged, under the same key, for the account
// and factor store it was sealed for; anything else fails with ErrSealedState.
//
// Keep the key out of the state's storage (a KMS, a secret manager, a file only the service reads).
// To rotate it, Import under the old key and Export under the new one. Sealing does not stop a whole
// record from being swapped for an older copy of the same account's record (which would, for example,
// make spent backup codes valid again): storage that keeps versions must keep them out of reach.
//
// A StateKey prints as "[redacted]" with every fmt verb.
type StateKey struct {
	aead cipher.AEAD
	rnd  io.Reader
}

// NewStateKey returns a StateKey for key, which must be StateKeyLen random bytes (from crypto/rand);
// an all-zero key, the usual sign of a key that was never loaded, is refused.
func NewStateKey(key []byte) (*StateKey, error) {
	if len(key) != StateKeyLen {
		return nil, invalid("state key must be %d bytes, got %d", StateKeyLen, len(key))
	}
	if subtle.ConstantTimeCompare(key, make([]byte, StateKeyLen)) == 1 {
		return nil, invalid("state key is all zeros")
	}
	sub, err := hkdf.Key(sha256.New, key, nil, "virtengine/mfa/factor-state/v1 aes-256-gcm", 32)
	if err != nil {
		return nil, fmt.Errorf("mfa: derive state key: %w", err)
	}
	defer clear(sub)
	block, err := aes.NewCipher(sub)
	if err != nil {
		return nil, fmt.Errorf("mfa: state key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("mfa: state key: %w", err)
	}
	return &StateKey{aead: aead, rnd: rand.Reader}, nil
}

// String implements fmt.Stringer without the key.
func (k *StateKey) String() string { return "mfa.StateKey(" + redacted + ")" }

// Format implements fmt.Formatter with String for every verb.
func (k *StateKey) Format(f fmt.State, verb rune) { s := k.String(); formatRedacted(f, verb, s, s) }

// SealedState is the stored form of a factor store: which factor it holds and one sealed record per
// account, accounts in byte order so equal stores list the same accounts in the same order.
type SealedState struct {
	Factor   FactorType     `json:"factor"`
	Accounts []SealedRecord `json:"accounts"`
}

// SealedRecord is one account's factor state: the account in the clear (it indexes the store) and
// everything else (secrets, counters, replay state, destinations) sealed under a StateKey.
type SealedRecord struct {
	Account string `json:"account"`
	Sealed  []byte `json:"sealed"`
}

// sealVersion is the first byte of every sealed record: version 1 is AES-256-GCM with a random
// 96-bit nonce, then the ciphertext and its tag.
const sealVersion = 1

// associatedData binds a record to its format version, factor store and account; lengths prefix
// both strings so no two (factor, account) pairs give the same bytes.
func associatedData(factor FactorType, account string) []byte {
	ad := append([]byte("virtengine/mfa/factor-state\x00"), sealVersion)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(factor)))
	ad = append(ad, factor...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(account)))
	return append(ad, account...)
}

// seal encodes v as JSON and seals it for (factor, account). The plaintext buffer is wiped after.
func (k *StateKey) seal(factor FactorType, account string, v any) ([]byte, error) {
	pt, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("mfa: encode factor state: %w", err)
	}
	defer clear(pt)
	ns := k.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(pt)+k.aead.Overhead())
	out[0] = sealVersion
	if _, err := io.ReadFull(k.rnd, out[1:]); err != nil {
		return nil, fmt.Errorf("mfa: read nonce: %w", err)
	}
	return k.aead.Seal(out, out[1:1+ns], pt, associatedData(factor, account)), nil
}

// open reverses seal into v, refusing unknown fields. Every failure is ErrSealedState and says
// nothing of the contents.
func (k *StateKey) open(factor FactorType, account string, sealed []byte, v any) error {
	ns := k.aead.NonceSize()
	if len(sealed) < 1+ns+k.aead.Overhead() || sealed[0] != sealVersion {
		return ErrSealedState
	}
	pt, err := k.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], associatedData(factor, account))
	if err != nil {
		return ErrSealedState
	}
	defer clear(pt)
	dec := json.NewDecoder(bytes.NewReader(pt))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: the record opens but does not decode", ErrSealedState)
	}
	return nil
}

// checkState validates the envelope of a SealedState for a store of factor: the key, the factor,
// account identifiers, no account twice.
func checkState(k *StateKey, factor FactorType, st SealedState) error {
	if k == nil {
		return invalid("nil state key")
	}
	if st.Factor != factor {
		return invalid("state of factor %q imported into a %s store", st.Factor, factor)
	}
	seen := make(map[string]bool, len(st.Accounts))
	for i, a := range st.Accounts {
		if err := checkIDs(a.Account, ""); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		if seen[a.Account] {
			return invalid("record %d: account appears twice", i)
		}
		seen[a.Account] = true
	}
	return nil
}
