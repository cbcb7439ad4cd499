package envelope

import (
	"bytes"
	"errors"
	"testing"
)

// TestEveryByteIsAuthenticated flips each bit position of a small envelope in turn: every change,
// in the header, a stanza, the payload, the digest or the signature, must make Open fail with one of
// this package's typed errors and return no plaintext.
func TestEveryByteIsAuthenticated(t *testing.T) {
	alice, bob := mustIdentity(t, X25519), mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	env, err := Seal([]byte("the payload of a tiny envelope"), signer, []Recipient{alice.Recipient(), bob.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range env {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(env)
			bad[i] ^= bit
			pt, _, err := Open(bad, alice, nil)
			if err == nil || pt != nil {
				t.Fatalf("byte %d bit %#x: accepted", i, bit)
			}
			if Code(err) == "other" {
				t.Fatalf("byte %d: untyped error %v", i, err)
			}
		}
	}
}

func TestWrongSignerRefusedBeforeDecryption(t *testing.T) {
	alice := mustIdentity(t, X25519)
	signer, other := mustSigner(t, Ed25519), mustSigner(t, Ed25519)
	env, err := Seal([]byte("x"), signer, []Recipient{alice.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewReader(bytes.NewReader(env), alice, &OpenOptions{Senders: []*VerifyingKey{other.Public()}})
	var se *SignerError
	if !errors.As(err, &se) || !errors.Is(err, ErrWrongSigner) || !se.Signer.Equal(signer.Public()) {
		t.Fatalf("got %v, want a *SignerError naming the real signer", err)
	}
	if _, from, err := Open(env, alice, &OpenOptions{Senders: []*VerifyingKey{other.Public(), signer.Public()}}); err != nil || !from.Equal(signer.Public()) {
		t.Fatalf("trusted signer refused: %v", err)
	}
}

func TestErrorTypes(t *testing.T) {
	_, _, err := Open([]byte("VENV\x01"), mustIdentity(t, X25519), nil)
	var fe *FormatError
	if !errors.As(err, &fe) || !errors.Is(err, ErrTruncated) {
		t.Fatalf("short header: %v", err)
	}
	_, err = ParseRecipient("vexw1qqqqqqqq")
	var ke *KeyError
	if !errors.As(err, &ke) || !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := Seal(nil, mustSigner(t, Ed25519), nil, nil); !errors.Is(err, ErrNoRecipients) {
		t.Fatalf("no recipients: %v", err)
	}
	many := make([]Recipient, MaxRecipients+1)
	r := mustIdentity(t, X25519).Recipient()
	for i := range many {
		many[i] = r
	}
	if _, err := Seal(nil, mustSigner(t, Ed25519), many, nil); !errors.Is(err, ErrTooManyRecipients) {
		t.Fatalf("too many recipients: %v", err)
	}
	if _, err := Seal(nil, nil, []Recipient{r}, nil); !errors.Is(err, ErrNoSigner) {
		t.Fatalf("no signer: %v", err)
	}
	for _, e := range codes {
		if Code(e.err) != e.code {
			t.Errorf("Code(%v) = %q", e.err, Code(e.err))
		}
	}
}

// TestZeroValuesDoNotPanic: keys that were never initialised, typed nils and nil stanzas give errors.
func TestZeroValuesDoNotPanic(t *testing.T) {
	var nilRecipient *HPKERecipient
	var nilSigner *SigningKey
	good := mustIdentity(t, X25519)
	signer := mustSigner(t, Ed25519)
	for name, rs := range map[string][]Recipient{
		"typed nil recipient": {nilRecipient},
		"zero recipient":      {&HPKERecipient{}},
		"nil interface":       {nil},
	} {
		if _, err := Seal([]byte("x"), signer, rs, nil); err == nil {
			t.Errorf("%s: sealed", name)
		}
	}
	if _, err := Seal([]byte("x"), nilSigner, []Recipient{good.Recipient()}, nil); !errors.Is(err, ErrNoSigner) {
		t.Errorf("typed nil signer: %v", err)
	}
	if _, err := Seal([]byte("x"), &SigningKey{}, []Recipient{good.Recipient()}, nil); !errors.Is(err, ErrNoSigner) {
		t.Errorf("zero signer: %v", err)
	}
	env, _ := Seal([]byte("x"), signer, []Recipient{good.Recipient()}, nil)
	var nilID *HPKEIdentity
	for name, id := range map[string]Identity{"typed nil identity": nilID, "zero identity": &HPKEIdentity{}, "nil": nil,
		"empty keyring": NewKeyring(), "keyring of nils": NewKeyring(nilID, &HPKEIdentity{})} {
		if _, _, err := Open(env, id, nil); !errors.Is(err, ErrNotRecipient) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := good.Unwrap([]*Stanza{nil}); !errors.Is(err, ErrIncorrectIdentity) {
		t.Errorf("nil stanza: %v", err)
	}
}
