package devnet

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/virtengine/sdk/node/tx"
)

// The HTTP API of a running node: status, queries, transaction submission (accepted and rejected),
// the SSE event stream, Prometheus metrics and the OpenAPI document, which must list every route.
func TestHTTPAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	nw := testNet(t, 1, StartOptions{})
	c := clientFor(t, ctx, nw, 0)
	base := "http://" + nw.Node(0).APIAddr()
	get := func(path string, want int) []byte {
		t.Helper()
		r, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		if r.StatusCode != want {
			t.Fatalf("GET %s: %d %s", path, r.StatusCode, b)
		}
		return b
	}
	var st map[string]any
	json.Unmarshal(get("/v1/status", 200), &st)
	if st["chain_id"] != nw.ChainID {
		t.Fatalf("status %v", st)
	}

	// Subscribe to events before submitting.
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v1/events", nil)
	sse, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer sse.Body.Close()

	f := faucet(t, nw)
	bob, _ := tx.GenerateKey(tx.Ed25519)
	b, err := c.Sign(ctx, f, &tx.MsgSend{To: bob.Address(), Amount: 9})
	if err != nil {
		t.Fatal(err)
	}
	post := func(body string) (int, map[string]any) {
		r, err := http.Post(base+"/v1/txs", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		return r.StatusCode, m
	}
	code, m := post(`{"tx":"` + base64.StdEncoding.EncodeToString(b) + `"}`)
	if code != http.StatusAccepted {
		t.Fatalf("submit: %d %v", code, m)
	}
	// Reject twins: the same bytes again (CometBFT's mempool cache), and a replay of the same
	// transfer re-signed with the used sequence (CheckTx: wrong sequence).
	if code, m := post(`{"tx":"` + base64.StdEncoding.EncodeToString(b) + `"}`); code != http.StatusConflict {
		t.Fatalf("duplicate: %d %v", code, m)
	}
	d, _ := tx.Decode(b)
	replay, _ := tx.Sign(f, nw.ChainID, d.Parsed.Account, d.Parsed.Sequence, 2, &tx.MsgSend{To: bob.Address(), Amount: 9})
	if code, m := post(`{"tx":"` + base64.StdEncoding.EncodeToString(replay) + `"}`); code != http.StatusUnprocessableEntity || m["code"] != float64(6) {
		t.Fatalf("replayed sequence: %d %v", code, m)
	}
	if code, _ := post(`{"tx":"not base64"}`); code != http.StatusBadRequest {
		t.Fatalf("garbage: %d", code)
	}
	if _, err := c.Wait(ctx, b); err != nil {
		t.Fatal(err)
	}
	var acc map[string]any
	json.Unmarshal(get("/v1/accounts/"+bob.Address().String(), 200), &acc)
	if acc["balance"] != float64(9) {
		t.Fatalf("account %v", acc)
	}
	get("/v1/accounts/"+strings.Repeat("0", 40), 404)
	// No consensus score, no attestation (the e2e flow checks the attestation of a verified account).
	get("/v1/identity/"+bob.Address().String()+"/attestation", 404)
	get("/v1/txs/"+m["hash"].(string), 200)

	// The event stream carried the transfer.
	sc := bufio.NewScanner(sse.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	found := false
	for !found && sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "data: ") && strings.Contains(line, bob.Address().String()) {
			found = true
		}
	}
	if !found {
		t.Fatal("transfer not in the event stream")
	}
	if !strings.Contains(string(get("/metrics", 200)), "virtengine_txs_total") {
		t.Fatal("metrics missing")
	}
	doc := string(get("/openapi.json", 200))
	var parsed map[string]any
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatal(err)
	}
	paths := parsed["paths"].(map[string]any)
	for _, p := range []string{"/v1/status", "/v1/query/{path}", "/v1/accounts/{addr}", "/v1/identity/{addr}", "/v1/identity/{addr}/attestation", "/v1/txs", "/v1/txs/{hash}", "/v1/events", "/metrics", "/openapi.json"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
}
