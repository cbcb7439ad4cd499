package tx

import (
	"bytes"
	"testing"
)

// seeds are real transactions of every registered message type, both key algorithms.
func seeds(t testing.TB) [][]byte {
	k := testKey(t, Ed25519, 1)
	s := testKey(t, Secp256k1, 2)
	to := testKey(t, Ed25519, 3).Address()
	msgs := []Msg{
		&MsgSend{To: to, Amount: 1},
		&MsgGrantRole{Account: to, Role: RoleCustomer},
		&MsgRevokeRole{Account: to, Role: RoleCustomer},
		&MsgSetAccountState{Account: to, State: StateSuspended},
		&MsgRegisterFactor{ID: "key", Kind: FactorFIDO2, PubKey: s.PubKey()},
		&MsgReplaceFactor{ID: "key", PubKey: k.PubKey()},
		&MsgRemoveFactor{ID: "key"},
		&MsgSubmitEvidence{Envelope: []byte("VEENV")},
	}
	msgs = append(msgs, extraSeedMsgs(to, s.PubKey())...)
	var out [][]byte
	for i, m := range msgs {
		for _, key := range []*PrivKey{k, s} {
			b, err := Sign(key, "fuzz-chain", uint64(i), uint64(i*3), 7, m)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

func TestSeedsCoverEveryType(t *testing.T) {
	got := map[string]bool{}
	for _, b := range seeds(t) {
		d, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		got[d.Parsed.Type] = true
	}
	for _, typ := range Types() {
		if !got[typ] {
			t.Errorf("no fuzz seed for %s", typ)
		}
	}
}

// FuzzDecode: Decode never panics; whatever it accepts re-encodes to the same bytes (one encoding
// per transaction) and decodes again to the same hash.
func FuzzDecode(f *testing.F) {
	ss := seeds(f)
	if len(ss) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range ss {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Marshal(d.Tx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("accepted a non-canonical encoding")
		}
		_ = d.Verify()
	})
}
