package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runNodeCLI runs a fresh command tree of the node groups with args and returns stdout.
func runNodeCLI(t *testing.T, mk func() *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	c := mk()
	c.SetOut(&out)
	c.SetArgs(args)
	c.SilenceUsage, c.SilenceErrors = true, true
	ndKeyring = ""
	err := c.Execute()
	return out.String(), err
}

func TestNodeInitKeysGenesisCLI(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "n1")
	out, err := runNodeCLI(t, newNodeCmd, "init", "--home", home, "--rpc", "127.0.0.1:0", "--p2p", "127.0.0.1:0", "--api", "127.0.0.1:0", "--chain-id", "cli-test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "faucet account") || !strings.Contains(out, "virtengine node start --home") {
		t.Fatalf("init output: %s", out)
	}
	for _, f := range []string{"config/genesis.json", "config/committee_key", "config/attestation_key", "keys/faucet.json"} {
		st, err := os.Stat(filepath.Join(home, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, "_key") && st.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v", f, st.Mode().Perm())
		}
	}
	// Reject twin: init over an existing home refuses and says what to do.
	if _, err := runNodeCLI(t, newNodeCmd, "init", "--home", home); err == nil || !strings.Contains(err.Error(), "another --home") {
		t.Fatalf("second init: %v", err)
	}

	kr := filepath.Join(dir, "keys")
	if _, err := runNodeCLI(t, newKeysCmd, "add", "carol", "--algo", "secp256k1", "--keyring", kr); err != nil {
		t.Fatal(err)
	}
	if _, err := runNodeCLI(t, newKeysCmd, "add", "carol", "--keyring", kr); err == nil {
		t.Fatal("duplicate key name accepted")
	}
	if _, err := runNodeCLI(t, newKeysCmd, "add", "dave", "--algo", "rsa", "--keyring", kr); err == nil {
		t.Fatal("unknown algorithm accepted")
	}
	out, err = runNodeCLI(t, newKeysCmd, "show", "carol", "--keyring", kr)
	if err != nil || len(strings.TrimSpace(out)) != 40 {
		t.Fatalf("show: %q %v", out, err)
	}

	// Import an (empty) exported state into a fresh home: the home's validators are kept.
	export := filepath.Join(dir, "export.json")
	os.WriteFile(export, []byte(`{"params":{"min_fee":1,"identity_model":"composite-v2","identity_vote_window":10},"accounts":null,"state":[{"k":"732f7a","v":"01"}]}`), 0o600)
	home2 := filepath.Join(dir, "n2")
	if _, err := runNodeCLI(t, newNodeCmd, "init", "--home", home2, "--rpc", "127.0.0.1:0", "--p2p", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if _, err := runNodeCLI(t, newGenesisCmd, "import", "--home", home2, "--from", export); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(home2, "config", "genesis.json"))
	var doc struct {
		AppState struct {
			Validators []json.RawMessage `json:"validators"`
			State      []json.RawMessage `json:"state"`
		} `json:"app_state"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.AppState.Validators) != 1 || len(doc.AppState.State) != 1 {
		t.Fatalf("imported genesis: %v %s", err, b)
	}
}
