package devnet

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virtengine/sdk/node/tx"
)

// FuzzLoad: a devnet manifest with arbitrary contents loads without panicking or fails with a JSON
// or devnet error; what loads re-encodes stably and gives every node a peer list.
func FuzzLoad(f *testing.F) {
	op := tx.Address{1, 2, 3}
	nw := &Network{Dir: "/tmp/devnet", ChainID: "devnet", Faucet: tx.Address{9},
		Nodes: []NodeInfo{
			{Name: "v0", Home: "/tmp/devnet/v0", RPC: "tcp://127.0.0.1:26657", P2P: "127.0.0.1:26656", API: "127.0.0.1:1317", NodeID: "aa", Operator: op},
			{Name: "v1", Home: "/tmp/devnet/v1", RPC: "tcp://127.0.0.1:26667", P2P: "127.0.0.1:26666", API: "127.0.0.1:1327", NodeID: "bb", Operator: op},
		}}
	b, err := json.MarshalIndent(nw, "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"faucet":"zz"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		nw, err := Load(dir)
		if err != nil {
			var se *json.SyntaxError
			var te *json.UnmarshalTypeError
			if !errors.As(err, &se) && !errors.As(err, &te) && !strings.HasPrefix(err.Error(), "devnet: ") && !strings.HasPrefix(err.Error(), "tx: ") && !strings.HasPrefix(err.Error(), "unexpected end of JSON") {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		for i := range nw.Nodes {
			_ = nw.Peers(i)
		}
		enc, err := json.Marshal(nw)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), enc, 0o600); err != nil {
			t.Fatal(err)
		}
		nw2, err := Load(dir)
		if err != nil {
			t.Fatalf("re-encoded manifest rejected: %v", err)
		}
		if enc2, _ := json.Marshal(nw2); !bytes.Equal(enc, enc2) {
			t.Fatalf("manifest re-encoding not stable:\n%s\n%s", enc, enc2)
		}
	})
}
