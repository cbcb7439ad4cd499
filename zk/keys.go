package zk

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards/eddsa"
)

// IssuerPrivateKey signs credential commitments with EdDSA on BN254's twisted Edwards curve and
// a width-8 Poseidon2 permutation as the challenge hash H(R, A, M) (CIRCUITS.md §1). Generate one with GenerateIssuerKey.
type IssuerPrivateKey struct{ k *eddsa.PrivateKey }

// IssuerPublicKey verifies credential signatures. In JSON it is the 0x-hex of its 32-byte compressed
// encoding.
type IssuerPublicKey struct{ p eddsa.PublicKey }

// GenerateIssuerKey makes a new issuer key from r (crypto/rand.Reader when r is nil).
func GenerateIssuerKey(r io.Reader) (*IssuerPrivateKey, error) {
	if r == nil {
		r = rand.Reader
	}
	k, err := eddsa.GenerateKey(r)
	if err != nil {
		return nil, fmt.Errorf("zk: generating issuer key: %w", err)
	}
	return &IssuerPrivateKey{k: k}, nil
}

// Public returns the issuer's public key. A nil or zero-value key (not made by GenerateIssuerKey or
// ParseIssuerPrivateKey) has no public key: Public returns the zero IssuerPublicKey, which no request
// accepts and ParseIssuerPublicKey never produces.
func (k *IssuerPrivateKey) Public() IssuerPublicKey {
	if !k.ready() {
		return IssuerPublicKey{}
	}
	return IssuerPublicKey{p: k.k.PublicKey}
}

// Bytes returns the private key encoding (gnark-crypto format). Keep it secret. A nil or zero-value
// key encodes as nil.
func (k *IssuerPrivateKey) Bytes() []byte {
	if !k.ready() {
		return nil
	}
	return k.k.Bytes()
}

// ready reports whether k holds a key.
func (k *IssuerPrivateKey) ready() bool { return k != nil && k.k != nil }

// ParseIssuerPrivateKey decodes a key produced by Bytes.
func ParseIssuerPrivateKey(b []byte) (*IssuerPrivateKey, error) {
	if len(b) != IssuerPrivateKeySize { // gnark-crypto panics on longer input
		return nil, fmt.Errorf("%w: issuer private key must be %d bytes", ErrInvalidKey, IssuerPrivateKeySize)
	}
	var k eddsa.PrivateKey
	n, err := k.SetBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%w: issuer private key: %v", ErrInvalidKey, err)
	}
	if n != len(b) {
		return nil, fmt.Errorf("%w: trailing bytes after issuer private key", ErrInvalidKey)
	}
	return &IssuerPrivateKey{k: &k}, nil
}

// sign signs the commitment (one field element).
func (k *IssuerPrivateKey) sign(commitment fr.Element) ([]byte, error) {
	if !k.ready() {
		return nil, fmt.Errorf("%w: empty issuer key", ErrInvalidKey)
	}
	msg := commitment.Bytes()
	return k.k.Sign(msg[:], newChallengeHasher())
}

// Bytes returns the 32-byte compressed point.
func (p IssuerPublicKey) Bytes() []byte { return p.p.Bytes() }

// Equal reports whether p and q are the same key.
func (p IssuerPublicKey) Equal(q IssuerPublicKey) bool { return bytes.Equal(p.Bytes(), q.Bytes()) }

// String is the 0x-hex encoding.
func (p IssuerPublicKey) String() string { return "0x" + hex.EncodeToString(p.Bytes()) }

// ParseIssuerPublicKey decodes a 32-byte compressed key; it must be on the curve, in the prime-order
// subgroup and not the identity.
func ParseIssuerPublicKey(b []byte) (IssuerPublicKey, error) {
	var p eddsa.PublicKey
	if len(b) != IssuerPublicKeySize {
		return IssuerPublicKey{}, fmt.Errorf("%w: issuer public key must be %d bytes", ErrInvalidKey, IssuerPublicKeySize)
	}
	if _, err := p.SetBytes(b); err != nil {
		return IssuerPublicKey{}, fmt.Errorf("%w: issuer public key: %v", ErrInvalidKey, err)
	}
	if p.A.IsZero() || !p.A.IsInSubGroup() {
		return IssuerPublicKey{}, fmt.Errorf("%w: issuer public key not in the prime-order subgroup", ErrInvalidKey)
	}
	return IssuerPublicKey{p: p}, nil
}

// MarshalText implements encoding.TextMarshaler.
func (p IssuerPublicKey) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *IssuerPublicKey) UnmarshalText(b []byte) error {
	if len(b) != 2+2*IssuerPublicKeySize || string(b[:2]) != "0x" {
		return fmt.Errorf("%w: issuer public key must be 0x followed by %d hex digits", ErrInvalidKey, 2*IssuerPublicKeySize)
	}
	raw, err := hex.DecodeString(string(b[2:]))
	if err != nil {
		return fmt.Errorf("%w: issuer public key: %v", ErrInvalidKey, err)
	}
	q, err := ParseIssuerPublicKey(raw)
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// verify checks sig over the commitment.
func (p IssuerPublicKey) verify(sig []byte, commitment fr.Element) bool {
	msg := commitment.Bytes()
	ok, err := p.p.Verify(sig, msg[:], newChallengeHasher())
	return err == nil && ok
}

// HolderSecret is the holder's secret, a field element kept in the wallet. Its public counterpart,
// the HolderKey committed in credentials, is Poseidon2(tagHolder, secret). Proofs of holder binding
// and nullifiers use it; it never leaves the wallet.
type HolderSecret struct{ s fr.Element }

// GenerateHolderSecret draws a new holder secret from r (crypto/rand.Reader when r is nil).
func GenerateHolderSecret(r io.Reader) (*HolderSecret, error) {
	if r == nil {
		r = rand.Reader
	}
	s, err := randomScalar(r)
	if err != nil {
		return nil, err
	}
	return &HolderSecret{s: s}, nil
}

// PublicKey returns the holder key to put into a credential's attributes.
func (h *HolderSecret) PublicKey() Scalar { return scalarOf(hashElements(tagHolder, h.s)) }

// Nullifier returns the holder's stable pseudonym for an audience: Poseidon2(tag, secret, audience).
// It is the same for every proof to that audience and unlinkable across audiences.
func (h *HolderSecret) Nullifier(audience string) Scalar {
	return scalarOf(hashElements(tagNullifier, h.s, audienceElement(audience)))
}

// Scalar returns the secret as a Scalar for storage in a wallet. Keep it secret.
func (h *HolderSecret) Scalar() Scalar { return scalarOf(h.s) }

// HolderSecretFromScalar restores a secret stored with Scalar.
func HolderSecretFromScalar(s Scalar) (*HolderSecret, error) {
	e, err := s.element()
	if err != nil {
		return nil, err
	}
	return &HolderSecret{s: e}, nil
}
