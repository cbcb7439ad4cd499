package app

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/hpc"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/settlement"
)

// marketEnv: genesis root, a provider with the provider role and an offering, a customer with a
// verified score of 80 and a settlement deposit.
type marketEnv struct {
	h                *harness
	root, prov, cust *tx.PrivKey
	provSig, custSig ed25519.PrivateKey
	provEnv, custEnv *envelope.HPKEIdentity
	fido, veidF      *tx.PrivKey
}

func mustOK(t *testing.T, h *harness, b []byte) {
	t.Helper()
	if r := h.block(b); r[0].Code != CodeOK {
		t.Fatalf("code %d: %s", r[0].Code, r[0].Log)
	}
}

func wantCode(t *testing.T, h *harness, b []byte, code uint32) {
	t.Helper()
	if r := h.block(b); r[0].Code != code {
		t.Fatalf("code %d (%s), want %d", r[0].Code, r[0].Log, code)
	}
}

func newMarketEnv(t *testing.T) *marketEnv {
	t.Helper()
	e := &marketEnv{root: key(t, tx.Ed25519, 1), prov: key(t, tx.Secp256k1, 2), cust: key(t, tx.Ed25519, 3),
		fido: key(t, tx.Secp256k1, 4), veidF: key(t, tx.Ed25519, 5)}
	e.provSig = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{6}, 32))
	e.custSig = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	var err error
	if e.provEnv, err = envelope.GenerateIdentity(envelope.X25519); err != nil {
		t.Fatal(err)
	}
	if e.custEnv, err = envelope.GenerateIdentity(envelope.X25519); err != nil {
		t.Fatal(err)
	}
	e.h = newHarness(t, dbm.NewMemDB(), fundedGenesis(e.root, e.prov, e.cust), Options{})
	h := e.h
	h.block()
	mustOK(t, h, h.sign(e.root, &tx.MsgGrantRole{Account: e.prov.Address(), Role: tx.RoleProvider}))
	mustOK(t, h, h.sign(e.prov, &tx.MsgCreateOffering{ID: "off", Category: "hpc", Prices: []tx.Price{{Resource: uint8(settlement.CPU), Unit: "hourly", Price: 1000}},
		Regions: []string{"eu"}, MinBid: 100, ProviderKey: e.provSig.Public().(ed25519.PublicKey), EnvKeyID: e.provEnv.KeyID().String(), MinScore: 70}))
	mustOK(t, h, h.sign(e.cust, &tx.MsgDeposit{Amount: 50_000}))
	return e
}

func (e *marketEnv) verify(t *testing.T, acct tx.Address, score uint32) {
	t.Helper()
	c := &execCtx{app: e.h.a, store: e.h.a.pending, height: e.h.height, time: e.h.now}
	r := &IdentityRequest{ID: bytes.Repeat([]byte{acct[0]}, 32), Account: acct, Status: ReqPending}
	if err := finalize(c, r, score, bytes.Repeat([]byte{9}, 32), "composite-v2", 2, score >= 50, nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	e.h.block()
}

func (e *marketEnv) order(t *testing.T, id string) *tx.MsgCreateOrder {
	t.Helper()
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	cfg, err := envelope.Seal([]byte("image: mpi"), sk, []envelope.Recipient{e.custEnv.Recipient(), e.provEnv.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &tx.MsgCreateOrder{ID: id, OfferingID: "off", Category: "hpc", Region: "eu", Resources: []tx.Qty{{Resource: uint8(settlement.CPU), Amount: 2}},
		MaxPrice: 5000, Duration: 3600, Deposit: 900, CustomerKey: e.custSig.Public().(ed25519.PublicKey), EnvKeyID: e.custEnv.KeyID().String(), Config: cfg}
}

// Orders are gated by the offering's identity requirement, and plaintext configurations are refused.
func TestMarketOrderGating(t *testing.T) {
	e := newMarketEnv(t)
	h := e.h
	wantCode(t, h, h.sign(e.cust, e.order(t, "o1")), CodeIdentityRequired)
	e.verify(t, e.cust.Address(), 80)
	plain := e.order(t, "o2")
	plain.Config = []byte("image: mpi")
	wantCode(t, h, h.sign(e.cust, plain), CodePlaintext)
	mustOK(t, h, h.sign(e.cust, e.order(t, "o3")))
	// A non-provider may not publish offerings.
	wantCode(t, h, h.sign(e.cust, &tx.MsgCreateOffering{ID: "x", Category: "hpc"}), CodeUnauthorized)
	// An order above 1,000 needs VEID + FIDO2 step-up.
	big := e.order(t, "o4")
	big.Deposit = 5000
	wantCode(t, h, h.sign(e.cust, big), CodeMFARequired)
	mustOK(t, h, h.sign(e.cust, &tx.MsgRegisterFactor{ID: "k", Kind: tx.FactorFIDO2, PubKey: e.fido.PubKey()}))
	// VEID is the customer's verified identity (score 80), FIDO2 the registered key.
	mustOK(t, h, h.sign(e.cust, big, tx.NamedSigner{ID: "k", Key: e.fido}))
}

// Lease, job and usage, each with its reject twin: a job by someone else, an illegal job transition,
// a usage record for another chain or with a forged countersignature.
func TestMarketLeaseJobUsage(t *testing.T) {
	e := newMarketEnv(t)
	h := e.h
	e.verify(t, e.cust.Address(), 80)
	mustOK(t, h, h.sign(e.cust, e.order(t, "o1")))
	r := h.block(h.sign(e.prov, &tx.MsgBid{OrderID: "o1", OfferingID: "off", MarkupBps: 0}))
	if r[0].Code != CodeOK {
		t.Fatal(r[0].Log)
	}
	bid := ""
	for _, ev := range r[0].Events {
		for _, a := range ev.Attributes {
			if ev.Type == "bid_placed" && a.Key == "bid" {
				bid = a.Value
			}
		}
	}
	wantCode(t, h, h.sign(e.prov, &tx.MsgAcceptBid{OrderID: "o1", BidID: bid}), CodeUnauthorized)
	mustOK(t, h, h.sign(e.cust, &tx.MsgAcceptBid{OrderID: "o1", BidID: bid}))
	mustOK(t, h, h.sign(e.prov, &tx.MsgOrderStep{OrderID: "o1", Step: tx.StepProvision}))
	sk, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	res, _ := envelope.Seal([]byte("ssh"), sk, []envelope.Recipient{e.custEnv.Recipient()}, nil)
	mustOK(t, h, h.sign(e.prov, &tx.MsgOrderStep{OrderID: "o1", Step: tx.StepDeployed, Result: res}))

	spec, _ := json.Marshal(hpc.JobSpec{ID: "j1", Partition: "batch", Nodes: 1, PerNode: hpc.Resources{Cores: 2, MemoryMB: 1024}, RuntimeLimitSeconds: 600, Template: "mpi"})
	wantCode(t, h, h.sign(e.prov, &tx.MsgSubmitJob{OrderID: "o1", Spec: spec}), CodeIdentityRequired)
	mustOK(t, h, h.sign(e.cust, &tx.MsgSubmitJob{OrderID: "o1", Spec: spec}))
	wantCode(t, h, h.sign(e.prov, &tx.MsgUpdateJob{JobID: "j1", State: uint8(hpc.Completed)}), CodeInvalidState)
	wantCode(t, h, h.sign(e.cust, &tx.MsgUpdateJob{JobID: "j1", State: uint8(hpc.Queued)}), CodeUnauthorized)
	mustOK(t, h, h.sign(e.prov, &tx.MsgUpdateJob{JobID: "j1", State: uint8(hpc.Queued)}))

	rec := settlement.UsageRecord{ChainID: testChain, EscrowID: "o1", Seq: 1, Provider: e.prov.Address().String(), Customer: e.cust.Address().String(),
		PeriodStart: h.now.Unix() - 2, PeriodEnd: h.now.Unix(), Kind: settlement.KindFinal}
	rec.Quantities[settlement.CPU], rec.UnitPrices[settlement.CPU] = 500, 1000
	sign := func(r settlement.UsageRecord) settlement.SignedUsage {
		t.Helper()
		su, err := settlement.SignUsage(r, e.provSig)
		if err == nil {
			err = su.Countersign(e.custSig)
		}
		if err != nil {
			t.Fatal(err)
		}
		return su
	}
	su := sign(rec)
	other := rec
	other.ChainID = "other-chain"
	so := sign(other)
	wantCode(t, h, h.sign(e.prov, &tx.MsgSubmitUsage{Record: other.Encode(), ProviderSig: so.ProviderSig, CustomerSig: so.CustomerSig}), CodeWrongChain)
	forged := su
	forged.CustomerSig = ed25519.Sign(e.provSig, append(rec.Encode(), su.ProviderSig...))
	wantCode(t, h, h.sign(e.prov, &tx.MsgSubmitUsage{Record: rec.Encode(), ProviderSig: forged.ProviderSig, CustomerSig: forged.CustomerSig}), CodeInvalidState)
	mustOK(t, h, h.sign(e.prov, &tx.MsgSubmitUsage{Record: rec.Encode(), ProviderSig: su.ProviderSig, CustomerSig: su.CustomerSig}))
	// Replayed usage is refused.
	wantCode(t, h, h.sign(e.prov, &tx.MsgSubmitUsage{Record: rec.Encode(), ProviderSig: su.ProviderSig, CustomerSig: su.CustomerSig}), CodeInvalidState)
	if err := qledger(dbView{h.db}).CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// Deposits and withdrawals move money between the bank and the settlement ledger without creating any.
func TestDepositWithdraw(t *testing.T) {
	e := newMarketEnv(t)
	h := e.h
	before := h.account(e.cust.Address()).Balance
	// A withdrawal above 10,000 is sensitive (VEID + FIDO2, score ≥ 70): refused without them.
	wantCode(t, h, h.sign(e.cust, &tx.MsgWithdraw{Amount: 20_000}), CodeMFARequired)
	e.verify(t, e.cust.Address(), 80)
	mustOK(t, h, h.sign(e.cust, &tx.MsgRegisterFactor{ID: "k", Kind: tx.FactorFIDO2, PubKey: e.fido.PubKey()}))
	fido := tx.NamedSigner{ID: "k", Key: e.fido}
	mustOK(t, h, h.sign(e.cust, &tx.MsgWithdraw{Amount: 20_000}, fido))
	wantCode(t, h, h.sign(e.cust, &tx.MsgWithdraw{Amount: 40_000}, fido), CodeInsufficientFunds)
	mustOK(t, h, h.sign(e.cust, &tx.MsgDeposit{Amount: 5_000}))
	if got := h.account(e.cust.Address()).Balance; got != before+20_000-5_000-5 {
		t.Fatalf("bank %d, want %d", got, before+20_000-5_000-5)
	}
	l := qledger(dbView{h.db})
	if bal, _ := l.Balance(e.cust.Address().String()); bal != 50_000-20_000+5_000 {
		t.Fatalf("ledger %d", bal)
	}
	if sup, _ := l.Supply(); sup != 50_000 {
		t.Fatalf("ledger supply %d: money was created", sup)
	}
	if err := l.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// An offering that asks for MFA gets the policy's order step-up (score ≥ 70, VEID + FIDO2), not
// "any one factor": a TOTP signature is refused, even for a small order the table leaves ungated.
func TestMarketMFAFollowsPolicy(t *testing.T) {
	e := newMarketEnv(t)
	h := e.h
	mustOK(t, h, h.sign(e.prov, &tx.MsgCreateOffering{ID: "offm", Category: "hpc", Prices: []tx.Price{{Resource: uint8(settlement.CPU), Unit: "hourly", Price: 1000}},
		Regions: []string{"eu"}, MinBid: 100, ProviderKey: e.provSig.Public().(ed25519.PublicKey), EnvKeyID: e.provEnv.KeyID().String(), MFA: true}))
	totp := key(t, tx.Ed25519, 12)
	fido, tsig := tx.NamedSigner{ID: "k", Key: e.fido}, tx.NamedSigner{ID: "t", Key: totp}
	mustOK(t, h, h.sign(e.cust, &tx.MsgRegisterFactor{ID: "k", Kind: tx.FactorFIDO2, PubKey: e.fido.PubKey()}))
	small := e.order(t, "m1")
	small.OfferingID = "offm"
	// Reject: FIDO2 without a verified identity (no VEID, no score).
	wantCode(t, h, h.sign(e.cust, small, fido), CodeMFARequired)
	e.verify(t, e.cust.Address(), 80)
	mustOK(t, h, h.sign(e.cust, &tx.MsgRegisterFactor{ID: "t", Kind: tx.FactorTOTP, PubKey: totp.PubKey()}, fido))
	// Reject: VEID + TOTP is one factor short of VEID + FIDO2.
	wantCode(t, h, h.sign(e.cust, small, tsig), CodeMFARequired)
	// Accept: VEID (identity) + FIDO2.
	mustOK(t, h, h.sign(e.cust, small, fido))
}
