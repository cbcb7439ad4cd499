package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/hpc"
	"github.com/virtengine/sdk/node/keyring"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/settlement"
)

func fuzzEd25519(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// writeFuzzFile writes b to a fresh file and returns its path.
func writeFuzzFile(t testing.TB, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// FuzzResourceFlags: --price, --resource and --capacity parse without panicking; what they accept
// prints back (RESOURCE:UNIT:PRICE, RESOURCE:AMOUNT) to the same values.
func FuzzResourceFlags(f *testing.F) {
	for _, s := range []string{"cpu:hourly:1000", "memory:4", "eu-north=cpu:64,memory:256", "gpu", "network:x:1", "cpu:-1", "=cpu:1", "a=b=c:1", "cpu:18446744073709551616"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := parseResource(s); err == nil {
			if r >= settlement.NumResources {
				t.Fatalf("parseResource(%q) = %d, out of range", s, r)
			}
			if again, err := parseResource(r.String()); err != nil || again != r {
				t.Fatalf("resource %v does not round trip: %v", r, err)
			}
		}
		if ps, err := parsePrices([]string{s}); err == nil {
			if len(ps) != 1 {
				t.Fatalf("parsePrices(%q) = %v", s, ps)
			}
			spec := ps[0].Resource.String() + ":" + string(ps[0].Unit) + ":" + strconv.FormatUint(ps[0].Price, 10)
			if again, err := parsePrices([]string{spec}); err != nil || !reflect.DeepEqual(again, ps) {
				t.Fatalf("price %q does not round trip: %v", spec, err)
			}
		}
		if qs, err := parseQuantities([]string{s}); err == nil {
			spec := qs[0].Resource.String() + ":" + strconv.FormatUint(qs[0].Amount, 10)
			if again, err := parseQuantities([]string{spec}); err != nil || !reflect.DeepEqual(again, qs) {
				t.Fatalf("quantity %q does not round trip: %v", spec, err)
			}
		}
		if cs, err := parseCapacity([]string{s}); err == nil && len(cs) != 1 {
			t.Fatalf("parseCapacity(%q) = %v", s, cs)
		}
	})
}

// FuzzKeyFlags: --peer, public keys, recipients and key ids parse without panicking; accepted keys
// are 32 bytes and recipients print back to themselves.
func FuzzKeyFlags(f *testing.F) {
	pub := hex.EncodeToString(fuzzEd25519(1).Public().(ed25519.PublicKey))
	id, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		f.Fatal(err)
	}
	xw, err := envelope.GenerateIdentity(envelope.XWing)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{pub, " " + pub + "\n", "n1=127.0.0.1:7000@" + pub, "n1=@" + pub, "=a@b", id.Recipient().String(), xw.Recipient().String(),
		hex.EncodeToString(make([]byte, envelope.KeyIDSize)), strings.ToUpper(id.Recipient().String()), "vecx1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := parsePub(s, "peer"); err == nil && len(k) != ed25519.PublicKeySize {
			t.Fatalf("parsePub(%q) = %d bytes", s, len(k))
		}
		if p, err := parsePeerFlag(s); err == nil {
			if p.Node == "" || p.Addr == "" || len(p.Key) != ed25519.PublicKeySize {
				t.Fatalf("parsePeerFlag(%q) = %+v", s, p)
			}
		}
		_, _ = parseKeyIDArg(s)
		// parseRecipientArg falls back to reading s as a key file: keep the fuzzer off real paths.
		if strings.ContainsAny(s, `/\`) || strings.HasPrefix(s, ".") {
			return
		}
		if rr, err := parseRecipientArg(s); err == nil {
			r, ok := rr.(*envelope.HPKERecipient)
			if !ok {
				t.Fatalf("parseRecipientArg(%q) returned a %T", s, rr)
			}
			again, err := envelope.ParseRecipient(r.String())
			if err != nil || again.String() != r.String() {
				t.Fatalf("recipient %q does not round trip: %v", r.String(), err)
			}
			if kid, err := parseKeyIDArg(r.String()); err != nil || kid != r.KeyID() {
				t.Fatalf("key id of %q: %v", r.String(), err)
			}
		}
	})
}

// FuzzKeyFiles: the key files the CLI reads (envelope key file, hpc seed, keyring account file)
// load without panicking and fail with an error; loaded keys work.
func FuzzKeyFiles(f *testing.F) {
	id, _ := envelope.GenerateIdentity(envelope.X25519)
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	f.Add((&envelope.KeyFile{Identities: []*envelope.HPKEIdentity{id}, Signers: []*envelope.SigningKey{sk}}).Marshal(time.Unix(1_800_000_000, 0)))
	f.Add([]byte(hex.EncodeToString(bytes.Repeat([]byte{7}, 32)) + "\n"))
	dir := f.TempDir()
	kr, _ := keyring.Open(dir)
	k, _ := tx.NewKeyFromSeed(tx.Ed25519, bytes.Repeat([]byte{3}, 32))
	if _, err := kr.Add("acct", k); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "acct.json"))
	f.Add(b)
	f.Add([]byte("# comment only\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := writeFuzzFile(t, "acct.json", b)
		if kf, err := readKeyFile(p); err == nil {
			if len(kf.Identities)+len(kf.Signers) == 0 {
				t.Fatal("key file with no keys accepted")
			}
			for _, id := range kf.Identities {
				if _, err := envelope.ParseRecipient(id.Recipient().String()); err != nil {
					t.Fatalf("identity's recipient does not parse: %v", err)
				}
			}
		}
		if key, err := readKey(p); err == nil {
			_ = ed25519.Sign(key, []byte("x"))
		}
		if key, err := readAccountKeyFile(p); err == nil {
			if _, err := key.SignRaw([]byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzHPCFiles: the controller file and the template library load without panicking, and what
// they load goes through the same registry and library checks the commands run.
func FuzzHPCFiles(f *testing.F) {
	prov, node := fuzzEd25519(1), fuzzEd25519(2)
	cl := hpc.Cluster{ID: "c1", Provider: "p1", Region: "eu", Partitions: []hpc.Partition{{Name: "cpu", HardwareClass: "cpu-avx512"}}, ProviderKey: prov.Public().(ed25519.PublicKey)}
	reg, err := hpc.SignRegistration(hpc.NodeRegistration{Cluster: "c1", Node: "n1", Partition: "cpu", Capacity: hpc.Resources{Cores: 4, MemoryMB: 1024}, NodeKey: node.Public().(ed25519.PublicKey), Operator: "op", IssuedAt: 1}, prov)
	if err != nil {
		f.Fatal(err)
	}
	cf, _ := json.Marshal(controllerFile{Cluster: cl, Registrations: []hpc.SignedRegistration{reg}})
	f.Add(cf)
	st, err := hpc.PublishTemplate(hpc.Template{Name: "hello", Version: "1", Kind: hpc.KindBatch, Partition: "cpu", Nodes: 1, PerNode: hpc.Resources{Cores: 1}, TimeLimit: 60, Body: "echo hi"}, prov)
	if err == nil {
		_ = st.Approve(node)
		lib, _ := json.Marshal([]hpc.SignedTemplate{st})
		f.Add(lib)
	}
	f.Add([]byte(`[{"publisher":"AAEC","approver":""}]`))
	f.Add([]byte(`{"cluster":{"id":"c1","provider_key":"AAEC","partitions":[{"name":"cpu"}]},"registrations":[{}]}`))
	approver := node.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := writeFuzzFile(t, "f.json", b)
		if cf, err := readControllerFile(p); err == nil {
			if reg, err := hpc.NewRegistry(cf.Cluster, hpc.Timers{}); err == nil {
				for _, r := range cf.Registrations {
					_ = reg.Register(r, 1)
				}
			}
		}
		if ts, err := readTemplateLib(p); err == nil {
			lib := hpc.NewLibrary(approver)
			for i := range ts {
				_ = lib.Add(ts[i])
				_ = ts[i].Approve(node)
			}
		}
	})
}

// FuzzLoadState: the market's local state and wallet files load without panicking or fail with an
// error; what loads saves and loads back to the same state and wallet.
func FuzzLoadState(f *testing.F) {
	seedState, _ := json.Marshal(stateFile{Version: 1, KV: map[string][]byte{"k": {1, 2}}})
	seedWallet, _ := json.Marshal(wallet{Accounts: map[string]*walletAccount{"alice": {Seed: bytes.Repeat([]byte{1}, 32), Envelope: "x"}}})
	f.Add(seedState, seedWallet)
	f.Add([]byte(`{}`), []byte(`{"accounts":null}`))
	f.Add([]byte(`{"kv":{"a":"!"}}`), []byte(`{"accounts":{"bob":null}}`))
	f.Add([]byte(`null`), []byte(`{"accounts":{"bob":{"seed":"AQ=="}}}`))
	old := mktState
	f.Cleanup(func() { mktState = old })
	f.Fuzz(func(t *testing.T, state, wal []byte) {
		dir := t.TempDir()
		mktState = filepath.Join(dir, "m.json")
		if err := os.WriteFile(mktState, state, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(walletPath(), wal, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := loadState()
		if err != nil {
			return
		}
		for name := range st.wallet.Accounts {
			_, _ = st.accountSigner(name)
			_, _ = st.wallet.Accounts[name].pub()
		}
		if err := st.save(); err != nil {
			t.Fatal(err)
		}
		st2, err := loadState()
		if err != nil {
			t.Fatalf("saved state does not load: %v", err)
		}
		w1, _ := json.Marshal(st.wallet)
		w2, _ := json.Marshal(st2.wallet)
		if !bytes.Equal(w1, w2) {
			t.Fatalf("wallet does not round trip:\n%s\n%s", w1, w2)
		}
		dump := func(s *localState) map[string]string {
			m := map[string]string{}
			_ = s.store.Iterate(nil, func(k, v []byte) error { m[string(k)] = string(v); return nil })
			return m
		}
		if !reflect.DeepEqual(dump(st), dump(st2)) {
			t.Fatal("state does not round trip")
		}
	})
}
