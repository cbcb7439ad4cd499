package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/virtengine/sdk/node/tx"
)

// genesisSeeds are real app_state documents: the default, a funded one with roles and validators,
// and a state export.
func genesisSeeds(t testing.TB) [][]byte {
	root, user := key(t, tx.Ed25519, 1), key(t, tx.Secp256k1, 2)
	g := fundedGenesis(root, user)
	g.Validators = []GenesisValidator{{ConsensusPubKey: bytes.Repeat([]byte{9}, 32), Power: 10, Operator: root.Address(), Name: "v0"}}
	full, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := json.Marshal(Genesis{Params: DefaultParams()})
	exp, _ := json.Marshal(Genesis{State: []StateEntry{{Key: "6b", Value: "0102"}}, Validators: g.Validators})
	return [][]byte{nil, full, def, exp, []byte(`{}`), []byte(`{"accounts":[{"address":"zz"}]}`),
		// A consensus key of the wrong length used to panic InitChain (ed25519 Address).
		[]byte(`{"validators":[{"consensus_pubkey":"AQI=","power":1}]}`),
		[]byte(`{"state":[{"k":"00","v":"00"}],"validators":[{"consensus_pubkey":"","power":1}]}`)}
}

// FuzzGenesis: ParseGenesis never panics and wraps its errors; what it accepts re-encodes stably;
// InitChain over it either loads it or returns an error, never panics.
func FuzzGenesis(f *testing.F) {
	for _, s := range genesisSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseGenesis(b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "app: genesis") {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		enc, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		g2, err := ParseGenesis(enc)
		if err != nil {
			t.Fatalf("re-encoded genesis rejected: %v", err)
		}
		if enc2, _ := json.Marshal(g2); !bytes.Equal(enc, enc2) {
			t.Fatalf("genesis re-encoding not stable:\n%s\n%s", enc, enc2)
		}
		a, err := New(dbm.NewMemDB(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = a.InitChain(context.Background(), &abci.RequestInitChain{ChainId: testChain, InitialHeight: 1, AppStateBytes: b})
	})
}
