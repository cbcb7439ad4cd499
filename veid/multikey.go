package veid

import (
	"crypto/ed25519"
	"math/big"
	"strings"
)

// Multibase base58btc (prefix 'z') and Multikey encodings of Ed25519 keys, as used by W3C
// Controlled Identifiers §2.2.2 (Multikey) and did:key.

const b58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var (
	multicodecEd25519Pub  = []byte{0xed, 0x01} // varint of 0xed, ed25519-pub
	multicodecEd25519Priv = []byte{0x80, 0x26} // varint of 0x1300, ed25519-priv (the 32-byte seed)
)

// base58Encode encodes b in the Bitcoin alphabet.
func base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod, base := new(big.Int), big.NewInt(58)
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, b58Alphabet[mod.Int64()])
	}
	for range zeros {
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// base58Decode decodes a Bitcoin-alphabet string; inputs over 256 characters are refused.
func base58Decode(s string) ([]byte, bool) {
	if len(s) > 256 {
		return nil, false
	}
	n, base := new(big.Int), big.NewInt(58)
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(b58Alphabet, s[i])
		if d < 0 {
			return nil, false
		}
		n.Mul(n, base)
		n.Add(n, big.NewInt(int64(d)))
	}
	return append(make([]byte, zeros), n.Bytes()...), true
}

// MultibaseEncode returns "z" + base58btc(b).
func MultibaseEncode(b []byte) string { return "z" + base58Encode(b) }

// MultibaseDecode decodes a base58btc multibase string.
func MultibaseDecode(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "z") {
		return nil, newErr("BAD_MULTIBASE", ErrBadMultibase, "only base58btc ('z') is supported")
	}
	b, ok := base58Decode(s[1:])
	if !ok {
		return nil, newErr("BAD_MULTIBASE", ErrBadMultibase, "not base58btc")
	}
	return b, nil
}

// PublicKeyMultikey encodes an Ed25519 public key as a Multikey ("z6Mk…").
func PublicKeyMultikey(pub ed25519.PublicKey) string {
	return MultibaseEncode(append(append([]byte{}, multicodecEd25519Pub...), pub...))
}

// PublicKeyFromMultikey decodes a "z6Mk…" Multikey.
func PublicKeyFromMultikey(s string) (ed25519.PublicKey, error) {
	b, err := MultibaseDecode(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 2+ed25519.PublicKeySize || b[0] != multicodecEd25519Pub[0] || b[1] != multicodecEd25519Pub[1] {
		return nil, newErr("BAD_MULTIBASE", ErrBadMultibase, "not an Ed25519 public Multikey")
	}
	return ed25519.PublicKey(b[2:]), nil
}

// PrivateKeyFromMultikey decodes an Ed25519 secret Multikey ("z3u2…", the 32-byte seed).
func PrivateKeyFromMultikey(s string) (ed25519.PrivateKey, error) {
	b, err := MultibaseDecode(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 2+ed25519.SeedSize || b[0] != multicodecEd25519Priv[0] || b[1] != multicodecEd25519Priv[1] {
		return nil, newErr("BAD_MULTIBASE", ErrBadMultibase, "not an Ed25519 secret Multikey")
	}
	return ed25519.NewKeyFromSeed(b[2:]), nil
}

// DIDKey returns the did:key identifier of an Ed25519 public key and its verification method id
// ("did:key:z6Mk…#z6Mk…").
func DIDKey(pub ed25519.PublicKey) (did, verificationMethod string) {
	mk := PublicKeyMultikey(pub)
	return "did:key:" + mk, "did:key:" + mk + "#" + mk
}
