// Package e2e runs VirtEngine's whole flow against a live network, by transactions: onboarding →
// identity score by consensus → zk credential → proof verified by a relying party → offering →
// order → bid → lease → HPC job → usage → settlement → invoice → payout. `virtengine demo` calls Run;
// the tests run it on one and on four validators.
//
//	rep, err := e2e.Run(ctx, os.Stdout, e2e.Config{Validators: 4})
package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	rpclocal "github.com/cometbft/cometbft/rpc/client/local"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/hpc"
	"github.com/virtengine/sdk/internal/demo"
	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/node"
	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/devnet"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// Config configures Run.
type Config struct {
	// Validators in the devnet (default 1, the embedded default; 4 for a real BFT network).
	Validators int
	// Dir holds the devnet; default a temporary directory removed afterwards.
	Dir string
	// FirstRPC is the first validator's RPC address; default a free port.
	FirstRPC string
	// TimeoutCommit; default 200 ms so the demo is quick (the benchmark uses CometBFT's defaults).
	TimeoutCommit time.Duration
	// Byzantine lists validators that tamper with identity votes (the score must still be right).
	Byzantine []int
}

// Step is one printed step of the flow.
type Step struct {
	Name     string        `json:"name"`
	Detail   string        `json:"detail"`
	Height   int64         `json:"height,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Report is what Run did.
type Report struct {
	ChainID        string   `json:"chain_id"`
	Validators     int      `json:"validators"`
	Steps          []Step   `json:"steps"`
	Score          uint32   `json:"score"`
	ScoreBlocks    int64    `json:"score_blocks"`  // blocks from the evidence's block to the final score
	ScoreSeconds   float64  `json:"score_seconds"` // from submitting the evidence to the final score
	ProofValid     bool     `json:"proof_valid"`
	ProviderShare  uint64   `json:"provider_share"`
	PayoutDue      int64    `json:"payout_due"` // block time (Unix s) after which the payout runs
	PaidOut        bool     `json:"paid_out"`   // the provider's settlement balance rose by its share
	AppHashesAgree bool     `json:"app_hashes_agree"`
	RPC            []string `json:"rpc"`
}

const totalSteps = 17

type runner struct {
	w     io.Writer
	rep   *Report
	start time.Time
	n     int
}

func (r *runner) step(name, detail string, height int64) {
	r.n++
	d := time.Since(r.start)
	r.rep.Steps = append(r.rep.Steps, Step{Name: name, Detail: detail, Height: height, Duration: d})
	fmt.Fprintf(r.w, "[%2d/%d] %-22s %s", r.n, totalSteps, name, detail)
	if height > 0 {
		fmt.Fprintf(r.w, " (height %d)", height)
	}
	fmt.Fprintf(r.w, "  %6.1fs\n", d.Seconds())
}

// Run starts a devnet, runs the flow, prints each step to w and stops the devnet.
func Run(ctx context.Context, w io.Writer, cfg Config) (*Report, error) {
	if cfg.Validators == 0 {
		cfg.Validators = 1
	}
	if cfg.TimeoutCommit == 0 {
		cfg.TimeoutCommit = 200 * time.Millisecond
	}
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "virtengine-e2e-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	nw, err := devnet.Create(dir, devnet.Config{Validators: cfg.Validators, FirstRPC: cfg.FirstRPC, RandomPorts: true, TimeoutCommit: cfg.TimeoutCommit})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := nw.Start(rctx, devnet.StartOptions{Byzantine: cfg.Byzantine}); err != nil {
		return nil, err
	}
	defer nw.Stop()
	return Flow(ctx, w, nw)
}

// Flow runs the flow on a started devnet.
func Flow(ctx context.Context, w io.Writer, nw *devnet.Network) (*Report, error) {
	rep := &Report{ChainID: nw.ChainID, Validators: len(nw.Nodes)}
	r := &runner{w: w, rep: rep, start: time.Now()}
	for i := range nw.Nodes {
		rep.RPC = append(rep.RPC, nw.Node(i).RPCAddr())
	}
	c, err := waitClient(ctx, nw, 0)
	if err != nil {
		return rep, err
	}
	r.step("network", fmt.Sprintf("%d validator(s) on %s, first RPC %s", len(nw.Nodes), nw.ChainID, rep.RPC[0]), 0)
	f := &flow{ctx: ctx, c: c, nw: nw, r: r}
	for _, s := range []func() error{f.onboard, f.identity, f.credential, f.provider, f.order, f.lease, f.job, f.settle, f.check} {
		if err := s(); err != nil {
			return rep, fmt.Errorf("e2e step %d: %w", r.n+1, err)
		}
	}
	return rep, nil
}

func waitClient(ctx context.Context, nw *devnet.Network, i int) (*client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		c, err := client.New(ctx, rpclocal.New(nw.Node(i).Comet()))
		if err == nil {
			if err = c.WaitHeight(ctx, 2); err == nil {
				return c, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("node %d not ready: %v", i, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// flow holds the actors and what they learned along the way.
type flow struct {
	ctx context.Context
	c   *client.Client
	nw  *devnet.Network
	r   *runner

	faucet, alice, prov       *tx.PrivKey
	fido                      *tx.PrivKey
	aliceUsage, provUsage     ed25519.PrivateKey
	aliceEnv, provEnv         *envelope.HPKEIdentity
	holder                    *zk.HolderSecret // the wallet's zk holder secret
	credSeed                  []byte           // the secret seed of its credential request
	requestID                 string
	evidenceHeight, finalAt   int64
	score                     uint32
	orderID, bidID, jobID     string
	sfx, off, vkID, invID     string // unique per run, so the flow can run again on the same network
	unitPrice                 uint64
	jobStart, jobEnd, coreSec int64
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err) // only for key generation from the OS's randomness, which does not fail
	}
	return v
}

func (f *flow) onboard() error {
	kr, err := f.nw.Keyring()
	if err != nil {
		return err
	}
	if f.faucet, _, err = kr.Get(devnet.FaucetKeyName); err != nil {
		return err
	}
	f.alice, f.prov = must(tx.GenerateKey(tx.Ed25519)), must(tx.GenerateKey(tx.Secp256k1))
	f.sfx = f.alice.Address().String()[:8]
	f.off, f.vkID, f.invID = "hpc-eu-"+f.sfx, "credential-v1-dev-"+f.sfx, "inv-"+f.sfx
	f.fido = must(tx.GenerateKey(tx.Secp256k1))
	_, f.aliceUsage, _ = ed25519.GenerateKey(nil)
	_, f.provUsage, _ = ed25519.GenerateKey(nil)
	f.aliceEnv, f.provEnv = must(envelope.GenerateIdentity(envelope.XWing)), must(envelope.GenerateIdentity(envelope.XWing))
	var h int64
	for _, k := range []*tx.PrivKey{f.alice, f.prov} {
		res, err := f.c.Submit(f.ctx, f.faucet, &tx.MsgSend{To: k.Address(), Amount: 1_000_000})
		if err != nil {
			return err
		}
		h = res.Height
	}
	f.r.step("onboarding", fmt.Sprintf("wallet %s (ed25519) and provider %s (secp256k1) funded", short(f.alice.Address()), short(f.prov.Address())), h)
	return nil
}

func (f *flow) identity() error {
	eng, err := node.SharedEngine()
	if err != nil {
		return fmt.Errorf("biometric models: %w", err)
	}
	ev, summary, err := demo.GenuineEvidence(eng)
	if err != nil {
		return err
	}
	// The wallet asks for a zk credential inside the sealed bundle: its holder key and a secret seed
	// from which the validators derive the commitment's blinding (app.CredentialRequest).
	f.holder = must(zk.GenerateHolderSecret(nil))
	f.credSeed = make([]byte, 32)
	if _, err := rand.Read(f.credSeed); err != nil {
		return err
	}
	item, err := app.NewCredentialRequestItem(f.holder.PublicKey(), f.credSeed)
	if err != nil {
		return err
	}
	ev.Items = append(ev.Items, item)
	sender := must(envelope.GenerateSigningKey(envelope.Ed25519))
	submitted := time.Now()
	id, res, err := f.c.SubmitEvidenceBundle(f.ctx, f.alice, sender, ev)
	if err != nil {
		return err
	}
	f.evidenceHeight, f.requestID = res.Height, id
	f.r.step("evidence", summary+": evidence bundle sealed to the validator committee (X-Wing envelope)", res.Height)
	req, err := f.c.WaitIdentity(f.ctx, id)
	if err != nil {
		return err
	}
	if req.Status != app.ReqFinal {
		return fmt.Errorf("identity request %s: %s", id, req.Status)
	}
	f.score, f.finalAt = req.Score, req.FinalAt
	f.r.rep.Score, f.r.rep.ScoreBlocks = req.Score, req.FinalAt-res.Height
	f.r.rep.ScoreSeconds = time.Since(submitted).Seconds()
	f.r.step("score by consensus", fmt.Sprintf("each validator extracted the features (biometrics) and scored: score %d final %d block(s) after the evidence (%.1fs), >2/3 of voting power agreed (dissent: %d)",
		req.Score, req.FinalAt-res.Height, f.r.rep.ScoreSeconds, len(req.Dissent)), req.FinalAt)
	return nil
}

// credential: the validators sign the credential in their vote extensions once the score is final;
// the wallet fetches it from the chain and rebuilds its zk credential (the attributes read from the
// document come sealed to its seed); the VC is checked against the registered attestation keys, and
// a relying party that accepts only the validators' registered zk issuer keys asks for "score ≥ 70,
// not expired" and verifies the proof offline.
func (f *flow) credential() error {
	cr, err := f.c.WaitCredential(f.ctx, f.requestID)
	if err != nil {
		return err
	}
	creds, err := cr.HolderCredentials(f.credSeed, f.holder.PublicKey())
	if err != nil {
		return err
	}
	cred, holder := creds[0], f.holder
	keys, err := f.c.IssuerKeys(f.ctx)
	if err != nil {
		return err
	}
	if err := app.CheckZKIssuer(keys, cred.Issuer); err != nil {
		return err
	}
	issued := time.Unix(cr.ValidFrom, 0).UTC()
	// The W3C VC (eddsa-jcs-2022) served by a node from the on-chain signatures; anyone checks it
	// against the validators' registered attestation keys.
	vcb, err := httpGet(f.ctx, "http://"+f.nw.Node(0).APIAddr()+"/v1/identity/"+f.alice.Address().String()+"/attestation")
	if err != nil {
		return err
	}
	verified := false
	for _, k := range keys {
		if len(k.AttestationKey) == ed25519.PublicKeySize {
			if _, err := veid.VerifyVC(vcb, ed25519.PublicKey(k.AttestationKey), issued.Add(time.Hour)); err == nil {
				verified = true
			}
		}
	}
	if !verified {
		return fmt.Errorf("the VC attestation does not verify under any validator's attestation key")
	}
	f.r.step("credential", fmt.Sprintf("issued by the network: %d of %d validators signed (VC proofs and zk signatures, power %d/%d); zk credential for score %d tier %d, born %s, country %d, valid to %s",
		len(cr.Proofs), len(keys), cr.SignedPower, cr.TotalPower, cred.Attributes.Score, cred.Attributes.Tier,
		zk.DayDate(cred.Attributes.BirthDate).Format("2006-01-02"), cred.Attributes.Country, zk.DayDate(cred.Attributes.ExpiresAt).Format("2006-01-02")), f.finalAt)
	issuers, err := f.c.ZKIssuers(f.ctx)
	if err != nil {
		return err
	}
	pk, vk, err := zk.SetupUnsafe(zk.Groth16)
	if err != nil {
		return err
	}
	req, err := zk.NewRequest("https://relying-party.example", zk.DayOf(issued), issuers...)
	if err != nil {
		return err
	}
	min70 := uint32(70)
	req.Ranges = []zk.Range{{Attribute: "score", Min: &min70}}
	req.NotExpired = true
	req.HolderBinding = true
	pres, err := zk.Prove(pk, req, cred, holder, nil)
	if err != nil {
		return err
	}
	res := (&zk.Verifier{Key: vk, Nonces: zk.NewMemoryNonceStore(), AllowUnsafeSetup: true}).Verify(req, pres, issued)
	if !res.Valid {
		return fmt.Errorf("relying party rejected the proof: %v", res.Reason)
	}
	// On chain: governance registers the verifying key; a fresh presentation verifies as a query and
	// as a transaction, and the same presentation again is a replay.
	vkb, err := vk.MarshalBinary()
	if err != nil {
		return err
	}
	if _, err := f.c.Submit(f.ctx, f.faucet, &tx.MsgRegisterVK{ID: f.vkID, Key: vkb, AllowUnsafe: true}); err != nil {
		return err
	}
	req2, err := zk.NewRequest("https://relying-party.example", zk.DayOf(issued), issuers...)
	if err != nil {
		return err
	}
	req2.Ranges, req2.NotExpired, req2.HolderBinding = req.Ranges, true, true
	pres2, err := zk.Prove(pk, req2, cred, holder, nil)
	if err != nil {
		return err
	}
	rb, _ := zk.MarshalRequest(req2)
	pb, _ := zk.MarshalPresentation(pres2)
	msg := &tx.MsgVerifyPresentation{KeyID: f.vkID, Request: rb, Presentation: pb}
	data, _ := tx.Marshal(msg)
	var qres zk.Result
	if err := f.c.QueryData(f.ctx, "/zk/verify", data, &qres); err != nil {
		return err
	}
	if !qres.Valid {
		return fmt.Errorf("on-chain query rejected the proof: %v %s", qres.Reason, qres.Detail)
	}
	vres, err := f.c.Submit(f.ctx, f.alice, msg)
	if err != nil {
		return err
	}
	if _, err := f.c.Submit(f.ctx, f.alice, msg); err == nil {
		return fmt.Errorf("a replayed presentation verified twice on chain")
	}
	f.r.rep.ProofValid = true
	f.r.step("proof verified", fmt.Sprintf("relying party verified \"score ≥ 70, not expired\" offline (%d-byte Groth16 proof) and on chain (query + tx; replay refused)", len(pres.Proof)), vres.Height)
	return nil
}

func (f *flow) provider() error {
	if _, err := f.c.Submit(f.ctx, f.faucet, &tx.MsgGrantRole{Account: f.prov.Address(), Role: tx.RoleProvider}); err != nil {
		return err
	}
	res, err := f.c.Submit(f.ctx, f.prov, &tx.MsgCreateOffering{ID: f.off, Category: string(market.HPC),
		Prices: []tx.Price{{Resource: uint8(settlement.CPU), Unit: string(market.Hourly), Price: 1000}}, Regions: []string{"eu-north"},
		MinBid: 100, ProviderKey: f.provUsage.Public().(ed25519.PublicKey), EnvKeyID: f.provEnv.KeyID().String(), MinScore: 70})
	if err != nil {
		return err
	}
	f.r.step("offering", "provider role granted; HPC offering hpc-eu-1 at 1000/core-hour, identity ≥ 70 required", res.Height)
	return nil
}

func (f *flow) order() error {
	// MFA: the order is above 1,000, so the policy asks for VEID + FIDO2 (FEATURES.md §4.3): VEID is
	// alice's identity, final by consensus above; FIDO2 is her first factor key, enrolled freely.
	if _, err := f.c.Submit(f.ctx, f.alice, &tx.MsgRegisterFactor{ID: "fido2-key", Kind: tx.FactorFIDO2, PubKey: f.fido.PubKey()}); err != nil {
		return err
	}
	if _, err := f.c.Submit(f.ctx, f.alice, &tx.MsgDeposit{Amount: 200_000}); err != nil {
		return err
	}
	cfg, err := envelope.Seal([]byte(`{"image":"mpi-bench","nodes":1}`), must(envelope.GenerateSigningKey(envelope.Ed25519)),
		[]envelope.Recipient{f.aliceEnv.Recipient(), f.provEnv.Recipient()}, nil)
	if err != nil {
		return err
	}
	f.orderID = "order-" + f.sfx
	res, err := f.c.Submit(f.ctx, f.alice, &tx.MsgCreateOrder{ID: f.orderID, OfferingID: f.off, Category: string(market.HPC), Region: "eu-north",
		Resources: []tx.Qty{{Resource: uint8(settlement.CPU), Amount: 4}}, MaxPrice: 10_000, Duration: 3600, Deposit: 100_000,
		CustomerKey: f.aliceUsage.Public().(ed25519.PublicKey), EnvKeyID: f.aliceEnv.KeyID().String(), Config: cfg},
		tx.NamedSigner{ID: "fido2-key", Key: f.fido})
	if err != nil {
		return err
	}
	f.r.step("order", "100,000 locked in escrow; configuration sealed to customer and provider; MFA VEID (identity on chain) + FIDO2 passed", res.Height)
	return nil
}

func (f *flow) lease() error {
	res, err := f.c.Submit(f.ctx, f.prov, &tx.MsgBid{OrderID: f.orderID, OfferingID: f.off, MarkupBps: 500})
	if err != nil {
		return err
	}
	f.bidID = res.Events["bid_placed.bid"]
	f.r.step("bid", fmt.Sprintf("provider bid %s at %s/hour (+5%%)", f.bidID, res.Events["bid_placed.price"]), res.Height)
	if res, err = f.c.Submit(f.ctx, f.alice, &tx.MsgAcceptBid{OrderID: f.orderID, BidID: f.bidID}); err != nil {
		return err
	}
	var l market.Lease
	if err := f.c.Query(f.ctx, "/market/lease/"+f.orderID, &l); err != nil {
		return err
	}
	f.unitPrice = l.UnitPrices[settlement.CPU]
	f.r.step("lease", fmt.Sprintf("lease %s at %d/hour", l.ID, l.Price), res.Height)
	if _, err := f.c.Submit(f.ctx, f.prov, &tx.MsgOrderStep{OrderID: f.orderID, Step: tx.StepProvision}); err != nil {
		return err
	}
	result, err := envelope.Seal([]byte(`{"login":"ssh hpc-eu-1.example"}`), must(envelope.GenerateSigningKey(envelope.Ed25519)), []envelope.Recipient{f.aliceEnv.Recipient()}, nil)
	if err != nil {
		return err
	}
	if res, err = f.c.Submit(f.ctx, f.prov, &tx.MsgOrderStep{OrderID: f.orderID, Step: tx.StepDeployed, Result: result}); err != nil {
		return err
	}
	f.r.step("deployment", "provisioned; access details returned as an envelope to the customer", res.Height)
	return nil
}

func (f *flow) job() error {
	f.jobID = "job-" + f.sfx
	spec, _ := json.Marshal(hpc.JobSpec{ID: f.jobID, Partition: "batch", Nodes: 1, PerNode: hpc.Resources{Cores: 4, MemoryMB: 8192},
		RuntimeLimitSeconds: 3600, Template: "mpi", Command: []string{"mpirun", "-n", "4", "bench"}})
	res, err := f.c.Submit(f.ctx, f.alice, &tx.MsgSubmitJob{OrderID: f.orderID, Spec: spec})
	if err != nil {
		return err
	}
	for _, st := range []hpc.JobState{hpc.Queued, hpc.Running} {
		if _, err := f.c.Submit(f.ctx, f.prov, &tx.MsgUpdateJob{JobID: f.jobID, State: uint8(st)}); err != nil {
			return err
		}
	}
	f.coreSec = 4 * 1800 // 4 cores for half an hour, as the node agent measured
	done, err := f.c.Submit(f.ctx, f.prov, &tx.MsgUpdateJob{JobID: f.jobID, State: uint8(hpc.Completed), CoreSeconds: uint64(f.coreSec)})
	if err != nil {
		return err
	}
	var j app.Job
	if err := f.c.Query(f.ctx, "/hpc/job/"+f.jobID, &j); err != nil {
		return err
	}
	f.jobStart, f.jobEnd = j.Submitted, j.Updated
	f.r.step("HPC job", fmt.Sprintf("job %s submitted (score ≥ 50 checked), ran and completed: %d core-seconds", f.jobID, f.coreSec), done.Height)
	_ = res
	return nil
}

func (f *flow) settle() error {
	// Usage covers [job start, job end); block times are whole seconds, so wait for the chain's clock
	// to pass the start when the job ran within one second.
	for f.jobEnd <= f.jobStart {
		st, err := f.c.RPC.Status(f.ctx)
		if err != nil {
			return err
		}
		if t := st.SyncInfo.LatestBlockTime.Unix(); t > f.jobStart {
			f.jobEnd = t
			// CheckTx dry-runs at the app's last committed block time; let the app commit past t.
			if err := f.c.WaitHeight(f.ctx, st.SyncInfo.LatestBlockHeight+1); err != nil {
				return err
			}
			break
		}
		select {
		case <-f.ctx.Done():
			return f.ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	rec := settlement.UsageRecord{ChainID: f.c.ChainID, EscrowID: f.orderID, Seq: 1, Provider: f.prov.Address().String(), Customer: f.alice.Address().String(),
		PeriodStart: f.jobStart, PeriodEnd: f.jobEnd, Kind: settlement.KindFinal}
	rec.Quantities[settlement.CPU] = uint64(f.coreSec) * 1000 / 3600 // milli core-hours
	rec.UnitPrices[settlement.CPU] = f.unitPrice
	su, err := settlement.SignUsage(rec, f.provUsage)
	if err != nil {
		return err
	}
	if err := su.Countersign(f.aliceUsage); err != nil {
		return err
	}
	var before map[string]uint64
	if err := f.c.Query(f.ctx, "/settlement/balance/"+f.prov.Address().String(), &before); err != nil {
		return err
	}
	res, err := f.c.Submit(f.ctx, f.prov, &tx.MsgSubmitUsage{Record: rec.Encode(), ProviderSig: su.ProviderSig, CustomerSig: su.CustomerSig})
	if err != nil {
		return err
	}
	f.r.step("usage", fmt.Sprintf("usage record signed by the provider, countersigned by the customer: %d milli core-hours", rec.Quantities[settlement.CPU]), res.Height)
	share, _ := strconv.ParseUint(res.Events["usage_settled.provider_share"], 10, 64)
	due, _ := strconv.ParseInt(res.Events["usage_settled.dispute_until"], 10, 64)
	f.r.rep.ProviderShare, f.r.rep.PayoutDue = share, due
	var sts []settlement.Settlement
	if err := f.c.Query(f.ctx, "/settlement/settlements/"+f.orderID, &sts); err != nil {
		return err
	}
	if len(sts) == 0 {
		return fmt.Errorf("no settlement for %s", f.orderID)
	}
	s := sts[0]
	f.r.step("settlement", fmt.Sprintf("gross %d: platform %d (5%%), validators %d (1%%), provider %d", s.Split.Gross, s.Split.Platform, s.Split.Validator, s.Split.Provider), res.Height)
	if res, err = f.c.Submit(f.ctx, f.prov, &tx.MsgCreateInvoice{ID: f.invID, OrderID: f.orderID, PeriodStart: 0, PeriodEnd: f.jobEnd + 1, TaxBps: 2000, DueAt: f.jobEnd + 30*24*3600}); err != nil {
		return err
	}
	var inv settlement.Invoice
	if err := f.c.Query(f.ctx, "/settlement/invoice/"+f.invID, &inv); err != nil {
		return err
	}
	f.r.step("invoice", fmt.Sprintf("invoice %s %s: subtotal %d + tax %d = %d", inv.ID, inv.Status, inv.Subtotal, inv.Tax, inv.Total), res.Height)
	window := s.DisputeUntil - s.SettledAt
	t0 := time.Now()
	h, err := f.waitPayout(s.DisputeUntil, before["balance"]+s.Split.Provider)
	if err != nil {
		return err
	}
	f.r.rep.PaidOut = true
	f.r.step("payout", fmt.Sprintf("%d paid to the provider by the chain when the %d s dispute window closed (genesis parameter; waited %.1fs); its settlement balance rose %d → %d",
		s.Split.Provider, window, time.Since(t0).Seconds(), before["balance"], before["balance"]+s.Split.Provider), h)
	return nil
}

// waitPayout waits for a block whose time is at or after due, then checks that the provider's
// settlement balance is want (the chain pays due settlements in FinalizeBlock).
func (f *flow) waitPayout(due int64, want uint64) (int64, error) {
	for {
		// The application's committed height, not the block store's: a block is stored before the
		// application has executed it, and the payout happens when it does.
		h, err := f.c.Height(f.ctx)
		if err != nil {
			return 0, err
		}
		hdr, err := f.c.RPC.Header(f.ctx, &h)
		if err != nil {
			return 0, err
		}
		if hdr.Header.Time.Unix() >= due {
			var bal map[string]uint64
			if err := f.c.Query(f.ctx, "/settlement/balance/"+f.prov.Address().String(), &bal); err != nil {
				return 0, err
			}
			if bal["balance"] != want {
				return 0, fmt.Errorf("payout: provider's settlement balance is %d at height %d (block time past %d), want %d", bal["balance"], h, due, want)
			}
			return h, nil
		}
		select {
		case <-f.ctx.Done():
			return 0, f.ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// check compares the app hash of every node at the latest common height.
func (f *flow) check() error {
	h, err := f.c.Height(f.ctx)
	if err != nil {
		return err
	}
	var first []byte
	for i := range f.nw.Nodes {
		c := rpclocal.New(f.nw.Node(i).Comet())
		cl := &client.Client{RPC: c}
		if err := cl.WaitHeight(f.ctx, h+1); err != nil {
			return err
		}
		hh := h + 1
		b, err := c.Block(f.ctx, &hh)
		if err != nil {
			return err
		}
		if i == 0 {
			first = b.Block.AppHash
		} else if string(first) != string(b.Block.AppHash) {
			return fmt.Errorf("app hash at %d differs: node0 %X, node%d %X", h, first, i, b.Block.AppHash)
		}
	}
	f.r.rep.AppHashesAgree = true
	f.r.step("consensus check", fmt.Sprintf("app hash %s… identical on all %d node(s)", hex.EncodeToString(first)[:16], len(f.nw.Nodes)), h)
	return nil
}

func httpGet(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if r.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", url, r.StatusCode, b)
	}
	return b, nil
}

func short(a tx.Address) string { return a.String()[:10] + "…" }
