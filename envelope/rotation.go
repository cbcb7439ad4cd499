package envelope

import (
	"fmt"
	"time"
)

// KeyValidity says when a recipient key may be used (FEATURES.md §1.9). Times come from the caller
// (block time on a node), never from the clock; the zero time means "no bound".
type KeyValidity struct {
	From      time.Time // usable from
	SealUntil time.Time // senders may seal to it before this (end of its active life)
	OpenUntil time.Time // it may open envelopes before this (end of the overlap or grace period)
}

// CanSeal reports whether envelopes may be sealed to the key at now.
func (v KeyValidity) CanSeal(now time.Time) bool {
	return !now.Before(v.From) && (v.SealUntil.IsZero() || now.Before(v.SealUntil)) && v.CanOpen(now)
}

// CanOpen reports whether the key may open envelopes at now.
func (v KeyValidity) CanOpen(now time.Time) bool {
	return !now.Before(v.From) && (v.OpenUntil.IsZero() || now.Before(v.OpenUntil))
}

// AddValid adds an identity usable within v. Add is AddValid with no bounds.
// A nil identity is ignored.
func (k *Keyring) AddValid(id Identity, v KeyValidity) {
	if id == nil {
		return
	}
	k.Add(id)
	k.validity[len(k.validity)-1] = v
}

// Rotate retires the identity with KeyID old in favour of next: old stops being a sealing key at
// now and keeps opening envelopes for overlap more (those sealed before the rotation reached every
// sender), next is valid from now.
func (k *Keyring) Rotate(old KeyID, next Identity, now time.Time, overlap time.Duration) error {
	if next == nil {
		return &KeyError{Kind: "identity", Reason: "rotate to a nil identity: generate the next key first"}
	}
	i, err := k.index(old)
	if err != nil {
		return err
	}
	k.validity[i].SealUntil, k.validity[i].OpenUntil = earliest(k.validity[i].SealUntil, now), earliest(k.validity[i].OpenUntil, now.Add(overlap))
	k.AddValid(next, KeyValidity{From: now})
	return nil
}

// Revoke stops the identity with KeyID id from being sealed to at now; it keeps opening envelopes
// for grace (time to re-encrypt what it protects with Rekey), then stops.
func (k *Keyring) Revoke(id KeyID, now time.Time, grace time.Duration) error {
	i, err := k.index(id)
	if err != nil {
		return err
	}
	k.validity[i].SealUntil, k.validity[i].OpenUntil = earliest(k.validity[i].SealUntil, now), earliest(k.validity[i].OpenUntil, now.Add(grace))
	return nil
}

// At returns the identities that may open envelopes at now, as a Keyring. A Keyring's own Unwrap
// ignores validity: open with k.At(now) to honour rotations and revocations.
func (k *Keyring) At(now time.Time) *Keyring {
	out := NewKeyring()
	for i, id := range k.all {
		if k.validity[i].CanOpen(now) {
			out.AddValid(id, k.validity[i])
		}
	}
	return out
}

// SealingKeys returns the KeyIDs that senders should seal to at now, in the order they were added.
func (k *Keyring) SealingKeys(now time.Time) []KeyID {
	var out []KeyID
	for i, id := range k.all {
		if ki, ok := id.(keyIdentifier); ok && k.validity[i].CanSeal(now) {
			out = append(out, ki.KeyID())
		}
	}
	return out
}

// Validity returns the validity of the identity with KeyID id.
func (k *Keyring) Validity(id KeyID) (KeyValidity, error) {
	i, err := k.index(id)
	if err != nil {
		return KeyValidity{}, err
	}
	return k.validity[i], nil
}

func (k *Keyring) index(id KeyID) (int, error) {
	for i, cand := range k.all {
		if ki, ok := cand.(keyIdentifier); ok && ki.KeyID() == id {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: no identity with key id %s in the keyring", ErrNotRecipient, id)
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
