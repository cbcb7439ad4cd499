package envelope

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// BIP-39 reference vectors (trezor/python-mnemonic vectors.json, passphrase "TREZOR").
var bip39Vectors = []struct{ entropy, mnemonic, seed string }{
	{"00000000000000000000000000000000", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		"c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"},
	{"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f", "legal winner thank year wave sausage worth useful legal winner thank yellow",
		"2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607"},
	{"80808080808080808080808080808080", "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
		"d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8"},
	{"ffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
		"ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069"},
	{"0000000000000000000000000000000000000000000000000000000000000000", strings.Repeat("abandon ", 23) + "art",
		"bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8"},
	{"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", strings.Repeat("zoo ", 23) + "vote",
		"dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd31ed3992c456cdf60f5d4564b8ba3f05a69890ad"},
}

func TestBIP39Wordlist(t *testing.T) {
	// The digest BIP-39 publishes for english.txt.
	if sum := sha256.Sum256([]byte(bip39English)); hex.EncodeToString(sum[:]) != "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda" {
		t.Fatal("bip39_english.txt is not the BIP-39 English wordlist")
	}
	if len(bip39Words) != 2048 || len(bip39Index) != 2048 {
		t.Fatal("wordlist size")
	}
}

func TestBIP39Vectors(t *testing.T) {
	for _, v := range bip39Vectors {
		e, _ := hex.DecodeString(v.entropy)
		m, err := NewMnemonic(e)
		if err != nil || m != v.mnemonic {
			t.Fatalf("%s: mnemonic %q (%v)", v.entropy, m, err)
		}
		back, err := MnemonicEntropy(m)
		if err != nil || !bytes.Equal(back, e) {
			t.Fatalf("%s: entropy back: %v", v.entropy, err)
		}
		seed, err := MnemonicSeed(m, "TREZOR")
		if err != nil || hex.EncodeToString(seed) != v.seed {
			t.Fatalf("%s: seed %x (%v)", v.entropy, seed, err)
		}
	}
}

func TestBIP39Rejects(t *testing.T) {
	good := bip39Vectors[1].mnemonic
	for name, m := range map[string]string{
		"swapped words":  strings.Replace(good, "legal winner", "winner legal", 1),
		"unknown word":   strings.Replace(good, "thank", "thanks", 1),
		"eleven words":   good[:strings.LastIndexByte(good, ' ')],
		"wrong checksum": strings.Replace(good, "yellow", "year", 1),
	} {
		if _, err := MnemonicEntropy(m); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: got %v", name, err)
		}
		if _, err := MnemonicSeed(m, ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: seed from a bad mnemonic: %v", name, err)
		}
	}
	if _, err := NewMnemonic(make([]byte, 15)); !errors.Is(err, ErrInvalidKey) {
		t.Error("15 bytes of entropy accepted")
	}
}

func TestKeysFromMnemonic(t *testing.T) {
	m, err := GenerateMnemonic()
	if err != nil || len(strings.Fields(m)) != 24 {
		t.Fatalf("generate: %q %v", m, err)
	}
	id, sk, err := KeysFromMnemonic(m, "pass", XWing, Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	id2, sk2, _ := KeysFromMnemonic("  "+strings.ReplaceAll(m, " ", "  ")+"\n", "pass", XWing, Ed25519)
	if id.SecretString() != id2.SecretString() || sk.SecretString() != sk2.SecretString() {
		t.Fatal("the same words give other keys")
	}
	other, _, _ := KeysFromMnemonic(m, "other", XWing, Ed25519)
	if other.SecretString() == id.SecretString() {
		t.Fatal("the passphrase does not change the keys")
	}
	env, _ := Seal([]byte("recovered"), sk, []Recipient{id.Recipient()}, nil)
	if pt, from, err := Open(env, id2, nil); err != nil || string(pt) != "recovered" || !from.Equal(sk2.Public()) {
		t.Fatalf("recovered keys: %v", err)
	}
}
