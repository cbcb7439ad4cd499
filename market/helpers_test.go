package market

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

const t0 int64 = 1_700_000_000

func sigKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("market-test/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func sigPub(name string) ed25519.PublicKey { return sigKey(name).Public().(ed25519.PublicKey) }

// envKeys caches one X25519 envelope identity per name (generation is random; ids are what matter).
var envKeys = map[string]*envelope.HPKEIdentity{}

func envID(t testing.TB, name string) *envelope.HPKEIdentity {
	if id, ok := envKeys[name]; ok {
		return id
	}
	id, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		t.Fatal(err)
	}
	envKeys[name] = id
	return id
}

func keyID(t testing.TB, name string) string { return envID(t, name).KeyID().String() }

// seal seals data, signed by a fresh sender key, to the named parties.
func seal(t testing.TB, data string, to ...string) []byte {
	sk, err := envelope.GenerateSigningKey(envelope.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	var rs []envelope.Recipient
	for _, n := range to {
		rs = append(rs, envID(t, n).Recipient())
	}
	b, err := envelope.Seal([]byte(data), sk, rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ids is an in-memory IdentitySource.
type ids map[string]Identity

func (m ids) Identity(a string) (Identity, error) { return m[a], nil }

// sessions is an in-memory StepUpChecker: account → session expiry.
type sessions map[string]int64

func (s sessions) HasStepUp(a, action string, now int64) (bool, error) { return now < s[a], nil }

type env struct {
	t   *testing.T
	m   *Market
	l   *settlement.Ledger
	ids ids
	mfa sessions
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	e := &env{t: t, ids: ids{"alice": {Score: 80, Tier: 2, Scopes: []string{"document", "email"}}}, mfa: sessions{"alice": t0 + 3600}}
	cfg.Identities, cfg.MFA = e.ids, e.mfa
	store := kv.NewMem()
	e.m = New(store, cfg)
	e.l = e.m.Ledger()
	must(t, e.l.Mint("alice", 10_000_000))
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got %v, want %v", err, target)
	}
}

func (e *env) offering(id, provider string, req Requirements) *Offering {
	e.t.Helper()
	o, err := e.m.CreateOffering(Offering{ID: id, Provider: provider, ProviderKey: sigPub(provider), EnvKeyID: keyID(e.t, provider),
		Category: Compute, Regions: []string{"eu-north", "us-east"}, MinBid: 100, Require: req,
		Prices:  []UnitPrice{{Resource: settlement.CPU, Unit: Hourly, Price: 1000}, {Resource: settlement.Memory, Unit: Monthly, Price: 7300}},
		Secrets: seal(e.t, "api-token", provider)}, t0)
	must(e.t, err)
	return o
}

func (e *env) orderReq(id string) OrderRequest {
	return OrderRequest{ID: id, Customer: "alice", CustomerKey: sigPub("alice"), EnvKeyID: keyID(e.t, "alice"),
		Category: Compute, Region: "eu-north", Resources: []Quantity{{settlement.CPU, 4}, {settlement.Memory, 16}},
		MaxPrice: 10_000, Duration: 7200, Deposit: 1_000_000, Config: seal(e.t, "image: nginx", "alice", "prov", "prov2", "prov3")}
}

func (e *env) check() {
	e.t.Helper()
	must(e.t, e.l.CheckInvariants())
}

func envelopeSigner(t testing.TB) (*envelope.SigningKey, error) {
	return envelope.GenerateSigningKey(envelope.Ed25519)
}

func sealAnon(t testing.TB, sk *envelope.SigningKey, to string) []byte {
	b, err := envelope.Seal([]byte("x"), sk, []envelope.Recipient{envID(t, to).Recipient()}, &envelope.SealOptions{Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
