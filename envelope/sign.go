package envelope

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"fmt"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"

	"github.com/virtengine/sdk/envelope/internal/avx"
)

// SignatureScheme identifies the sender's signature algorithm. The values are the TLS
// SignatureScheme codepoints: ed25519 (RFC 8446 §4.2.3) and mldsa65 (draft-ietf-tls-mldsa).
type SignatureScheme uint16

const (
	// Ed25519 (RFC 8032, pure): the default; 64-byte signatures.
	Ed25519 SignatureScheme = 0x0807
	// MLDSA65 (FIPS 204, ML-DSA-65, hedged, with context string sigContext): the post-quantum
	// option; 3309-byte signatures, 1952-byte public keys.
	MLDSA65 SignatureScheme = 0x0905
)

// sigContext is the FIPS 204 §5.2 context string of ML-DSA envelope signatures.
const sigContext = "virtengine/envelope/v1"

func (s SignatureScheme) String() string {
	switch s {
	case Ed25519:
		return "Ed25519"
	case MLDSA65:
		return "ML-DSA-65"
	}
	return fmt.Sprintf("SignatureScheme(0x%04x)", uint16(s))
}

type sigParams struct {
	pubSize, sigSize int
	hrp, secretHRP   string
}

func (s SignatureScheme) params() (sigParams, bool) {
	switch s {
	case Ed25519:
		return sigParams{ed25519.PublicKeySize, ed25519.SignatureSize, "veed", "VE-SECRET-ED-"}, true
	case MLDSA65:
		return sigParams{mldsa65.PublicKeySize, mldsa65.SignatureSize, "vemd", "VE-SECRET-MD-"}, true
	}
	return sigParams{}, false
}

// SignatureSize is the length of a signature of scheme s, 0 if s is unknown.
func (s SignatureScheme) SignatureSize() int { p, _ := s.params(); return p.sigSize }

// Signer signs envelopes. *SigningKey implements it; a hardware or remote signer can too.
// Sign receives the transcript of FORMAT.md §4 and returns a signature of Public().Scheme().
type Signer interface {
	Public() *VerifyingKey
	Sign(transcript []byte) ([]byte, error)
}

// SigningKey is a sender's secret key.
type SigningKey struct {
	seed []byte // 32 bytes: the Ed25519 seed (RFC 8032 §5.1.5) or the ML-DSA ξ (FIPS 204 §6.1)
	ed   ed25519.PrivateKey
	md   *mldsa65.PrivateKey
	pub  *VerifyingKey
	// deterministic makes ML-DSA signatures deterministic (FIPS 204 §3.4); only the vector
	// generator sets it.
	deterministic bool
}

// VerifyingKey is a sender's public key: what recipients pass to check who sent an envelope.
type VerifyingKey struct {
	scheme SignatureScheme
	raw    []byte
	md     *mldsa65.PublicKey
}

// GenerateSigningKey returns a new sender key; Ed25519 unless post-quantum signatures are needed.
func GenerateSigningKey(s SignatureScheme) (*SigningKey, error) {
	seed := make([]byte, 32)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	return newSigningKey(s, seed)
}

func newSigningKey(s SignatureScheme, seed []byte) (*SigningKey, error) {
	k := &SigningKey{seed: append([]byte(nil), seed...)}
	switch s {
	case Ed25519:
		k.ed = ed25519.NewKeyFromSeed(seed)
		k.pub = &VerifyingKey{scheme: s, raw: append([]byte(nil), k.ed.Public().(ed25519.PublicKey)...)}
	case MLDSA65:
		var xi [mldsa65.SeedSize]byte
		copy(xi[:], seed)
		pk, sk := mldsa65.NewKeyFromSeed(&xi)
		avx.ZeroUpper() // see package avx: circl's ML-DSA leaves the vector registers dirty
		k.md = sk
		k.pub = &VerifyingKey{scheme: s, raw: pk.Bytes(), md: pk}
	default:
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, s)
	}
	return k, nil
}

// Public implements Signer.
func (k *SigningKey) Public() *VerifyingKey {
	if k == nil {
		return nil
	}
	return k.pub
}

// Sign implements Signer.
func (k *SigningKey) Sign(transcript []byte) ([]byte, error) {
	if k.Public() == nil {
		return nil, fmt.Errorf("%w: signing key not initialised", ErrNoSigner)
	}
	switch k.pub.scheme {
	case Ed25519:
		return ed25519.Sign(k.ed, transcript), nil
	case MLDSA65:
		sig := make([]byte, mldsa65.SignatureSize)
		err := mldsa65.SignTo(k.md, transcript, []byte(sigContext), !k.deterministic, sig)
		avx.ZeroUpper()
		if err != nil {
			return nil, err
		}
		return sig, nil
	}
	return nil, ErrUnsupported
}

// SecretString encodes the secret key as "VE-SECRET-ED-1…" or "VE-SECRET-MD-1…", the string
// ParseSigningKey reads: the one method that reveals the secret. Store it in a key file readable
// by its owner alone; never log it. A zero or nil key encodes as "".
func (k *SigningKey) SecretString() string {
	if k.Public() == nil {
		return ""
	}
	p, _ := k.pub.scheme.params()
	return bech32Encode(p.secretHRP, encodeKey(uint16(k.pub.scheme), k.seed))
}

// String returns the signing key redacted, as fmt prints it. Use SecretString to encode the key.
func (k *SigningKey) String() string {
	if k == nil {
		return "<nil>"
	}
	return k.redacted()
}

// Format prints the key redacted, with every verb (%v, %s, %q, %x, …): the secret key's prefix,
// "…(redacted", and the key id of its public half, as in "VE-SECRET-ED-1…(redacted, key id 5a…)".
// Logging a signing key never reveals it.
func (k SigningKey) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, k.redacted(), k.GoString())
}

// GoString is the redacted form for %#v.
func (k SigningKey) GoString() string { return "envelope.SigningKey(" + k.redacted() + ")" }

func (k SigningKey) redacted() string {
	if k.pub == nil {
		return "empty signing key"
	}
	p, _ := k.pub.scheme.params()
	return redactedKey(p.secretHRP, k.pub.KeyID())
}

func newVerifyingKey(s SignatureScheme, raw []byte) (*VerifyingKey, error) {
	p, ok := s.params()
	if !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, s)
	}
	if len(raw) != p.pubSize {
		return nil, &KeyError{Kind: "signer", Reason: fmt.Sprintf("%v public key of %d bytes, want %d", s, len(raw), p.pubSize)}
	}
	v := &VerifyingKey{scheme: s, raw: append([]byte(nil), raw...)}
	if s == MLDSA65 {
		v.md = new(mldsa65.PublicKey)
		err := v.md.UnmarshalBinary(raw)
		avx.ZeroUpper()
		if err != nil {
			return nil, &KeyError{Kind: "signer", Reason: err.Error()}
		}
	}
	return v, nil
}

// Scheme is the signature algorithm.
func (v *VerifyingKey) Scheme() SignatureScheme { return v.scheme }

// Bytes is the raw public key.
func (v *VerifyingKey) Bytes() []byte { return append([]byte(nil), v.raw...) }

// Fingerprint is SHA-256 over the key's versioned binary encoding (FORMAT.md §5).
func (v *VerifyingKey) Fingerprint() [32]byte { return fingerprint(uint16(v.scheme), v.raw) }

// KeyID is the first KeyIDSize bytes of the fingerprint.
func (v *VerifyingKey) KeyID() KeyID { return keyIDOf(v.Fingerprint()) }

// Equal reports whether v and o are the same key.
func (v *VerifyingKey) Equal(o *VerifyingKey) bool {
	return v != nil && o != nil && v.scheme == o.scheme && subtle.ConstantTimeCompare(v.raw, o.raw) == 1
}

// String encodes the public key as "veed1…" or "vemd1…", with a Bech32 checksum.
func (v *VerifyingKey) String() string {
	if v == nil {
		return "<nil>"
	}
	p, _ := v.scheme.params()
	return bech32Encode(p.hrp, encodeKey(uint16(v.scheme), v.raw))
}

// Verify reports whether sig is v's signature of transcript.
func (v *VerifyingKey) Verify(transcript, sig []byte) bool {
	if v == nil {
		return false
	}
	switch v.scheme {
	case Ed25519:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(ed25519.PublicKey(v.raw), transcript, sig)
	case MLDSA65:
		ok := len(sig) == mldsa65.SignatureSize && mldsa65.Verify(v.md, transcript, []byte(sigContext), sig)
		avx.ZeroUpper()
		return ok
	}
	return false
}

var (
	verifyingHRPs = map[string]uint16{"veed": uint16(Ed25519), "vemd": uint16(MLDSA65)}
	signingHRPs   = map[string]uint16{"ve-secret-ed-": uint16(Ed25519), "ve-secret-md-": uint16(MLDSA65)}
)

// ParseVerifyingKey parses a sender public key string ("veed1…" or "vemd1…").
func ParseVerifyingKey(s string) (*VerifyingKey, error) {
	typ, raw, err := decodeKeyString("signer", s, verifyingHRPs)
	if err != nil {
		return nil, err
	}
	return newVerifyingKey(SignatureScheme(typ), raw)
}

// ParseSigningKey parses a sender secret key string ("VE-SECRET-ED-1…" or "VE-SECRET-MD-1…").
func ParseSigningKey(s string) (*SigningKey, error) {
	typ, raw, err := decodeKeyString("signing key", s, signingHRPs)
	if err != nil {
		return nil, err
	}
	if len(raw) != 32 {
		return nil, &KeyError{Kind: "signing key", Reason: "wrong key length"}
	}
	return newSigningKey(SignatureScheme(typ), raw)
}
