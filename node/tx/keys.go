package tx

import (
	"bytes"
	stded25519 "crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/crypto/secp256k1"
)

// Algo names an account key algorithm.
type Algo uint8

const (
	// Ed25519 is RFC 8032 Ed25519 with 32-byte public keys and 64-byte signatures.
	Ed25519 Algo = 1
	// Secp256k1 is ECDSA on secp256k1 (SEC 2) over SHA-256, 33-byte compressed public keys and 64-byte
	// R||S signatures with S in the lower half of the order (BIP-62), so signatures are not malleable.
	Secp256k1 Algo = 2
)

// String returns the algorithm's name as the CLI and the JSON API spell it.
func (a Algo) String() string {
	switch a {
	case Ed25519:
		return "ed25519"
	case Secp256k1:
		return "secp256k1"
	}
	return fmt.Sprintf("algo(%d)", uint8(a))
}

// ParseAlgo is the inverse of Algo.String.
func ParseAlgo(s string) (Algo, error) {
	switch strings.ToLower(s) {
	case "ed25519":
		return Ed25519, nil
	case "secp256k1":
		return Secp256k1, nil
	}
	return 0, fmt.Errorf("%w: %q (use ed25519 or secp256k1)", ErrUnknownKey, s)
}

// PubKey is an account's public key with its algorithm.
type PubKey struct {
	Algo Algo   `cbor:"1,keyasint"`
	Key  []byte `cbor:"2,keyasint"`
}

// Address is an account address: SHA-256(algo || key)[:20].
type Address [AddressLen]byte

// String is lowercase hex.
func (a Address) String() string { return hex.EncodeToString(a[:]) }

// IsZero reports whether a is the zero address.
func (a Address) IsZero() bool { return a == Address{} }

// MarshalText encodes the address as hex (JSON, flags).
func (a Address) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses hex.
func (a *Address) UnmarshalText(b []byte) error {
	p, err := ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = p
	return nil
}

// ParseAddress parses a 40-character hex address.
func ParseAddress(s string) (Address, error) {
	var a Address
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != AddressLen {
		return a, fieldErr(ErrInvalidMsg, "address", "want 40 hex characters")
	}
	copy(a[:], b)
	return a, nil
}

// Address derives the account address of the key.
func (p PubKey) Address() Address {
	h := sha256.New()
	h.Write([]byte{byte(p.Algo)})
	h.Write(p.Key)
	var a Address
	copy(a[:], h.Sum(nil))
	return a
}

func (p PubKey) comet() (crypto.PubKey, error) {
	switch p.Algo {
	case Ed25519:
		if len(p.Key) != ed25519.PubKeySize {
			return nil, fieldErr(ErrMalformed, "pubkey", "ed25519 key must be 32 bytes")
		}
		return ed25519.PubKey(p.Key), nil
	case Secp256k1:
		if len(p.Key) != secp256k1.PubKeySize {
			return nil, fieldErr(ErrMalformed, "pubkey", "secp256k1 key must be 33 bytes (compressed)")
		}
		return secp256k1.PubKey(p.Key), nil
	}
	return nil, ErrUnknownKey
}

// Verify reports whether sig is p's signature over msg.
func (p PubKey) Verify(msg, sig []byte) error {
	k, err := p.comet()
	if err != nil {
		return err
	}
	if !k.VerifySignature(msg, sig) {
		return ErrBadSignature
	}
	return nil
}

// PrivKey is an account's private key. Keep it in a keyring file with 0600 permissions.
type PrivKey struct {
	algo Algo
	key  crypto.PrivKey
}

// NewKeyFromSeed derives a key deterministically from a 32-byte secret (tests, devnet genesis accounts).
func NewKeyFromSeed(algo Algo, secret []byte) (*PrivKey, error) {
	switch algo {
	case Ed25519:
		return &PrivKey{algo, ed25519.GenPrivKeyFromSecret(secret)}, nil
	case Secp256k1:
		return &PrivKey{algo, secp256k1.GenPrivKeySecp256k1(secret)}, nil
	}
	return nil, ErrUnknownKey
}

// GenerateKey makes a fresh key from the operating system's randomness.
func GenerateKey(algo Algo) (*PrivKey, error) {
	switch algo {
	case Ed25519:
		return &PrivKey{algo, ed25519.GenPrivKey()}, nil
	case Secp256k1:
		return &PrivKey{algo, secp256k1.GenPrivKey()}, nil
	}
	return nil, ErrUnknownKey
}

// PrivKeyFromBytes restores a key saved with Bytes.
func PrivKeyFromBytes(algo Algo, b []byte) (*PrivKey, error) {
	switch algo {
	case Ed25519:
		if len(b) != ed25519.PrivateKeySize {
			return nil, fieldErr(ErrMalformed, "privkey", "ed25519 key must be 64 bytes")
		}
		// seed ‖ public key: the public half must be the seed's, or every signature would fail to
		// verify (or, worse, verify under a key the holder did not mean).
		if !bytes.Equal(stded25519.NewKeyFromSeed(b[:32])[32:], b[32:]) {
			return nil, fieldErr(ErrMalformed, "privkey", "ed25519 key's public half does not match its seed")
		}
		return &PrivKey{algo, ed25519.PrivKey(append([]byte(nil), b...))}, nil
	case Secp256k1:
		if len(b) != secp256k1.PrivKeySize {
			return nil, fieldErr(ErrMalformed, "privkey", "secp256k1 key must be 32 bytes")
		}
		if d := new(big.Int).SetBytes(b); d.Sign() == 0 || d.Cmp(secp256k1N) >= 0 {
			return nil, fieldErr(ErrMalformed, "privkey", "secp256k1 key must be a scalar in [1, n-1]")
		}
		return &PrivKey{algo, secp256k1.PrivKey(append([]byte(nil), b...))}, nil
	}
	return nil, ErrUnknownKey
}

// secp256k1N is the order of secp256k1's group (SEC 2 §2.4.1).
var secp256k1N, _ = new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)

// ErrNoKey is returned when signing with a nil or zero-value PrivKey.
var ErrNoKey = errors.New("tx: no private key (load one with PrivKeyFromBytes or GenerateKey)")

func (k *PrivKey) empty() bool { return k == nil || k.key == nil }

// Algo returns the key's algorithm.
func (k *PrivKey) Algo() Algo {
	if k == nil {
		return 0
	}
	return k.algo
}

// Bytes returns the raw private key for storage (nil for a nil or zero-value key).
func (k *PrivKey) Bytes() []byte {
	if k.empty() {
		return nil
	}
	return k.key.Bytes()
}

// PubKey returns the public half (the zero PubKey for a nil or zero-value key).
func (k *PrivKey) PubKey() PubKey {
	if k.empty() {
		return PubKey{}
	}
	return PubKey{Algo: k.algo, Key: k.key.PubKey().Bytes()}
}

// Address returns the account address of the key (the zero Address for a nil or zero-value key).
func (k *PrivKey) Address() Address {
	if k.empty() {
		return Address{}
	}
	return k.PubKey().Address()
}

// SignRaw signs msg as is; Sign adds the transaction domain.
func (k *PrivKey) SignRaw(msg []byte) ([]byte, error) {
	if k.empty() {
		return nil, ErrNoKey
	}
	return k.key.Sign(msg)
}
