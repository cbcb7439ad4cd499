package envelope

import (
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// BIP-39 mnemonics for account keys (FEATURES.md §1.9): a person writes down 12 to 24 words and can
// re-create their envelope keys from them.

// bip39English is the BIP-39 English wordlist; its SHA-256 is the one the BIP publishes
// (2f5eed53…dbda), checked by a test. From the bip39 npm package 3.1.0 (ISC licence).
//
//go:embed bip39_english.txt
var bip39English string

var (
	bip39Words = strings.Fields(bip39English)
	bip39Index = func() map[string]int { // lookups only, never iterated
		m := make(map[string]int, len(bip39Words))
		for i, w := range bip39Words {
			m[w] = i
		}
		return m
	}()
)

// NewMnemonic encodes entropy of 16, 20, 24, 28 or 32 bytes as 12 to 24 words (BIP-39 §"Generating
// the mnemonic").
func NewMnemonic(entropy []byte) (string, error) {
	n := len(entropy)
	if n < 16 || n > 32 || n%4 != 0 {
		return "", &KeyError{Kind: "mnemonic", Reason: fmt.Sprintf("entropy of %d bytes, want 16 to 32 in steps of 4", n)}
	}
	sum := sha256.Sum256(entropy)
	bits := append(append([]byte(nil), entropy...), sum[0]) // checksum: the first n/4 bits of the hash
	words := make([]string, 0, (n*8+n/4)/11)
	for i := 0; i < (n*8+n/4)/11; i++ {
		idx := 0
		for b := i * 11; b < i*11+11; b++ {
			idx = idx<<1 | int(bits[b/8]>>(7-b%8)&1)
		}
		words = append(words, bip39Words[idx])
	}
	return strings.Join(words, " "), nil
}

// GenerateMnemonic returns 24 words from 256 random bits.
func GenerateMnemonic() (string, error) {
	e := make([]byte, 32)
	if _, err := rand.Read(e); err != nil {
		return "", err
	}
	return NewMnemonic(e)
}

// MnemonicEntropy checks a mnemonic's words and checksum and returns its entropy.
func MnemonicEntropy(mnemonic string) ([]byte, error) {
	words := strings.Fields(norm.NFKD.String(mnemonic))
	if len(words) < 12 || len(words) > 24 || len(words)%3 != 0 {
		return nil, &KeyError{Kind: "mnemonic", Reason: fmt.Sprintf("%d words, want 12, 15, 18, 21 or 24", len(words))}
	}
	bits := make([]byte, (len(words)*11+7)/8)
	for i, w := range words {
		idx, ok := bip39Index[w]
		if !ok {
			return nil, &KeyError{Kind: "mnemonic", Reason: fmt.Sprintf("word %d is not in the BIP-39 English list", i+1)}
		}
		for b := 0; b < 11; b++ {
			if idx>>(10-b)&1 == 1 {
				pos := i*11 + b
				bits[pos/8] |= 1 << (7 - pos%8)
			}
		}
	}
	n := len(words) * 11 * 32 / 33 / 8 // entropy bytes
	entropy := bits[:n]
	sum := sha256.Sum256(entropy)
	cs := n / 4 // checksum bits
	if bits[n]>>(8-cs) != sum[0]>>(8-cs) {
		return nil, &KeyError{Kind: "mnemonic", Reason: "checksum mismatch (a word is wrong or out of order)"}
	}
	return append([]byte(nil), entropy...), nil
}

// MnemonicSeed is the BIP-39 seed: PBKDF2-HMAC-SHA512, 2048 iterations, over the NFKD-normalised
// mnemonic with salt "mnemonic" ‖ passphrase. It refuses a mnemonic whose checksum fails.
func MnemonicSeed(mnemonic, passphrase string) ([]byte, error) {
	if _, err := MnemonicEntropy(mnemonic); err != nil {
		return nil, err
	}
	m := strings.Join(strings.Fields(norm.NFKD.String(mnemonic)), " ")
	return pbkdf2.Key(sha512.New, m, []byte(norm.NFKD.String("mnemonic"+passphrase)), 2048, 64)
}

// mnemonicLabel prefixes the HKDF info of keys derived from a BIP-39 seed (FORMAT.md §5.3).
const mnemonicLabel = "virtengine/envelope/v1/mnemonic "

// KeysFromMnemonic re-creates an identity and a signing key from a mnemonic: each key's 32-byte
// secret is HKDF-SHA256(IKM = the BIP-39 seed, info = mnemonicLabel ‖ key type in hex).
func KeysFromMnemonic(mnemonic, passphrase string, k KEM, s SignatureScheme) (*HPKEIdentity, *SigningKey, error) {
	seed, err := MnemonicSeed(mnemonic, passphrase)
	if err != nil {
		return nil, nil, err
	}
	derive := func(typ uint16) ([]byte, error) {
		return hkdf.Key(sha256.New, seed, nil, fmt.Sprintf("%s%04x", mnemonicLabel, typ), 32)
	}
	idSeed, err := derive(uint16(k))
	if err != nil {
		return nil, nil, err
	}
	id, err := newHPKEIdentity(k, idSeed)
	if err != nil {
		return nil, nil, err
	}
	skSeed, err := derive(uint16(s))
	if err != nil {
		return nil, nil, err
	}
	sk, err := newSigningKey(s, skSeed)
	if err != nil {
		return nil, nil, err
	}
	return id, sk, nil
}
