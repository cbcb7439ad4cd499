package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	rpclocal "github.com/cometbft/cometbft/rpc/client/local"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/market/bidengine"
	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/devnet"
	"github.com/virtengine/sdk/node/keyring"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/settlement"
)

// lockedBuffer is a bytes.Buffer the bidder writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// events returns the JSON log lines written so far.
func (l *lockedBuffer) events(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// `virtengine market bidder` against a real single-validator devnet: it bids on a new order at the
// formula's price, skips one whose maximum is below that price, picks up an edited prices file
// without restart, and keeps the old prices when the file is broken.
func TestMarketBidderOnDevnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Not t.TempDir: CometBFT may still be closing files in the node's home after Stop returns,
	// and t.TempDir fails the test when its removal does (as node/devnet's tests do).
	dir, err := os.MkdirTemp("", "bidder-devnet-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	nw, err := devnet.Create(filepath.Join(dir, "net"), devnet.Config{Validators: 1, RandomPorts: true, TimeoutCommit: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := nw.Start(ctx, devnet.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	defer nw.Stop()
	var c *client.Client
	for {
		if c, err = client.New(ctx, rpclocal.New(nw.Node(0).Comet())); err == nil && c.WaitHeight(ctx, 2) == nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("devnet not ready: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	nkr, err := nw.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	faucet, _, err := nkr.Get(devnet.FaucetKeyName)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	prov, _ := tx.GenerateKey(tx.Ed25519)
	cust, _ := tx.GenerateKey(tx.Ed25519)
	if _, err := kr.Add("provider", prov); err != nil {
		t.Fatal(err)
	}
	submit := func(k *tx.PrivKey, m tx.Msg) *client.Result {
		t.Helper()
		res, err := c.Submit(ctx, k, m)
		if err != nil {
			t.Fatalf("%s: %v", m.Type(), err)
		}
		return res
	}
	submit(faucet, &tx.MsgSend{To: prov.Address(), Amount: 100_000})
	submit(faucet, &tx.MsgSend{To: cust.Address(), Amount: 100_000})
	submit(faucet, &tx.MsgGrantRole{Account: prov.Address(), Role: tx.RoleProvider})
	provUsage, _, _ := ed25519.GenerateKey(nil)
	custUsage, _, _ := ed25519.GenerateKey(nil)
	provEnv, _ := envelope.GenerateIdentity(envelope.XWing)
	custEnv, _ := envelope.GenerateIdentity(envelope.XWing)
	submit(prov, &tx.MsgCreateOffering{ID: "off-1", Category: string(market.Compute), Regions: []string{"eu"}, MinBid: 1,
		Prices:      []tx.Price{{Resource: uint8(settlement.CPU), Unit: string(market.Hourly), Price: 100}},
		ProviderKey: provUsage, EnvKeyID: provEnv.KeyID().String()})
	submit(cust, &tx.MsgDeposit{Amount: 4_000})
	sender, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	cfg, err := envelope.Seal([]byte(`{"image":"nginx"}`), sender, []envelope.Recipient{custEnv.Recipient(), provEnv.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	order := func(id string, maxPrice uint64) {
		t.Helper()
		submit(cust, &tx.MsgCreateOrder{ID: id, OfferingID: "off-1", Category: string(market.Compute), Region: "eu",
			Resources: []tx.Qty{{Resource: uint8(settlement.CPU), Amount: 4}}, MaxPrice: maxPrice, Duration: 3600, Deposit: 900,
			CustomerKey: custUsage, EnvKeyID: custEnv.KeyID().String(), Config: cfg})
	}
	// quote is the formula's price for an order on the node at markup bps.
	quote := func(id string, bps uint64) uint64 {
		t.Helper()
		var off market.Offering
		var o market.Order
		if err := c.Query(ctx, "/market/offering/off-1", &off); err != nil {
			t.Fatal(err)
		}
		if err := c.Query(ctx, "/market/order/"+id, &o); err != nil {
			t.Fatal(err)
		}
		p, _, err := market.Quote(&off, &o, bps)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var logs lockedBuffer
	waitLog := func(what string, ok func(map[string]any) bool) map[string]any {
		t.Helper()
		for {
			for _, ev := range logs.events(t) {
				if ok(ev) {
					return ev
				}
			}
			select {
			case <-ctx.Done():
				t.Fatalf("bidder never logged %s; log:\n%s", what, logs.b.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	bidOn := func(id string) map[string]any {
		return waitLog("a bid on "+id, func(ev map[string]any) bool { return ev["event"] == "bid" && ev["order"] == id })
	}
	onChainBid := func(id string) *market.Bid {
		t.Helper()
		var bids []*market.Bid
		if err := c.Query(ctx, "/market/bids/"+id, &bids); err != nil {
			t.Fatal(err)
		}
		for _, b := range bids {
			if b.Provider == prov.Address().String() {
				return b
			}
		}
		return nil
	}

	// An order already open before the bidder starts, whose maximum is below the formula's price.
	order("ord-cheap", 400) // 4 cores × 100 = 400, +5% = 420 > 400
	prices := filepath.Join(dir, "prices.json")
	os.WriteFile(prices, []byte(`{"default_markup_bps": 500}`), 0o600)

	jsonOut = true
	defer func() { jsonOut = false }()
	cmd := mktBidderCmd()
	cmd.SetOut(&logs)
	cmd.SetArgs([]string{"--node", nw.Node(0).RPCAddr(), "--key", filepath.Join(dir, "keys", "provider.json"), "--prices", prices,
		"--capacity", "eu=cpu:64", "--interval", "200ms"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	bctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(bctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("bidder: %v", err)
		}
	}()

	// The order appears: bid at the formula's price, never above the maximum.
	order("ord-1", 1_000)
	ev := bidOn("ord-1")
	want := quote("ord-1", 500)
	if b := onChainBid("ord-1"); b == nil || b.Price != want || b.Price > 1_000 || b.MarkupBps != 500 || uint64(ev["price"].(float64)) != want {
		t.Fatalf("bid on ord-1: %+v (log %v), want price %d", b, ev, want)
	}
	// Reject twin: the order whose maximum is below the price gets no bid, and the log says why.
	skip := waitLog("the skip of ord-cheap", func(ev map[string]any) bool { return ev["event"] == "skip" && ev["order"] == "ord-cheap" })
	if !strings.Contains(skip["reason"].(string), "above the order's maximum") {
		t.Fatalf("skip reason: %v", skip)
	}
	if b := onChainBid("ord-cheap"); b != nil {
		t.Fatalf("bid above the order's maximum: %+v", b)
	}

	// The prices file changes: the next bid uses the new markup, without a restart.
	os.WriteFile(prices, []byte(`{"default_markup_bps": 2000}`), 0o600)
	waitLog("the new prices", func(ev map[string]any) bool {
		return ev["event"] == bidengine.EventPrices && ev["default_markup_bps"] == float64(2000)
	})
	order("ord-2", 1_000)
	bidOn("ord-2")
	want2 := quote("ord-2", 2000)
	if b := onChainBid("ord-2"); b == nil || b.Price != want2 || b.MarkupBps != 2000 || want2 == want {
		t.Fatalf("bid on ord-2 after the edit: %+v, want price %d", b, want2)
	}

	// A malformed prices file: logged, old prices kept.
	os.WriteFile(prices, []byte(`{"default_markup_bps": 1`), 0o600)
	kept := waitLog("the rejected prices file", func(ev map[string]any) bool { return ev["event"] == bidengine.EventPricesKept })
	if !strings.Contains(kept["reason"].(string), "old prices stay") {
		t.Fatalf("prices_kept: %v", kept)
	}
	order("ord-3", 1_000)
	bidOn("ord-3")
	if b := onChainBid("ord-3"); b == nil || b.MarkupBps != 2000 || b.Price != quote("ord-3", 2000) {
		t.Fatalf("bid on ord-3 after a broken prices file: %+v", b)
	}
	// No log line carries the customer's address or configuration.
	logs.mu.Lock()
	text := logs.b.String()
	logs.mu.Unlock()
	t.Logf("bidder log:\n%s", text)
	if strings.Contains(text, cust.Address().String()) {
		t.Fatalf("the log names the customer:\n%s", text)
	}
}

func TestMarketBidderRefusesBadSetup(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--prices", "p.json"}, "--key"},
		{[]string{"--key", filepath.Join(dir, "nokey.json"), "--prices", "p.json"}, "virtengine keys add"},
		{[]string{"--key", filepath.Join(dir, "key.txt"), "--prices", "p.json"}, "NAME.json"},
	} {
		cmd := mktBidderCmd()
		cmd.SetArgs(c.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	if _, err := parseCapacity([]string{"eu=cpu:8,memory:16"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"eu", "eu=", "eu=cpu", "eu=flux:3", "=cpu:1"} {
		if _, err := parseCapacity([]string{bad}); err == nil || !strings.Contains(err.Error(), "--capacity") {
			t.Fatalf("--capacity %q: %v", bad, err)
		}
	}
}
