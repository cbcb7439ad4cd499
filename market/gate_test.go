package market

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/virtengine/sdk/settlement"
)

func TestOrderRefusedBelowScore(t *testing.T) {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{MinScore: 90, MinTier: 3, Scopes: []string{"biometric"}})
	req := e.orderReq("ord-1")
	req.OfferingID = "off-1"
	_, err := e.m.CreateOrder(req, t0)
	var ge *GateError
	if !errors.As(err, &ge) || !errors.Is(err, ErrIdentityRequired) {
		t.Fatalf("got %v, want a GateError for the identity", err)
	}
	msg := err.Error()
	for _, want := range []string{"score 90 (have 80)", "tier 3 (have 2)", "verified scope biometric", "verify more identity scopes",
		"`virtengine tx submit-evidence --from NAME`", "`virtengine market identity ACCOUNT"} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal %q does not say %q", msg, want)
		}
	}
	if _, err := e.m.Order("ord-1"); !errors.Is(err, ErrNotFound) {
		t.Fatal("refused order was stored")
	}
	if b, _ := e.l.Balance("alice"); b != 10_000_000 {
		t.Fatal("refused order locked funds")
	}
	// Qualifying later is enough.
	e.ids["alice"] = Identity{Score: 95, Tier: 3, Scopes: []string{"biometric"}}
	_, err = e.m.CreateOrder(req, t0)
	must(t, err)
}

func TestOrderRefusedWithoutMFASession(t *testing.T) {
	e := newEnv(t, Config{Require: Requirements{MFA: true}})
	_, err := e.m.CreateOrder(e.orderReq("ord-1"), t0+3600) // session expired at t0+3600
	var ge *GateError
	if !errors.As(err, &ge) || !errors.Is(err, ErrMFARequired) || !strings.Contains(err.Error(), "complete an MFA step-up") ||
		!strings.Contains(err.Error(), "`virtengine tx register-factor`") || !strings.Contains(err.Error(), "`virtengine market identity ACCOUNT --mfa") {
		t.Fatalf("got %v", err)
	}
	_, err = e.m.CreateOrder(e.orderReq("ord-1"), t0+3599)
	must(t, err)
}

func TestMarketMinimumScoreAppliesToOpenOrders(t *testing.T) {
	e := newEnv(t, Config{Require: Requirements{MinScore: 50}})
	e.ids["alice"] = Identity{Score: 49}
	_, err := e.m.CreateOrder(e.orderReq("ord-1"), t0)
	wantErr(t, err, ErrIdentityRequired)
}

func TestGateWithoutSourcesSaysWhatIsMissing(t *testing.T) {
	m := New(newEnv(t, Config{}).m.store, Config{Require: Requirements{MinScore: 1, MFA: true}})
	e := &env{t: t, m: m}
	_, err := m.CreateOrder(e.orderReq("ord-1"), t0)
	if !errors.Is(err, ErrIdentityRequired) || !strings.Contains(err.Error(), "Config.Identities") {
		t.Fatalf("got %v", err)
	}
}

// Bids check the offering's identity requirements on the customer of an open order.
func TestBidRefusedForUnqualifiedCustomer(t *testing.T) {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{MinScore: 85})
	_, err := e.m.CreateOrder(e.orderReq("ord-1"), t0)
	must(t, err)
	_, err = e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, t0)
	wantErr(t, err, ErrIdentityRequired)
}

func TestPlaintextRefused(t *testing.T) {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{})
	for name, cfg := range map[string][]byte{
		"plaintext JSON": []byte(`{"image":"nginx","password":"hunter2"}`),
		"empty":          nil,
		"truncated envelope": func() []byte {
			b := seal(t, "x", "alice")
			return b[:len(b)/2]
		}(),
	} {
		req := e.orderReq("ord-x")
		req.Config = cfg
		_, err := e.m.CreateOrder(req, t0)
		if !errors.Is(err, ErrPlaintext) {
			t.Errorf("%s: got %v, want ErrPlaintext", name, err)
		}
	}
	// Sealed, but not to the customer.
	req := e.orderReq("ord-y")
	req.Config = seal(t, "x", "prov")
	_, err := e.m.CreateOrder(req, t0)
	wantErr(t, err, ErrNotRecipient)
	// Directed at an offering: must be sealed to its provider too.
	req = e.orderReq("ord-z")
	req.OfferingID = "off-1"
	req.Config = seal(t, "x", "alice")
	_, err = e.m.CreateOrder(req, t0)
	wantErr(t, err, ErrNotRecipient)
	// Anonymous envelopes cannot be checked: refused with a way out.
	req = e.orderReq("ord-a")
	sk, _ := envelopeSigner(t)
	req.Config = sealAnon(t, sk, "alice")
	_, err = e.m.CreateOrder(req, t0)
	if !errors.Is(err, ErrNotRecipient) || !strings.Contains(err.Error(), "named recipients") {
		t.Fatalf("anonymous: %v", err)
	}
	// Provider secrets and deployment results too.
	_, err = e.m.CreateOffering(Offering{ID: "off-2", Provider: "prov", ProviderKey: sigPub("prov"), EnvKeyID: keyID(t, "prov"),
		Category: Compute, Regions: []string{"eu-north"}, Prices: []UnitPrice{{Unit: Hourly, Price: 1}}, Secrets: []byte("token=abc")}, t0)
	wantErr(t, err, ErrPlaintext)
}

func TestDeploymentResultMustBeSealedToCustomer(t *testing.T) {
	e := newEnv(t, Config{})
	e.offering("off-1", "prov", Requirements{})
	_, err := e.m.CreateOrder(e.orderReq("ord-1"), t0)
	must(t, err)
	b, _ := e.m.PlaceBid(BidRequest{OrderID: "ord-1", OfferingID: "off-1", Provider: "prov"}, t0)
	_, err = e.m.AcceptBid("ord-1", b.ID, "alice", nil, t0)
	must(t, err)
	_, err = e.m.StartProvisioning("ord-1", "prov", t0)
	must(t, err)
	_, err = e.m.Deployed("ord-1", "prov", []byte("ssh root@10.0.0.7 password=x"), t0)
	wantErr(t, err, ErrPlaintext)
	_, err = e.m.Deployed("ord-1", "prov", seal(t, "creds", "prov"), t0)
	wantErr(t, err, ErrNotRecipient)
	if o, _ := e.m.Order("ord-1"); o.State != OrderProvisioning {
		t.Fatalf("refused deployment moved the order to %s", o.State)
	}
	_, err = e.m.Deployed("ord-1", "prov", seal(t, "creds", "alice"), t0)
	must(t, err)
}

func TestCodes(t *testing.T) {
	if Code(nil) != 0 || Code(errors.New("x")) != 1 || Code(&GateError{Err: ErrMFARequired}) != Code(ErrMFARequired) {
		t.Fatal("market codes")
	}
	if got := Code(fmt.Errorf("wrapped: %w", settlement.ErrReplay)); got != 100+settlement.Code(settlement.ErrReplay) {
		t.Fatalf("settlement error code %d", got)
	}
}
