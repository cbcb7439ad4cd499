package node

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/virtengine/sdk/zk"
)

// FuzzLoadHomeKeys: a validator home's attestation and zk issuer key files with arbitrary contents
// load as a working key or as nil, never a panic; a loaded key written back loads the same.
func FuzzLoadHomeKeys(f *testing.F) {
	f.Add([]byte(hex.EncodeToString(bytes.Repeat([]byte{5}, ed25519.SeedSize)) + "\n"))
	if k, err := zk.GenerateIssuerKey(rand.Reader); err == nil {
		f.Add([]byte(hex.EncodeToString(k.Bytes())))
	}
	f.Add([]byte("zz"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		home := t.TempDir()
		if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{attestationKeyFile(home), zkIssuerKeyFile(home)} {
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if k := loadAttestationKey(home); k != nil {
			if len(k) != ed25519.PrivateKeySize {
				t.Fatalf("attestation key of %d bytes", len(k))
			}
			if err := os.WriteFile(attestationKeyFile(home), []byte(hex.EncodeToString(k.Seed())), 0o600); err != nil {
				t.Fatal(err)
			}
			if again := loadAttestationKey(home); !again.Equal(k) {
				t.Fatal("attestation key does not round trip")
			}
		}
		if k := loadZKIssuerKey(home); k != nil {
			if err := os.WriteFile(zkIssuerKeyFile(home), []byte(hex.EncodeToString(k.Bytes())), 0o600); err != nil {
				t.Fatal(err)
			}
			again := loadZKIssuerKey(home)
			if again == nil || !bytes.Equal(again.Bytes(), k.Bytes()) {
				t.Fatal("zk issuer key does not round trip")
			}
		}
		var lc LocalConfig
		_ = readJSON(zkIssuerKeyFile(home), &lc)
	})
}
