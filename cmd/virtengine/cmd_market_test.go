package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/virtengine/sdk/market"
)

// mcli runs a freshly built virtengine in a scratch directory holding the market state file.
type mcli struct {
	t        *testing.T
	bin, dir string
}

func (c mcli) run(args ...string) (string, string, bool) {
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = c.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err == nil
}

func (c mcli) ok(args ...string) string {
	c.t.Helper()
	out, errs, ok := c.run(args...)
	if !ok {
		c.t.Fatalf("virtengine %s: %s%s", strings.Join(args, " "), errs, out)
	}
	return out
}

func (c mcli) refused(want string, args ...string) {
	c.t.Helper()
	out, errs, ok := c.run(args...)
	if ok || !strings.Contains(errs+out, want) {
		c.t.Fatalf("virtengine %s: ok=%v, output %q, want a refusal saying %q", strings.Join(args, " "), ok, errs+out, want)
	}
}

// The flow from the command line: offer → order → bid → accept → deploy → usage → settle →
// invoice → payout, with the refusals a user meets on the way.
func TestMarketSettlementCLI(t *testing.T) {
	c := mcli{t: t, bin: builtCLI(t), dir: t.TempDir()}
	at := func(d int64) string { return "--at=" + strconv.FormatInt(1_800_000_000+d, 10) }

	c.ok("settlement", "mint", "alice", "5000000", at(0))
	c.ok("market", "offer", "--provider", "prov", "--id", "off-1", "--category", "compute", "--region", "eu-north",
		"--price", "cpu:hourly:1000", "--price", "memory:monthly:7300", "--min-bid", "100", "--min-score", "70", "--mfa", "--secrets", "token", at(0))
	order := []string{"market", "order", "--customer", "alice", "--id", "ord-1", "--offering", "off-1", "--category", "compute",
		"--region", "eu-north", "--resource", "cpu:4", "--resource", "memory:16", "--max-price", "10000", "--duration", "2h",
		"--deposit", "1000000", "--config", "image: nginx", at(0)}
	c.refused("score 70 (have 0)", order...)
	c.ok("market", "identity", "alice", "--score", "80", at(0))
	c.refused("MFA step-up", order...)
	c.ok("market", "identity", "alice", "--score", "80", "--mfa", "1h", at(0))
	c.ok(order...)

	c.refused("list what exists", "market", "bid", "--provider", "prov", "--order", "nope", "--offering", "off-1", at(1))
	c.refused("allowed 100..10000", "market", "bid", "--provider", "prov", "--order", "ord-1", "--offering", "off-1", "--markup", "20000", at(1))
	c.ok("market", "bid", "--provider", "prov", "--order", "ord-1", "--offering", "off-1", "--markup", "1000", at(1))
	c.ok("market", "accept", "--customer", "alice", "--order", "ord-1", "--bid", "ord-1.prov", at(2))
	c.ok("market", "deploy", "--provider", "prov", "--order", "ord-1", "--result", "ssh root@10.0.0.7", at(3))

	c.ok("settlement", "usage", "--order", "ord-1", "--cpu", "4000", "--memory", "16000", "--from", "-1h", "--final", "--out", "usage.json", at(3603))
	var s struct {
		Split struct{ Gross, Platform, Validator, Provider uint64 }
	}
	if err := json.Unmarshal([]byte(c.ok("--json", "settlement", "settle", "usage.json", at(3603))), &s); err != nil {
		t.Fatal(err)
	}
	// 4 core-hours at 1100 + 16 GB-hours at 11 = 4,576; 5% / 1% / rest.
	if s.Split.Gross != 4576 || s.Split.Platform != 228 || s.Split.Validator != 45 || s.Split.Provider != 4303 {
		t.Fatalf("split %+v", s.Split)
	}
	c.refused("already settled", "settlement", "settle", "usage.json", at(3604))

	c.ok("market", "terminate", "--by", "alice", "--order", "ord-1", at(3700))
	if out := c.ok("market", "terminate", "--by", "prov", "--order", "ord-1", at(3701)); !strings.Contains(out, "terminated (reason owner)") {
		t.Fatalf("terminate: %s", out)
	}
	if out := c.ok("settlement", "invoice", "--order", "ord-1", "--id", "inv-1", "--tax-bps", "2000", at(3702)); !strings.Contains(out, "total 5491") {
		t.Fatalf("invoice: %s", out)
	}
	if out := c.ok("settlement", "payout", at(3703)); !strings.Contains(out, "nothing payable yet") {
		t.Fatalf("payout inside the dispute window: %s", out)
	}
	c.ok("settlement", "payout", at(3603+7*24*3600))
	var bal map[string]uint64
	if err := json.Unmarshal([]byte(c.ok("--json", "settlement", "balance", "alice", "prov", "platform", "validator-pool")), &bal); err != nil {
		t.Fatal(err)
	}
	if bal["alice"] != 5_000_000-4576 || bal["prov"] != 4303 || bal["platform"] != 228 || bal["validator-pool"] != 45 {
		t.Fatalf("balances %v", bal)
	}
	c.ok("settlement", "rewards", "val-a=2", "val-b=1")
	if out := c.ok("settlement", "check"); !strings.Contains(out, "invariants ok") {
		t.Fatal(out)
	}
	c.refused("Unix seconds", "settlement", "payout", "--at", "tomorrow")
}

// A wallet file edited into a signing seed of another size gives an error naming the file, not a
// panic in ed25519.NewKeyFromSeed.
func TestWalletSignerRefusesMalformedSeed(t *testing.T) {
	good := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	st := &localState{wallet: &wallet{Accounts: map[string]*walletAccount{"ok": {Seed: good}, "null": nil}}}
	if k, err := st.accountSigner("ok"); err != nil || !bytes.Equal(k.Seed(), good) {
		t.Fatalf("well-formed seed: %v", err)
	}
	for name, seed := range map[string][]byte{"nil": nil, "short": good[:31], "long": append(bytes.Clone(good), 0), "a private key": ed25519.NewKeyFromSeed(good)} {
		st.wallet.Accounts["bad"] = &walletAccount{Seed: seed}
		if _, err := st.accountSigner("bad"); err == nil || !strings.Contains(err.Error(), "account bad") || !strings.Contains(err.Error(), "signing seed") {
			t.Errorf("%s: accountSigner: %v", name, err)
		}
		if _, err := st.wallet.Accounts["bad"].pub(); err == nil {
			t.Errorf("%s: pub accepted the seed", name)
		}
	}
	if _, err := st.accountSigner("null"); err == nil {
		t.Error("a null wallet entry was accepted")
	}
	if _, err := st.accountSigner("absent"); err == nil || !strings.Contains(err.Error(), "lacks the keys of absent") {
		t.Errorf("absent account: %v", err)
	}
}

// The market's identity and MFA refusals name commands that exist, with flags they take.
func TestMarketGateRefusalNamesRealCommands(t *testing.T) {
	re := regexp.MustCompile("`virtengine ([^`]*)`")
	for _, howto := range []string{market.HowToVerifyIdentity, market.HowToStepUp} {
		ms := re.FindAllStringSubmatch(howto, -1)
		if len(ms) < 2 {
			t.Fatalf("refusal names %d commands, want one for a node and one for the local state: %q", len(ms), howto)
		}
		for _, m := range ms {
			var path, flags []string
			for _, w := range strings.Fields(m[1]) {
				switch {
				case strings.HasPrefix(w, "--"):
					flags = append(flags, strings.TrimPrefix(w, "--"))
				case len(flags) == 0 && w == strings.ToLower(w): // not a placeholder (ACCOUNT, NAME)
					path = append(path, w)
				}
			}
			c, rest, err := rootCmd.Find(path)
			if err != nil || len(rest) > 0 || c == rootCmd || c.Name() != path[len(path)-1] {
				t.Fatalf("%q names `virtengine %s`, which is not a command (%v)", howto, strings.Join(path, " "), err)
			}
			for _, f := range flags {
				if c.Flags().Lookup(f) == nil && c.InheritedFlags().Lookup(f) == nil {
					t.Fatalf("`virtengine %s` has no flag --%s", strings.Join(path, " "), f)
				}
			}
		}
	}
	// The step-up on a node signs with --factor, a flag of every tx command.
	if c, _, err := rootCmd.Find([]string{"tx", "submit"}); err != nil || c.InheritedFlags().Lookup("factor") == nil {
		t.Fatalf("virtengine tx submit has no --factor: %v", err)
	}
	// Reject twin: the command the old message named does not exist.
	if c, rest, err := rootCmd.Find([]string{"identity"}); err == nil && c != rootCmd && len(rest) == 0 {
		t.Fatalf("a `virtengine identity` command exists after all: %s", c.CommandPath())
	}
}

// `virtengine settlement balance` with no account lists every account of the local state.
func TestSettlementBalanceCLI(t *testing.T) {
	c := mcli{t: t, bin: builtCLI(t), dir: t.TempDir()}
	if out := c.ok("settlement", "balance"); !strings.Contains(out, "no accounts") || !strings.Contains(out, "virtengine settlement mint ACCOUNT AMOUNT") {
		t.Fatalf("empty state: %q", out)
	}
	c.ok("settlement", "mint", "bob", "250")
	c.ok("settlement", "mint", "alice", "5000")
	c.ok("market", "offer", "--provider", "prov", "--id", "off-1", "--category", "compute", "--region", "eu", "--price", "cpu:hourly:10")
	if out := c.ok("settlement", "balance"); out != "alice: 5000\nbob: 250\nprov: 0\n" {
		t.Fatalf("all balances: %q", out)
	}
	var all map[string]uint64
	if err := json.Unmarshal([]byte(c.ok("--json", "settlement", "balance")), &all); err != nil || len(all) != 3 || all["alice"] != 5000 {
		t.Fatalf("--json balances: %v %v", all, err)
	}
	if out := c.ok("settlement", "balance", "bob", "nobody"); out != "bob: 250\nnobody: 0\n" {
		t.Fatalf("named balances: %q", out)
	}
	// Reject twin: a state file that is not JSON is refused with what to do.
	if err := os.WriteFile(filepath.Join(c.dir, "virtengine-market.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.refused("move it away", "settlement", "balance")
}
