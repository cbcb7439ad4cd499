package envelope

import (
	"errors"
	"io"
)

// A Stanza is one recipient's wrapped copy of the file key, as stored in the header (FORMAT.md §3).
// Type says which Identity implementation can read it; KeyID, when non-nil, names the recipient key
// (KeyIDSize bytes); Body is opaque to the format.
type Stanza struct {
	Type  uint16
	KeyID []byte
	Body  []byte
}

// Recipient wraps a file key for one reader. New kinds of recipient (a hardware key, a validator
// committee key) implement it without any change to the format: they pick an unused stanza Type.
//
// Wrap must return at least one stanza and must not retain fileKey. It may set Stanza.KeyID; Seal
// clears it in anonymous mode.
type Recipient interface {
	Wrap(fileKey []byte) ([]*Stanza, error)
}

// Identity unwraps a file key from the stanzas of a header.
//
// Unwrap must return an error wrapping ErrIncorrectIdentity when none of the stanzas is addressed to
// it or none decrypts, and any other error only when a stanza addressed to it is malformed. It must
// not assume the stanzas are of its type: it receives all of them.
type Identity interface {
	Unwrap(stanzas []*Stanza) (fileKey []byte, err error)
}

// randWrapper is implemented by recipients that can take their randomness from a given reader; the
// deterministic vector generator uses it. It is not part of the public contract.
type randWrapper interface {
	wrapWithRand(fileKey []byte, rnd io.Reader) ([]*Stanza, error)
}

// keyIdentifier is implemented by recipients and identities that know their KeyID; a Keyring uses it
// to try the right identity first.
type keyIdentifier interface {
	KeyID() KeyID
}

// Keyring is an Identity made of many: for each stanza that names its key it asks only the identity
// with that KeyID; anonymous stanzas go to every identity in the order they were added.
type Keyring struct {
	all      []Identity
	validity []KeyValidity        // parallel to all
	byID     map[KeyID][]Identity // lookups only, never iterated
}

// NewKeyring returns a keyring holding ids.
func NewKeyring(ids ...Identity) *Keyring {
	k := &Keyring{byID: make(map[KeyID][]Identity)}
	for _, id := range ids {
		k.Add(id)
	}
	return k
}

// Add appends an identity, valid at all times (see AddValid, Rotate, Revoke).
// A nil identity is ignored.
func (k *Keyring) Add(id Identity) {
	if id == nil {
		return
	}
	k.all = append(k.all, id)
	k.validity = append(k.validity, KeyValidity{})
	if ki, ok := id.(keyIdentifier); ok {
		k.byID[ki.KeyID()] = append(k.byID[ki.KeyID()], id)
	}
}

// Len is the number of identities.
func (k *Keyring) Len() int { return len(k.all) }

// Unwrap implements Identity.
func (k *Keyring) Unwrap(stanzas []*Stanza) ([]byte, error) {
	var anonymous []*Stanza
	for _, s := range stanzas {
		if s == nil {
			continue
		}
		if len(s.KeyID) != KeyIDSize {
			anonymous = append(anonymous, s)
			continue
		}
		var id KeyID
		copy(id[:], s.KeyID)
		for _, cand := range k.byID[id] {
			fk, err := cand.Unwrap([]*Stanza{s})
			if err == nil {
				return fk, nil
			}
			if !errors.Is(err, ErrIncorrectIdentity) {
				return nil, err
			}
		}
	}
	// Identities without a KeyID may still match named stanzas: give them everything.
	for _, cand := range k.all {
		if _, ok := cand.(keyIdentifier); ok && len(anonymous) == 0 {
			continue
		}
		in := stanzas
		if _, ok := cand.(keyIdentifier); ok {
			in = anonymous
		}
		fk, err := cand.Unwrap(in)
		if err == nil {
			return fk, nil
		}
		if !errors.Is(err, ErrIncorrectIdentity) {
			return nil, err
		}
	}
	return nil, ErrIncorrectIdentity
}
