package keyring

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtengine/sdk/node/tx"
)

func fuzzKey(t testing.TB, algo tx.Algo, seed byte) *tx.PrivKey {
	k, err := tx.NewKeyFromSeed(algo, bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FuzzGet: a key file with arbitrary contents loads without panicking, fails with a keyring or tx
// error, and a key it loads matches the file's address and stores back to the same key.
func FuzzGet(f *testing.F) {
	for i, algo := range []tx.Algo{tx.Ed25519, tx.Secp256k1} {
		dir := f.TempDir()
		kr, err := Open(dir)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := kr.Add("seed", fuzzKey(f, algo, byte(i+1))); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "seed.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(bytes.Replace(b, []byte(`"address": "`), []byte(`"address": "00`), 1))
	}
	f.Add([]byte(`{"name":"x","algo":"ed25519","address":"` + strings.Repeat("00", 20) + `","private_key":"zz"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		kr := &Keyring{Dir: dir}
		if err := os.WriteFile(filepath.Join(dir, "k.json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		key, e, err := kr.Get("k")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "keyring: ") && !strings.HasPrefix(err.Error(), "tx: ") {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if key.Address() != e.Address {
			t.Fatal("loaded a key whose address does not match the file")
		}
		if l, err := kr.List(); err != nil || len(l) != 1 || l[0].PrivateKey != "" {
			t.Fatalf("List: %v %v", l, err)
		}
		kr2 := &Keyring{Dir: t.TempDir()}
		if _, err := kr2.Add("k", key); err != nil {
			t.Fatal(err)
		}
		key2, _, err := kr2.Get("k")
		if err != nil || !bytes.Equal(key2.Bytes(), key.Bytes()) || key2.Algo() != key.Algo() {
			t.Fatalf("stored key does not load back: %v", err)
		}
	})
}

// FuzzName: a key name never escapes the keyring directory, and an invalid one is refused with an
// error rather than a file operation.
func FuzzName(f *testing.F) {
	for _, s := range []string{"alice", "a.b-c_d", "", "../x", "a/b", ".", "..", strings.Repeat("a", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		kr := &Keyring{Dir: "/nonexistent/keyring"}
		p, err := kr.path(name)
		if err != nil {
			if _, _, gerr := kr.Get(name); gerr == nil || errors.Is(gerr, ErrNotFound) {
				t.Fatalf("Get(%q) did not refuse the name: %v", name, gerr)
			}
			return
		}
		if filepath.Dir(p) != kr.Dir {
			t.Fatalf("name %q escapes the keyring: %s", name, p)
		}
	})
}
