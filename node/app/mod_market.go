package app

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/hpc"
	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/mfa"
	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/settlement"
)

// The market, settlement and HPC modules: the market and settlement packages run over the
// application's state (moduleStore under "m/"), with accounts named by their hex address. Bank
// balances move to and from the settlement ledger with settlement/deposit and settlement/withdraw;
// withdrawals go through the ledger account bankBridge, so the ledger's supply stays conserved.
const bankBridge = "bank-bridge"

// identities implements market.IdentitySource over the identity module's state.
type identities struct{ c *execCtx }

func (i identities) Identity(account string) (market.Identity, error) {
	a, err := tx.ParseAddress(account)
	if err != nil {
		return market.Identity{}, nil
	}
	score, err := identityScore(i.c, a)
	if err != nil {
		return market.Identity{}, err
	}
	id, err := getIdentity(i.c.store, a)
	if err != nil || id == nil || score == 0 {
		return market.Identity{}, err
	}
	return market.Identity{Score: score, Tier: uint8(id.Tier)}, nil
}

// stepUp implements market.StepUpChecker: the transaction itself carries the step-up, so a session
// is open exactly for the signer of a transaction that meets the MFA policy's order rule (marketRule):
// its minimum score and every factor of one of its factor sets, not just any one factor.
type stepUp struct {
	signer string
	passed bool
}

func (s stepUp) HasStepUp(account, _ string, _ int64) (bool, error) {
	return s.passed && account == s.signer, nil
}

// marketRule is the policy rule an offering's MFA requirement asks for: the order rule for the
// order's value, or, for a value the table leaves ungated and for the other market actions, the
// table's first order rule (the offering asked for a step-up, so the table's order step-up applies).
func marketRule(c *execCtx, d *tx.Decoded) (mfa.Rule, error) {
	var value uint64
	if o, ok := d.Msg.(orderValued); ok {
		value = o.OrderValue()
	}
	rule, err := policyRule(c, mfa.TxOrder, value)
	if errors.Is(err, mfa.ErrNotRequired) {
		for _, r := range gatePolicy.Rules {
			if r.Tx == mfa.TxOrder {
				return r, nil
			}
		}
	}
	return rule, err
}

func (c *execCtx) market(signer *Account, d *tx.Decoded) (*market.Market, error) {
	// Factor signatures that do not verify refuse the transaction whether or not a step-up is needed.
	if _, err := mfaPassed(c, signer, d); err != nil {
		return nil, err
	}
	// No rule (a policy version the network did not pin) opens no step-up; offerings without an MFA
	// requirement still trade.
	rule, err := marketRule(c, d)
	passed := err == nil && mfaCheck(c, signer, d, rule) == nil
	return market.New(moduleStore{c.store, pfxMarket}, market.Config{Identities: identities{c}, MFA: stepUp{signer.Address.String(), passed}}), nil
}

func (c *execCtx) ledger() *settlement.Ledger {
	return settlement.NewLedger(moduleStore{c.store, pfxMarket})
}

// modErr maps the modules' errors onto the node's codes, keeping their messages.
func modErr(err error) error {
	if err == nil {
		return nil
	}
	var ge *market.GateError
	switch {
	case errors.As(err, &ge) && errors.Is(err, market.ErrMFARequired):
		return txErr(ErrMFARequired, "%v", err)
	case errors.As(err, &ge):
		return txErr(ErrIdentityRequired, "%v", err)
	case errors.Is(err, market.ErrNotFound), errors.Is(err, settlement.ErrNotFound):
		return txErr(ErrNotFound, "%v", err)
	case errors.Is(err, market.ErrNotAuthorized):
		return txErr(ErrUnauthorized, "%v", err)
	case errors.Is(err, market.ErrPlaintext):
		return txErr(ErrPlaintext, "%v", err)
	case errors.Is(err, settlement.ErrInsufficientFunds):
		return txErr(ErrInsufficientFunds, "%v (deposit with settlement/deposit)", err)
	}
	return txErr(ErrInvalidState, "%v", err)
}

func init() {
	handle("market/create_offering", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgCreateOffering)
		if !s.HasRole(tx.RoleProvider) {
			return txErr(ErrUnauthorized, "only providers publish offerings; ask an administrator for the provider role")
		}
		mk, err := c.market(s, d)
		if err != nil {
			return err
		}
		off := market.Offering{ID: m.ID, Provider: s.Address.String(), ProviderKey: m.ProviderKey, EnvKeyID: m.EnvKeyID,
			Category: market.Category(m.Category), Regions: m.Regions, MinBid: m.MinBid, Secrets: m.Secrets,
			Require: market.Requirements{MinScore: m.MinScore, MFA: m.MFA}}
		for _, p := range m.Prices {
			off.Prices = append(off.Prices, market.UnitPrice{Resource: settlement.Resource(p.Resource), Unit: market.Unit(p.Unit), Price: p.Price})
		}
		if _, err := mk.CreateOffering(off, c.time.Unix()); err != nil {
			return modErr(err)
		}
		c.emit("offering_created", "offering", m.ID, "provider", s.Address.String())
		return nil
	})
	handle("market/create_order", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgCreateOrder)
		mk, err := c.market(s, d)
		if err != nil {
			return err
		}
		req := market.OrderRequest{ID: m.ID, Customer: s.Address.String(), CustomerKey: ed25519.PublicKey(m.CustomerKey), EnvKeyID: m.EnvKeyID,
			OfferingID: m.OfferingID, Category: market.Category(m.Category), Region: m.Region, MaxPrice: m.MaxPrice,
			Duration: m.Duration, Deposit: m.Deposit, Config: m.Config}
		for _, q := range m.Resources {
			req.Resources = append(req.Resources, market.Quantity{Resource: settlement.Resource(q.Resource), Amount: q.Amount})
		}
		o, err := mk.CreateOrder(req, c.time.Unix())
		if err != nil {
			return modErr(err)
		}
		c.emit("order_created", "order", o.ID, "customer", o.Customer, "state", string(o.State), "deposit", strconv.FormatUint(o.Deposit, 10))
		return nil
	})
	handle("market/bid", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgBid)
		mk, err := c.market(s, d)
		if err != nil {
			return err
		}
		b, err := mk.PlaceBid(market.BidRequest{OrderID: m.OrderID, OfferingID: m.OfferingID, Provider: s.Address.String(), MarkupBps: m.MarkupBps}, c.time.Unix())
		if err != nil {
			return modErr(err)
		}
		c.emit("bid_placed", "order", m.OrderID, "bid", b.ID, "price", strconv.FormatUint(b.Price, 10))
		return nil
	})
	handle("market/accept_bid", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgAcceptBid)
		mk, err := c.market(s, d)
		if err != nil {
			return err
		}
		l, err := mk.AcceptBid(m.OrderID, m.BidID, s.Address.String(), m.Config, c.time.Unix())
		if err != nil {
			return modErr(err)
		}
		c.emit("lease_created", "order", m.OrderID, "lease", l.ID, "provider", l.Provider)
		return nil
	})
	handle("market/order_step", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgOrderStep)
		mk, err := c.market(s, d)
		if err != nil {
			return err
		}
		now, actor := c.time.Unix(), s.Address.String()
		var o *market.Order
		switch m.Step {
		case tx.StepProvision:
			o, err = mk.StartProvisioning(m.OrderID, actor, now)
		case tx.StepDeployed:
			o, err = mk.Deployed(m.OrderID, actor, m.Result, now)
		case tx.StepRequestTerminate:
			o, err = mk.RequestTermination(m.OrderID, actor, now)
		case tx.StepTerminate:
			o, err = mk.Terminate(m.OrderID, actor, now)
		case tx.StepCancel:
			o, err = mk.CancelOrder(m.OrderID, actor, now)
		}
		if err != nil {
			return modErr(err)
		}
		c.emit("order_state", "order", o.ID, "state", string(o.State))
		return nil
	})
	handle("settlement/usage", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgSubmitUsage)
		rec, err := settlement.DecodeUsage(m.Record)
		if err != nil {
			return txErr(ErrInvalidState, "usage record: %v", err)
		}
		if rec.ChainID != c.chainID {
			return txErr(ErrWrongChain, "usage record is for %q", rec.ChainID)
		}
		if rec.Provider != s.Address.String() && rec.Customer != s.Address.String() {
			return txErr(ErrUnauthorized, "only the provider or the customer submits usage")
		}
		mk, err := c.market(s, d)
		if err != nil {
			return err
		}
		st, err := mk.SubmitUsage(settlement.SignedUsage{Record: *rec, ProviderSig: m.ProviderSig, CustomerSig: m.CustomerSig}, c.time.Unix())
		if err != nil {
			return modErr(err)
		}
		c.emit("usage_settled", "settlement", st.ID, "order", st.EscrowID, "provider_share", strconv.FormatUint(st.Split.Provider, 10),
			"dispute_until", strconv.FormatInt(st.DisputeUntil, 10))
		return nil
	})
	handle("settlement/deposit", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgDeposit)
		if err := debit(c.store, s.Address, m.Amount); err != nil {
			return err
		}
		l := c.ledger()
		bridge, err := l.Balance(bankBridge)
		if err != nil {
			return modErr(err)
		}
		// Money that came back to the bank earlier returns through the bridge before new supply is minted.
		fromBridge := min(bridge, m.Amount)
		if fromBridge > 0 {
			if err := l.Transfer(bankBridge, s.Address.String(), fromBridge); err != nil {
				return modErr(err)
			}
		}
		if rest := m.Amount - fromBridge; rest > 0 {
			if err := l.Mint(s.Address.String(), rest); err != nil {
				return modErr(err)
			}
		}
		c.emit("deposit", "account", s.Address.String(), "amount", strconv.FormatUint(m.Amount, 10))
		return nil
	})
	handle("settlement/withdraw", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgWithdraw)
		if err := c.ledger().Transfer(s.Address.String(), bankBridge, m.Amount); err != nil {
			return modErr(err)
		}
		if err := credit(c.store, s.Address, m.Amount); err != nil {
			return err
		}
		c.emit("withdraw", "account", s.Address.String(), "amount", strconv.FormatUint(m.Amount, 10))
		return nil
	})
	handle("settlement/create_invoice", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgCreateInvoice)
		mk, err := c.market(s, d)
		if err != nil {
			return err
		}
		o, err := mk.Order(m.OrderID)
		if err != nil {
			return modErr(err)
		}
		l, err := mk.Lease(o.LeaseID)
		if err != nil {
			return modErr(err)
		}
		if l.Provider != s.Address.String() {
			return txErr(ErrUnauthorized, "only the lease's provider invoices it")
		}
		led := c.ledger()
		inv, err := led.CreateInvoice(settlement.InvoiceRequest{ID: m.ID, EscrowID: m.OrderID, PeriodStart: m.PeriodStart, PeriodEnd: m.PeriodEnd, TaxBps: m.TaxBps, DueAt: m.DueAt}, c.time.Unix())
		if err != nil {
			return modErr(err)
		}
		if inv, err = led.IssueInvoice(inv.ID, c.time.Unix()); err != nil {
			return modErr(err)
		}
		c.emit("invoice_issued", "invoice", inv.ID, "order", m.OrderID, "status", string(inv.Status))
		return nil
	})
	queryHandlers["market/offering/"] = func(s kv, id string) (any, error) { return qmarket(s).Offering(id) }
	queryHandlers["market/order/"] = func(s kv, id string) (any, error) { return qmarket(s).Order(id) }
	queryHandlers["market/lease/"] = func(s kv, id string) (any, error) { return qmarket(s).Lease(id) }
	queryHandlers["market/bids/"] = func(s kv, id string) (any, error) { return qmarket(s).Bids(id) }
	queryHandlers["market/offerings"] = func(s kv, _ string) (any, error) { return qmarket(s).Offerings() }
	queryHandlers["settlement/escrow/"] = func(s kv, id string) (any, error) { return qledger(s).Escrow(id) }
	queryHandlers["settlement/settlements/"] = func(s kv, id string) (any, error) { return qledger(s).Settlements(id) }
	queryHandlers["settlement/invoice/"] = func(s kv, id string) (any, error) { return qledger(s).Invoice(id) }
	queryHandlers["settlement/balance/"] = func(s kv, a string) (any, error) {
		b, err := qledger(s).Balance(a)
		return map[string]uint64{"balance": b}, err
	}
}

func qmarket(s kv) *market.Market {
	return market.New(moduleStore{s, pfxMarket}, market.Config{})
}
func qledger(s kv) *settlement.Ledger { return settlement.NewLedger(moduleStore{s, pfxMarket}) }

// payouts pays the settlements whose dispute window has closed by the block time.
func payouts(c *execCtx) error {
	paid, err := c.ledger().Payout(c.time.Unix())
	if err != nil {
		return fmt.Errorf("payout: %w", err)
	}
	for _, p := range paid {
		c.emit("payout", "settlement", p.Settlement, "provider", p.Provider, "amount", strconv.FormatUint(p.Split.Provider, 10))
	}
	return nil
}

// orderTick cancels orders not provisioned in time (market.Tick).
func orderTick(c *execCtx) error {
	ids, err := market.New(moduleStore{c.store, pfxMarket}, market.Config{}).Tick(c.time.Unix())
	if err != nil {
		return fmt.Errorf("market tick: %w", err)
	}
	for _, id := range ids {
		c.emit("order_cancelled", "order", id, "reason", "not provisioned in time")
	}
	return nil
}

// HPC jobs: submitted under an active HPC lease by its customer, run and reported by its provider.
const pfxJob = "j/"

// Job is an HPC job's on-chain record.
type Job struct {
	ID          string `cbor:"1,keyasint" json:"id"`
	OrderID     string `cbor:"2,keyasint" json:"order_id"`
	Customer    string `cbor:"3,keyasint" json:"customer"`
	Provider    string `cbor:"4,keyasint" json:"provider"`
	Spec        []byte `cbor:"5,keyasint" json:"spec"` // hpc.JobSpec JSON
	State       string `cbor:"6,keyasint" json:"state"`
	CoreSeconds uint64 `cbor:"7,keyasint" json:"core_seconds"`
	GPUSeconds  uint64 `cbor:"8,keyasint" json:"gpu_seconds"`
	Submitted   int64  `cbor:"9,keyasint" json:"submitted_at"`
	Updated     int64  `cbor:"10,keyasint" json:"updated_at"`
}

func init() {
	handle("hpc/submit_job", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgSubmitJob)
		var spec hpc.JobSpec
		if err := json.Unmarshal(m.Spec, &spec); err != nil {
			return txErr(ErrInvalidState, "job spec: %v", err)
		}
		spec.Account = s.Address.String()
		if spec.Tenant == "" {
			spec.Tenant = spec.Account
		}
		if err := spec.Validate(); err != nil {
			return txErr(ErrInvalidState, "job spec: %v", err)
		}
		if len(spec.Inputs) > 0 {
			if err := requireEnvelope(envelope.ClassResourceCredential, spec.Inputs, "job inputs"); err != nil {
				return err
			}
		}
		score, err := identityScore(c, s.Address)
		if err != nil {
			return err
		}
		if score < minJobScore {
			return txErr(ErrIdentityRequired, "HPC jobs need an identity score of at least %d (have %d): verify your identity first", minJobScore, score)
		}
		mk := qmarket(c.store)
		o, err := mk.Order(m.OrderID)
		if err != nil {
			return modErr(err)
		}
		if o.Customer != s.Address.String() || o.State != market.OrderActive || o.Category != market.HPC {
			return txErr(ErrUnauthorized, "jobs run under an active HPC order of the submitter")
		}
		l, err := mk.Lease(o.LeaseID)
		if err != nil {
			return modErr(err)
		}
		if ok, _, _ := c.store.get(pfxJob + spec.ID); ok != nil {
			return txErr(ErrInvalidState, "job %q exists", spec.ID)
		}
		canon, _ := json.Marshal(spec)
		j := Job{ID: spec.ID, OrderID: o.ID, Customer: o.Customer, Provider: l.Provider, Spec: canon, State: hpc.Pending.String(), Submitted: c.time.Unix(), Updated: c.time.Unix()}
		if err := putObj(c.store, pfxJob+j.ID, &j); err != nil {
			return err
		}
		c.emit("job_submitted", "job", j.ID, "order", o.ID, "provider", l.Provider)
		return nil
	})
	handle("hpc/update_job", func(c *execCtx, s *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgUpdateJob)
		var j Job
		ok, err := getObj(c.store, pfxJob+m.JobID, &j)
		if err != nil {
			return err
		}
		if !ok {
			return txErr(ErrNotFound, "no job %q", m.JobID)
		}
		if j.Provider != s.Address.String() {
			return txErr(ErrUnauthorized, "only the job's provider reports it")
		}
		from, to := parseJobState(j.State), hpc.JobState(m.State)
		if !hpc.JobCanTransition(from, to) {
			return txErr(ErrInvalidState, "job %s: %s → %s is not allowed", j.ID, from, to)
		}
		if m.CoreSeconds < j.CoreSeconds || m.GPUSeconds < j.GPUSeconds {
			return txErr(ErrInvalidState, "measured usage never decreases")
		}
		j.State, j.CoreSeconds, j.GPUSeconds, j.Updated = to.String(), m.CoreSeconds, m.GPUSeconds, c.time.Unix()
		if err := putObj(c.store, pfxJob+j.ID, &j); err != nil {
			return err
		}
		c.emit("job_state", "job", j.ID, "state", j.State, "core_seconds", strconv.FormatUint(j.CoreSeconds, 10))
		return nil
	})
	queryHandlers["hpc/job/"] = func(s kv, id string) (any, error) {
		var j Job
		ok, err := getObj(s, pfxJob+id, &j)
		if err == nil && !ok {
			err = txErr(ErrNotFound, "no job %q", id)
		}
		return &j, err
	}
}

func parseJobState(s string) hpc.JobState {
	for st := hpc.JobState(1); st < 16; st++ {
		if st.String() == s {
			return st
		}
	}
	return 0
}
