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
