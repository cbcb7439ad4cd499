package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The relying-party flow from the command line: setup → keys → issue → request → prove → verify, with
// the refusals: an unsafe key without --allow-unsafe, a false statement, a tampered presentation and a
// presentation answered to another request (nonce); and a large (Merkle-root) country set, proven and
// refused.
func TestZKCLI(t *testing.T) {
	c := mcli{t: t, bin: builtCLI(t), dir: t.TempDir()}
	var out struct {
		Public string `json:"public"`
		Valid  bool   `json:"valid"`
		Reason string `json:"reason"`
	}
	parse := func(s string) {
		t.Helper()
		out.Valid, out.Reason = false, ""
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			t.Fatalf("not one JSON document: %v\n%s", err, s)
		}
	}

	c.ok("zk", "setup", "--json")
	parse(c.ok("zk", "keygen", "issuer", "--out", "issuer.key", "--json"))
	issuer := out.Public
	c.ok("zk", "keygen", "holder", "--out", "holder.secret", "--json")
	c.ok("zk", "issue", "--birth-date", "1990-05-17", "--country", "276", "--score", "80", "--tier", "2", "--flags", "document,email", "--json")
	c.ok("zk", "request", "--audience", "rp.example", "--min-age", "18", "--min-score", "70", "--issuer-pub", issuer, "--registry", "revocations.json", "--json")
	c.ok("zk", "prove", "--holder-secret", "holder.secret", "--registry", "revocations.json", "--json")

	parse(c.ok("zk", "verify", "--allow-unsafe", "--json"))
	if !out.Valid {
		t.Fatalf("valid presentation rejected: %s", out.Reason)
	}

	// Replay protection: with --nonce-db the first verify is accepted and the second refused.
	parse(c.ok("zk", "verify", "--allow-unsafe", "--nonce-db", "nonces.json", "--json"))
	if !out.Valid {
		t.Fatalf("first verify with --nonce-db rejected: %s", out.Reason)
	}
	stdout, _, ok := c.run("zk", "verify", "--allow-unsafe", "--nonce-db", "nonces.json", "--json")
	parse(stdout)
	if ok || out.Valid || out.Reason != "nonce_replayed" {
		t.Fatalf("replayed presentation accepted with --nonce-db: ok=%v %+v", ok, out)
	}
	c.refused("already accepted", "zk", "verify", "--allow-unsafe", "--nonce-db", "nonces.json")

	// Reject twins.
	stdout, _, ok = c.run("zk", "verify", "--json")
	parse(stdout)
	if ok || out.Valid || out.Reason != "unsafe_key" {
		t.Fatalf("development key accepted without --allow-unsafe: ok=%v %+v", ok, out)
	}
	c.ok("zk", "request", "--audience", "rp.example", "--min-score", "90", "--issuer-pub", issuer, "--registry", "revocations.json", "--out", "strict.json")
	c.refused("does not satisfy", "zk", "prove", "--request", "strict.json", "--holder-secret", "holder.secret", "--registry", "revocations.json", "--out", "false.json")

	c.ok("zk", "request", "--audience", "rp.example", "--min-age", "18", "--min-score", "70", "--issuer-pub", issuer, "--registry", "revocations.json", "--out", "other.json")
	stdout, _, ok = c.run("zk", "verify", "--allow-unsafe", "--request", "other.json", "--json")
	parse(stdout)
	if ok || out.Valid {
		t.Fatalf("presentation for another request's nonce accepted: %+v", out)
	}

	// A large country set: the EU and EEA (30 codes) is a Merkle root in the request; the wallet
	// proves its country's path. A set without the credential's country cannot be proven.
	eu := "# EU\n40,56,100,191,196,203,208,233,246,250,276,300,348,372,380,428\n440 442 470 528 616 620 642 703 705 724 752\n352,438,578 # EEA\n"
	if err := os.WriteFile(filepath.Join(c.dir, "eu.txt"), []byte(eu), 0o600); err != nil {
		t.Fatal(err)
	}
	var set struct {
		Root      string   `json:"root"`
		Countries []uint16 `json:"countries"`
		Path      any      `json:"path"`
	}
	if err := json.Unmarshal([]byte(c.ok("zk", "country-set", "--countries-file", "eu.txt", "--country", "276", "--json")), &set); err != nil || len(set.Countries) != 30 || set.Path == nil {
		t.Fatalf("country-set: %v %+v", err, set)
	}
	var sreq struct {
		CountrySet []uint16 `json:"country_set"`
		Countries  []uint16 `json:"countries"`
	}
	if err := json.Unmarshal([]byte(c.ok("zk", "request", "--audience", "rp.example", "--country-set-file", "eu.txt", "--issuer-pub", issuer, "--registry", "revocations.json", "--out", "eu-req.json", "--json")), &sreq); err != nil || len(sreq.CountrySet) != 30 || sreq.Countries != nil {
		t.Fatalf("request with a country set file: %v %+v", err, sreq)
	}
	c.ok("zk", "prove", "--request", "eu-req.json", "--holder-secret", "holder.secret", "--registry", "revocations.json", "--out", "eu-pres.json")
	parse(c.ok("zk", "verify", "--allow-unsafe", "--request", "eu-req.json", "--presentation", "eu-pres.json", "--json"))
	if !out.Valid {
		t.Fatalf("country-set presentation rejected: %s", out.Reason)
	}
	// 17 codes without Germany: more than 16, so the Merkle-root mode
	c.ok("zk", "request", "--audience", "rp.example", "--countries", "840,826,124,36,554,392,410,756,76,32,484,152,170,604,858,600,218", "--issuer-pub", issuer, "--registry", "revocations.json", "--out", "americas.json")
	c.refused("country_set", "zk", "prove", "--request", "americas.json", "--holder-secret", "holder.secret", "--registry", "revocations.json", "--out", "false.json")

	p := filepath.Join(c.dir, "presentation.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var pres map[string]any
	if err := json.Unmarshal(b, &pres); err != nil {
		t.Fatal(err)
	}
	// One public input changed in its last hex digit.
	ins, _ := pres["public_inputs"].([]any)
	if len(ins) < 5 {
		t.Fatalf("presentation has %d public inputs", len(ins))
	}
	s, _ := ins[4].(string)
	ins[4] = s[:len(s)-1] + "e"
	b, _ = json.Marshal(pres)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, ok = c.run("zk", "verify", "--allow-unsafe", "--json")
	if ok {
		t.Fatalf("tampered presentation accepted: %s", stdout)
	}
}
