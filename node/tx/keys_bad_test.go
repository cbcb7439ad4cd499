package tx

import (
	"bytes"
	"errors"
	"testing"
)

// Malformed keys are refused with typed errors, never a panic.
func TestPrivKeyFromBytesRefusesMalformed(t *testing.T) {
	good, err := GenerateKey(Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PrivKeyFromBytes(Ed25519, good.Bytes()); err != nil {
		t.Fatalf("a saved ed25519 key must load: %v", err)
	}
	mismatched := bytes.Clone(good.Bytes())
	mismatched[63] ^= 1 // public half no longer the seed's
	k1, err := GenerateKey(Secp256k1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PrivKeyFromBytes(Secp256k1, k1.Bytes()); err != nil {
		t.Fatalf("a saved secp256k1 key must load: %v", err)
	}
	order := secp256k1N.FillBytes(make([]byte, 32))
	for _, c := range []struct {
		name string
		algo Algo
		b    []byte
	}{
		{"ed25519 nil", Ed25519, nil},
		{"ed25519 short", Ed25519, make([]byte, 32)},
		{"ed25519 mismatched public half", Ed25519, mismatched},
		{"secp256k1 nil", Secp256k1, nil},
		{"secp256k1 zero", Secp256k1, make([]byte, 32)},
		{"secp256k1 = n", Secp256k1, order},
		{"secp256k1 all ones", Secp256k1, bytes.Repeat([]byte{0xff}, 32)},
	} {
		if _, err := PrivKeyFromBytes(c.algo, c.b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", c.name, err)
		}
	}
	if _, err := PrivKeyFromBytes(Algo(9), make([]byte, 32)); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown algo: %v", err)
	}
}

func TestSignWithoutKey(t *testing.T) {
	var zero PrivKey
	var nilKey *PrivKey
	for name, k := range map[string]*PrivKey{"zero": &zero, "nil": nilKey} {
		if _, err := k.SignRaw([]byte("x")); !errors.Is(err, ErrNoKey) {
			t.Errorf("%s SignRaw: %v, want ErrNoKey", name, err)
		}
		if k.Bytes() != nil || k.Address() != (Address{}) || len(k.PubKey().Key) != 0 {
			t.Errorf("%s: getters must return zero values", name)
		}
		if _, err := Sign(k, "c", 1, 0, 0, &MsgSend{}); !errors.Is(err, ErrNoKey) {
			t.Errorf("%s Sign: %v, want ErrNoKey", name, err)
		}
	}
	if _, err := Sign(nil, "c", 1, 0, 0, &MsgSend{}); !errors.Is(err, ErrNoKey) {
		t.Errorf("nil Signer: %v", err)
	}
	k, _ := GenerateKey(Ed25519)
	if _, err := Sign(k, "c", 1, 0, 0, nil); !errors.Is(err, ErrInvalidMsg) {
		t.Errorf("nil msg: %v", err)
	}
	if _, err := Sign(k, "c", 1, 0, 0, &MsgSend{}, NamedSigner{ID: "f"}); !errors.Is(err, ErrNoKey) {
		t.Errorf("nil factor key: %v", err)
	}
	if _, err := Sign(k, "c", 1, 0, 0, &MsgSend{}); err != nil {
		t.Errorf("a real key signs: %v", err)
	}
}
