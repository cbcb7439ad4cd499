package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildCLI builds this command once per test run.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "virtengine")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type cli struct {
	t   *testing.T
	bin string
	dir string
}

// run executes the CLI with stdin and returns stdout, stderr and whether it exited 0.
func (c cli) run(stdin []byte, args ...string) (string, string, bool) {
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = c.dir
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err == nil
}

func (c cli) must(stdin []byte, args ...string) string {
	out, errs, ok := c.run(stdin, args...)
	if !ok {
		c.t.Fatalf("virtengine %s: %s", strings.Join(args, " "), errs)
	}
	return out
}

func TestEnvelopeCLI(t *testing.T) {
	c := cli{t: t, bin: buildCLI(t), dir: t.TempDir()}
	var alice, bob map[string]string
	json.Unmarshal([]byte(c.must(nil, "--json", "envelope", "keygen", "-o", "alice.key")), &alice)
	json.Unmarshal([]byte(c.must(nil, "--json", "envelope", "keygen", "--classical", "-o", "bob.key")), &bob)
	if !strings.HasPrefix(alice["recipient"], "vexw1") || !strings.HasPrefix(bob["recipient"], "vecx1") || !strings.HasPrefix(alice["signer"], "veed1") {
		t.Fatalf("keygen printed %v %v", alice, bob)
	}
	if _, errs, ok := c.run(nil, "envelope", "keygen", "-o", "alice.key"); ok || !strings.Contains(errs, "already exists") {
		t.Fatal("keygen overwrote a key file")
	}
	pt := bytes.Repeat([]byte("VirtEngine "), 30000) // 330 kB, 6 chunks
	os.WriteFile(filepath.Join(c.dir, "pt"), pt, 0o644)

	// File to file, two recipients; open with --from the real signer.
	c.must(nil, "envelope", "seal", "-r", alice["recipient"], "-r", bob["recipient"], "--sign", "alice.key", "-o", "pt.env", "pt")
	_, errs, ok := c.run(nil, "envelope", "open", "-i", "bob.key", "--from", alice["signer"], "-o", "out", "pt.env")
	got, _ := os.ReadFile(filepath.Join(c.dir, "out"))
	if !ok || !bytes.Equal(got, pt) || !strings.Contains(errs, "signed by") {
		t.Fatalf("open: %s", errs)
	}
	// Reject twin: --from another signer; no output file appears.
	if _, errs, ok := c.run(nil, "envelope", "open", "-i", "bob.key", "--from", bob["signer"], "-o", "out2", "pt.env"); ok || !strings.Contains(errs, "untrusted sender") {
		t.Fatalf("wrong --from accepted: %s", errs)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "out2")); err == nil {
		t.Fatal("a refused open left an output file")
	}
	// Stdin to stdout with armor.
	armored := c.must(pt, "envelope", "seal", "-a", "-r", bob["recipient"], "--sign", "alice.key")
	if !strings.HasPrefix(armored, "-----BEGIN VIRTENGINE ENVELOPE-----\n") {
		t.Fatal("no armor")
	}
	if out := c.must([]byte(armored), "envelope", "open", "-i", "bob.key"); out != string(pt) {
		t.Fatal("armored round trip through stdin/stdout failed")
	}
	// A changed byte is refused.
	env, _ := os.ReadFile(filepath.Join(c.dir, "pt.env"))
	env[len(env)/2] ^= 1
	if _, errs, ok := c.run(env, "envelope", "open", "-i", "bob.key", "-o", "out3"); ok || !strings.Contains(errs, "discard") {
		t.Fatalf("tampered envelope opened: %s", errs)
	}
	// Rewrap: remove bob; bob can no longer open, alice still can.
	c.must(nil, "envelope", "rewrap", "-i", "alice.key", "--remove", bob["recipient"], "-o", "re.env", "pt.env")
	if _, errs, ok := c.run(nil, "envelope", "open", "-i", "bob.key", "re.env"); ok || !strings.Contains(errs, "not a recipient") {
		t.Fatalf("removed recipient opened: %s", errs)
	}
	var rep map[string]any
	json.Unmarshal([]byte(c.must(nil, "--json", "envelope", "open", "-i", "alice.key", "-o", "out4", "re.env")), &rep)
	if rep["signer"] != alice["signer"] || rep["verified"] != true {
		t.Fatalf("open report %v", rep)
	}
	// Inspect lists the remaining recipient by key id, without keys.
	var info struct {
		Recipients []struct {
			KeyID string `json:"key_id"`
		} `json:"recipients"`
		Sizes struct {
			Plaintext int `json:"plaintext"`
		} `json:"sizes"`
	}
	json.Unmarshal([]byte(c.must(nil, "--json", "envelope", "inspect", "re.env")), &info)
	if len(info.Recipients) != 1 || info.Recipients[0].KeyID != alice["recipient_key_id"] || info.Sizes.Plaintext != len(pt) {
		t.Fatalf("inspect: %+v", info)
	}
	// --json on seal and rewrap reports what was written (the envelope's inspection); it needs -o,
	// since the envelope itself would otherwise go to stdout.
	var sealed struct {
		Output   string `json:"output"`
		Envelope struct {
			Recipients []struct {
				KeyID string `json:"key_id"`
			} `json:"recipients"`
		} `json:"envelope"`
	}
	json.Unmarshal([]byte(c.must(nil, "--json", "envelope", "seal", "-r", bob["recipient"], "--sign", "alice.key", "-o", "j.env", "pt")), &sealed)
	if sealed.Output != "j.env" || len(sealed.Envelope.Recipients) != 1 || sealed.Envelope.Recipients[0].KeyID != bob["recipient_key_id"] {
		t.Fatalf("seal --json: %+v", sealed)
	}
	json.Unmarshal([]byte(c.must(nil, "--json", "envelope", "rewrap", "-i", "bob.key", "--sign", "alice.key", "--add", alice["recipient"], "-o", "j2.env", "j.env")), &sealed)
	if sealed.Output != "j2.env" || len(sealed.Envelope.Recipients) != 2 {
		t.Fatalf("rewrap --json: %+v", sealed)
	}
	for _, args := range [][]string{
		{"--json", "envelope", "seal", "-r", bob["recipient"], "--sign", "alice.key", "pt"},
		{"--json", "envelope", "rewrap", "-i", "bob.key", "--sign", "alice.key", "--add", alice["recipient"], "j.env"},
	} {
		if out, errs, ok := c.run(nil, args...); ok || !strings.Contains(out, "with -o") { // --json: the error is JSON on stdout
			t.Fatalf("%v without -o: %s %s", args, out, errs)
		}
	}
	// Keys from BIP-39 words, and back.
	var m map[string]string
	json.Unmarshal([]byte(c.must(nil, "--json", "envelope", "keygen", "--mnemonic", "-o", "m.key")), &m)
	var r map[string]string
	json.Unmarshal([]byte(c.must([]byte(m["mnemonic"]), "--json", "envelope", "keygen", "--recover", "-o", "r.key")), &r)
	if m["recipient"] == "" || r["recipient"] != m["recipient"] || r["signer"] != m["signer"] {
		t.Fatal("recovered keys differ")
	}
	if _, errs, ok := c.run([]byte("abandon about"), "envelope", "keygen", "--recover"); ok || !strings.Contains(errs, "words") {
		t.Fatalf("bad mnemonic accepted: %s", errs)
	}
	// Errors say what to do next.
	if _, errs, _ := c.run(pt, "envelope", "seal", "-r", bob["recipient"]); !strings.Contains(errs, "--sign KEYFILE") {
		t.Fatalf("seal without --sign: %s", errs)
	}
}
