package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

// The market and settlement commands run the state machines against a local JSON state file, so the
// flow can be tried without a node. A wallet file beside it holds each local account's usage-signing
// key, envelope identity, and the identity facts the local gate checks.

var (
	mktState string // --state
	mktAt    string // --at
)

func init() { addCommand(newMarketCmd()) }

func addStateFlags(c *cobra.Command) {
	c.PersistentFlags().StringVar(&mktState, "state", "virtengine-market.json", "local state file (a wallet file <state>.wallet.json sits beside it)")
	c.PersistentFlags().StringVar(&mktAt, "at", "", "time of the action: Unix seconds, or +DURATION from now (e.g. +169h); default now")
}

// localState is the state file plus the wallet.
type localState struct {
	store  *kv.Mem
	wallet *wallet
}

type wallet struct {
	Accounts map[string]*walletAccount `json:"accounts"`
}

type walletAccount struct {
	Seed     []byte          `json:"seed"`              // Ed25519 seed: signs usage records
	Envelope string          `json:"envelope_identity"` // envelope secret key
	Identity market.Identity `json:"identity"`
	MFAUntil int64           `json:"mfa_until,omitempty"`
}

type stateFile struct {
	Version int               `json:"version"`
	KV      map[string][]byte `json:"kv"`
}

func walletPath() string { return strings.TrimSuffix(mktState, ".json") + ".wallet.json" }

func loadState() (*localState, error) {
	st := &localState{store: kv.NewMem(), wallet: &wallet{Accounts: map[string]*walletAccount{}}}
	if b, err := os.ReadFile(mktState); err == nil {
		var f stateFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("state file %s is not valid JSON (%v); move it away to start fresh", mktState, err)
		}
		for k, v := range f.KV {
			_ = st.store.Set([]byte(k), v)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if b, err := os.ReadFile(walletPath()); err == nil {
		if err := json.Unmarshal(b, st.wallet); err != nil {
			return nil, fmt.Errorf("wallet file %s is not valid JSON (%v)", walletPath(), err)
		}
		if st.wallet.Accounts == nil { // "accounts": null
			st.wallet.Accounts = map[string]*walletAccount{}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return st, nil
}

func (st *localState) save() error {
	f := stateFile{Version: 1, KV: map[string][]byte{}}
	_ = st.store.Iterate(nil, func(k, v []byte) error { f.KV[string(k)] = append([]byte(nil), v...); return nil })
	if err := writeFileJSON(mktState, f, 0o644); err != nil {
		return err
	}
	return writeFileJSON(walletPath(), st.wallet, 0o600)
}

func writeFileJSON(path string, v any, mode os.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// account returns the wallet entry of name, creating keys for a new local account.
func (st *localState) account(name string) (*walletAccount, error) {
	if a := st.wallet.Accounts[name]; a != nil {
		return a, nil
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	id, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		return nil, err
	}
	a := &walletAccount{Seed: seed, Envelope: id.SecretString()}
	st.wallet.Accounts[name] = a
	return a, nil
}

// signer is the account's usage-signing key. A seed that is not 32 bytes (a hand-edited or damaged
// wallet file) is an error here, not a panic in ed25519.NewKeyFromSeed.
func (a *walletAccount) signer() (ed25519.PrivateKey, error) {
	if a == nil || len(a.Seed) != ed25519.SeedSize {
		n := 0
		if a != nil {
			n = len(a.Seed)
		}
		return nil, fmt.Errorf("the wallet file %s holds a %d-byte signing seed, want %d; restore the file from a backup",
			walletPath(), n, ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(a.Seed), nil
}

func (a *walletAccount) pub() (ed25519.PublicKey, error) {
	k, err := a.signer()
	if err != nil {
		return nil, err
	}
	return k.Public().(ed25519.PublicKey), nil
}

// accountSigner is the named account's signing key from the wallet.
func (st *localState) accountSigner(name string) (ed25519.PrivateKey, error) {
	a, ok := st.wallet.Accounts[name]
	if !ok {
		return nil, fmt.Errorf("the wallet %s lacks the keys of %s: sign with their own tools", walletPath(), name)
	}
	k, err := a.signer()
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", name, err)
	}
	return k, nil
}
func (a *walletAccount) env() (*envelope.HPKEIdentity, error) {
	return envelope.ParseIdentity(a.Envelope)
}

// Identity and HasStepUp let the wallet act as the local identity source and MFA checker.
func (st *localState) Identity(name string) (market.Identity, error) {
	if a := st.wallet.Accounts[name]; a != nil {
		return a.Identity, nil
	}
	return market.Identity{}, nil
}

func (st *localState) HasStepUp(name, _ string, now int64) (bool, error) {
	a := st.wallet.Accounts[name]
	return a != nil && now < a.MFAUntil, nil
}

func (st *localState) market() *market.Market {
	return market.New(st.store, market.Config{Identities: st, MFA: st})
}

// sealFor seals data from account from to the named local accounts.
func (st *localState) sealFor(data []byte, names ...string) ([]byte, error) {
	sk, err := envelope.GenerateSigningKey(envelope.Ed25519)
	if err != nil {
		return nil, err
	}
	var rs []envelope.Recipient
	for _, n := range names {
		a, err := st.account(n)
		if err != nil {
			return nil, err
		}
		id, err := a.env()
		if err != nil {
			return nil, fmt.Errorf("wallet entry of %s: %w", n, err)
		}
		rs = append(rs, id.Recipient())
	}
	return envelope.Seal(data, sk, rs, nil)
}

func now() (int64, error) {
	t := time.Now().Unix()
	switch {
	case mktAt == "":
		return t, nil
	case strings.HasPrefix(mktAt, "+"):
		d, err := time.ParseDuration(mktAt[1:])
		if err != nil {
			return 0, fmt.Errorf("--at %q: write +DURATION like +169h, or Unix seconds", mktAt)
		}
		return t + int64(d/time.Second), nil
	}
	v, err := strconv.ParseInt(mktAt, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--at %q: write Unix seconds, or +DURATION like +169h", mktAt)
	}
	return v, nil
}

// withState loads the state, runs fn, and saves the state when fn succeeded.
func withState(fn func(st *localState, now int64) error) error {
	at, err := now()
	if err != nil {
		return err
	}
	st, err := loadState()
	if err != nil {
		return err
	}
	if err := fn(st, at); err != nil {
		return hint(err)
	}
	return st.save()
}

// hint adds what to do next to the errors users meet most.
func hint(err error) error {
	switch {
	case errors.Is(err, market.ErrNotFound), errors.Is(err, settlement.ErrNotFound):
		return fmt.Errorf("%w (list what exists with `virtengine market show`)", err)
	case errors.Is(err, market.ErrBadTransition), errors.Is(err, settlement.ErrBadTransition):
		return fmt.Errorf("%w (see the order's state with `virtengine market show ORDER`)", err)
	case errors.Is(err, settlement.ErrInsufficientFunds):
		return fmt.Errorf("%w (fund it with `virtengine settlement mint ACCOUNT AMOUNT`)", err)
	}
	return err
}

func parseResource(s string) (settlement.Resource, error) {
	for r := settlement.Resource(0); r < settlement.NumResources; r++ {
		name := r.String()
		if s == name || s == strings.SplitN(name, "_", 2)[0] {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown resource %q: use cpu, memory, storage, gpu or network", s)
}

func parsePrices(specs []string) ([]market.UnitPrice, error) {
	var out []market.UnitPrice
	for _, s := range specs {
		p := strings.Split(s, ":")
		if len(p) != 3 {
			return nil, fmt.Errorf("--price %q: write RESOURCE:UNIT:PRICE, e.g. cpu:hourly:1000", s)
		}
		r, err := parseResource(p[0])
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseUint(p[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--price %q: the price is an integer in the smallest unit", s)
		}
		out = append(out, market.UnitPrice{Resource: r, Unit: market.Unit(p[1]), Price: v})
	}
	return out, nil
}

func parseQuantities(specs []string) ([]market.Quantity, error) {
	var out []market.Quantity
	for _, s := range specs {
		p := strings.Split(s, ":")
		if len(p) != 2 {
			return nil, fmt.Errorf("--resource %q: write RESOURCE:AMOUNT, e.g. cpu:4", s)
		}
		r, err := parseResource(p[0])
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseUint(p[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--resource %q: the amount is a whole number of units", s)
		}
		out = append(out, market.Quantity{Resource: r, Amount: v})
	}
	return out, nil
}

func newMarketCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "market",
		Short: "Try the compute marketplace locally: offer, order, bid, accept, deploy, terminate",
		Long: `Runs the market state machine against a local state file (--state), without a node.

A full flow:
  virtengine settlement mint alice 5000000
  virtengine market identity alice --score 80 --mfa 1h
  virtengine market offer --provider prov --id off-1 --category compute --region eu-north \
      --price cpu:hourly:1000 --price memory:monthly:7300 --min-bid 100
  virtengine market order --customer alice --id ord-1 --category compute --region eu-north \
      --resource cpu:4 --resource memory:16 --max-price 10000 --duration 2h --deposit 1000000 --config 'image: nginx'
  virtengine market bid --provider prov --order ord-1 --offering off-1 --markup 1000
  virtengine market accept --customer alice --order ord-1 --bid ord-1.prov
  virtengine market deploy --provider prov --order ord-1 --result 'ssh root@10.0.0.7'
  virtengine settlement usage --order ord-1 --cpu 4000 --from -1h --final --out usage.json
  virtengine settlement settle usage.json
  virtengine market terminate --by alice --order ord-1 && virtengine market terminate --by prov --order ord-1
  virtengine settlement invoice --order ord-1 --id inv-1 --tax-bps 2000
  virtengine settlement payout --at +169h`,
	}
	addStateFlags(c)
	c.AddCommand(mktIdentityCmd(), mktOfferCmd(), mktOrderCmd(), mktBidCmd(), mktAcceptCmd(), mktAuctionCmd(),
		mktDeployCmd(), mktTerminateCmd(), mktCancelCmd(), mktTickCmd(), mktShowCmd(), mktBidderCmd())
	return c
}

func mktIdentityCmd() *cobra.Command {
	var score uint32
	var tier uint8
	var scopes []string
	var mfa time.Duration
	c := &cobra.Command{
		Use:   "identity ACCOUNT",
		Short: "Set the identity facts the local gate sees for an account (the node reads them from the identity network)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withState(func(st *localState, now int64) error {
				a, err := st.account(args[0])
				if err != nil {
					return err
				}
				a.Identity = market.Identity{Score: score, Tier: tier, Scopes: scopes}
				if mfa > 0 {
					a.MFAUntil = now + int64(mfa/time.Second)
				}
				return emit(cmd, map[string]any{"account": args[0], "identity": a.Identity, "mfa_until": a.MFAUntil}, func(w io.Writer) {
					fmt.Fprintf(w, "%s: score %d, tier %d, scopes %v, MFA session until %d\n", args[0], score, tier, scopes, a.MFAUntil)
				})
			})
		},
	}
	c.Flags().Uint32Var(&score, "score", 0, "identity score 0..100")
	c.Flags().Uint8Var(&tier, "tier", 0, "identity tier")
	c.Flags().StringSliceVar(&scopes, "scopes", nil, "verified scopes (email,document,…)")
	c.Flags().DurationVar(&mfa, "mfa", 0, "open an MFA step-up session lasting this long")
	return c
}

func mktOfferCmd() *cobra.Command {
	var o market.Offering
	var cat string
	var prices []string
	var secrets string
	c := &cobra.Command{
		Use:   "offer",
		Short: "Publish an offering as a provider",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				a, err := st.account(o.Provider)
				if err != nil {
					return err
				}
				id, err := a.env()
				if err != nil {
					return err
				}
				pub, err := a.pub()
				if err != nil {
					return fmt.Errorf("account %s: %w", o.Provider, err)
				}
				o.ProviderKey, o.EnvKeyID, o.Category = pub, id.KeyID().String(), market.Category(cat)
				if o.Prices, err = parsePrices(prices); err != nil {
					return err
				}
				if secrets != "" {
					if o.Secrets, err = st.sealFor([]byte(secrets), o.Provider); err != nil {
						return err
					}
				}
				off, err := st.market().CreateOffering(o, now)
				if err != nil {
					return err
				}
				return emit(cmd, off, func(w io.Writer) {
					fmt.Fprintf(w, "offering %s by %s: %s in %v, state %s\n", off.ID, off.Provider, off.Category, off.Regions, off.State)
				})
			})
		},
	}
	f := c.Flags()
	f.StringVar(&o.ID, "id", "", "offering id")
	f.StringVar(&o.Provider, "provider", "", "provider account")
	f.StringVar(&cat, "category", "compute", "compute, storage, gpu or hpc")
	f.StringSliceVar(&o.Regions, "region", nil, "region served (repeat)")
	f.StringArrayVar(&prices, "price", nil, "RESOURCE:UNIT:PRICE, unit hourly|monthly|usage|fixed (repeat)")
	f.Uint64Var(&o.MinBid, "min-bid", 0, "lowest hourly price to bid")
	f.Uint32Var(&o.Require.MinScore, "min-score", 0, "customers need at least this identity score")
	f.Uint8Var(&o.Require.MinTier, "min-tier", 0, "customers need at least this tier")
	f.StringSliceVar(&o.Require.Scopes, "require-scope", nil, "customers need these verified scopes")
	f.BoolVar(&o.Require.MFA, "mfa", false, "customers need an MFA step-up session to order")
	f.StringVar(&secrets, "secrets", "", "provider secrets, sealed to the provider")
	return c
}

func mktOrderCmd() *cobra.Command {
	var r market.OrderRequest
	var cat, config, configFile string
	var res []string
	var dur time.Duration
	c := &cobra.Command{
		Use:   "order",
		Short: "Place an order as a customer; the deposit is locked in escrow",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				a, err := st.account(r.Customer)
				if err != nil {
					return err
				}
				id, err := a.env()
				if err != nil {
					return err
				}
				data := []byte(config)
				if configFile != "" {
					if data, err = os.ReadFile(configFile); err != nil {
						return err
					}
				}
				if len(data) == 0 {
					return errors.New("give the deployment configuration with --config or --config-file (it is sealed to you and the provider)")
				}
				m := st.market()
				// Seal to the customer and to the provider(s) who may serve it.
				to := []string{r.Customer}
				offs, err := m.Offerings()
				if err != nil {
					return err
				}
				for _, off := range offs {
					if r.OfferingID == "" || off.ID == r.OfferingID {
						to = append(to, off.Provider)
					}
				}
				sort.Strings(to[1:])
				if r.Config, err = st.sealFor(data, dedup(to)...); err != nil {
					return err
				}
				pub, err := a.pub()
				if err != nil {
					return fmt.Errorf("account %s: %w", r.Customer, err)
				}
				r.CustomerKey, r.EnvKeyID, r.Category, r.Duration = pub, id.KeyID().String(), market.Category(cat), int64(dur/time.Second)
				if r.Resources, err = parseQuantities(res); err != nil {
					return err
				}
				o, err := m.CreateOrder(r, now)
				if err != nil {
					return err
				}
				return emit(cmd, o, func(w io.Writer) {
					fmt.Fprintf(w, "order %s: %s\n", o.ID, o.State)
					if o.State == market.OrderPendingPayment {
						fmt.Fprintf(w, "  the deposit %d is more than %s holds: mint or transfer funds, then it opens on funding\n", o.Deposit, o.Customer)
					}
				})
			})
		},
	}
	f := c.Flags()
	f.StringVar(&r.ID, "id", "", "order id")
	f.StringVar(&r.Customer, "customer", "", "customer account")
	f.StringVar(&r.OfferingID, "offering", "", "order from this offering only")
	f.StringVar(&cat, "category", "compute", "compute, storage, gpu or hpc")
	f.StringVar(&r.Region, "region", "", "region")
	f.StringArrayVar(&res, "resource", nil, "RESOURCE:AMOUNT in whole units, e.g. cpu:4 (repeat)")
	f.Uint64Var(&r.MaxPrice, "max-price", 0, "highest hourly price accepted")
	f.DurationVar(&dur, "duration", time.Hour, "how long the service is wanted")
	f.Uint64Var(&r.Deposit, "deposit", 0, "amount locked in escrow")
	f.StringVar(&config, "config", "", "deployment configuration (sealed before it is stored)")
	f.StringVar(&configFile, "config-file", "", "read the configuration from a file")
	return c
}

func dedup(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func mktBidCmd() *cobra.Command {
	var r market.BidRequest
	c := &cobra.Command{
		Use:   "bid",
		Short: "Bid on an open order as a provider (price = Σ unit price × quantity × (1 + markup))",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				b, err := st.market().PlaceBid(r, now)
				if err != nil {
					return err
				}
				return emit(cmd, b, func(w io.Writer) { fmt.Fprintf(w, "bid %s: %d per hour\n", b.ID, b.Price) })
			})
		},
	}
	f := c.Flags()
	f.StringVar(&r.Provider, "provider", "", "provider account")
	f.StringVar(&r.OrderID, "order", "", "order id")
	f.StringVar(&r.OfferingID, "offering", "", "offering to bid from")
	f.Uint64Var(&r.MarkupBps, "markup", 0, "markup in basis points (1000 = 10%)")
	return c
}

func mktAcceptCmd() *cobra.Command {
	var customer, order, bid string
	c := &cobra.Command{
		Use:   "accept",
		Short: "Accept a bid as the customer: a lease is made and the escrow bound to the provider",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				l, err := st.market().AcceptBid(order, bid, customer, nil, now)
				if errors.Is(err, market.ErrNotRecipient) {
					return fmt.Errorf("%w\n  re-run `market order` with --offering so the configuration is sealed to this provider", err)
				}
				if err != nil {
					return err
				}
				return emit(cmd, l, func(w io.Writer) {
					fmt.Fprintf(w, "lease %s with %s at %d per hour; the provider has 5 minutes to deploy\n", l.ID, l.Provider, l.Price)
				})
			})
		},
	}
	c.Flags().StringVar(&customer, "customer", "", "customer account")
	c.Flags().StringVar(&order, "order", "", "order id")
	c.Flags().StringVar(&bid, "bid", "", "bid id (ORDER.PROVIDER)")
	return c
}

func mktAuctionCmd() *cobra.Command {
	var order string
	c := &cobra.Command{
		Use:   "auction",
		Short: "Accept the best bid by the auction rule (lowest price, then earliest)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				l, err := st.market().Auction(order, now)
				if err != nil {
					return err
				}
				return emit(cmd, l, func(w io.Writer) { fmt.Fprintf(w, "lease %s with %s at %d per hour\n", l.ID, l.Provider, l.Price) })
			})
		},
	}
	c.Flags().StringVar(&order, "order", "", "order id")
	return c
}

func mktDeployCmd() *cobra.Command {
	var provider, order, result string
	var fail bool
	c := &cobra.Command{
		Use:   "deploy",
		Short: "As the provider, provision a leased order and return the deployment result sealed to the customer",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				m := st.market()
				o, err := m.Order(order)
				if err != nil {
					return err
				}
				if o.State == market.OrderMatched {
					if o, err = m.StartProvisioning(order, provider, now); err != nil {
						return err
					}
				}
				if fail {
					o, err = m.Fail(order, provider, now)
				} else {
					if result == "" {
						return errors.New("give the deployment result (addresses, credentials) with --result; it is sealed to the customer")
					}
					sealed, serr := st.sealFor([]byte(result), o.Customer)
					if serr != nil {
						return serr
					}
					o, err = m.Deployed(order, provider, sealed, now)
				}
				if err != nil {
					return err
				}
				return emit(cmd, o, func(w io.Writer) { fmt.Fprintf(w, "order %s: %s\n", o.ID, o.State) })
			})
		},
	}
	c.Flags().StringVar(&provider, "provider", "", "provider account")
	c.Flags().StringVar(&order, "order", "", "order id")
	c.Flags().StringVar(&result, "result", "", "deployment result")
	c.Flags().BoolVar(&fail, "fail", false, "report that provisioning failed (the escrow is refunded)")
	return c
}

func mktTerminateCmd() *cobra.Command {
	var by, order string
	c := &cobra.Command{
		Use:   "terminate",
		Short: "Request the end of an active order (customer, provider or network); the provider or network confirms",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				m := st.market()
				o, err := m.Order(order)
				if err != nil {
					return err
				}
				if o.State != market.OrderPendingTermination {
					if o, err = m.RequestTermination(order, by, now); err != nil {
						return err
					}
				}
				if l, lerr := m.Lease(order); lerr == nil && (by == l.Provider || by == market.NetworkActor) {
					if o, err = m.Terminate(order, by, now); err != nil {
						return err
					}
				}
				return emit(cmd, o, func(w io.Writer) {
					fmt.Fprintf(w, "order %s: %s (reason %s)\n", o.ID, o.State, o.CloseReason)
					if o.State == market.OrderPendingTermination {
						fmt.Fprintln(w, "  the provider confirms with: virtengine market terminate --by PROVIDER --order", o.ID)
					}
				})
			})
		},
	}
	c.Flags().StringVar(&by, "by", "", "who asks: the customer, the provider, or network")
	c.Flags().StringVar(&order, "order", "", "order id")
	return c
}

func mktCancelCmd() *cobra.Command {
	var customer, order string
	c := &cobra.Command{
		Use:   "cancel",
		Short: "Cancel an order that has no lease yet; the escrow is refunded",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				o, err := st.market().CancelOrder(order, customer, now)
				if err != nil {
					return err
				}
				return emit(cmd, o, func(w io.Writer) { fmt.Fprintf(w, "order %s: %s\n", o.ID, o.State) })
			})
		},
	}
	c.Flags().StringVar(&customer, "customer", "", "customer account")
	c.Flags().StringVar(&order, "order", "", "order id")
	return c
}

func mktTickCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "tick",
		Short: "Apply the timed rules at --at: cancel and refund orders not provisioned within 5 minutes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withState(func(st *localState, now int64) error {
				ids, err := st.market().Tick(now)
				if err != nil {
					return err
				}
				return emit(cmd, map[string]any{"cancelled": ids}, func(w io.Writer) { fmt.Fprintf(w, "cancelled %d order(s) %v\n", len(ids), ids) })
			})
		},
	}
}

func mktShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show [ORDER]",
		Short: "Show an order with its bids and lease, or list offerings and orders",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := loadState()
			if err != nil {
				return err
			}
			m := st.market()
			if len(args) == 1 {
				o, err := m.Order(args[0])
				if err != nil {
					return err
				}
				bids, _ := m.Bids(o.ID)
				out := map[string]any{"order": o, "bids": bids}
				l, lerr := m.Lease(o.ID)
				if lerr == nil {
					out["lease"] = l
				}
				return emit(cmd, out, func(w io.Writer) {
					fmt.Fprintf(w, "order %s by %s: %s, %s in %s, max %d/h, deposit %d\n", o.ID, o.Customer, o.State, o.Category, o.Region, o.MaxPrice, o.Deposit)
					for _, b := range bids {
						fmt.Fprintf(w, "  bid %s: %d/h %s\n", b.ID, b.Price, b.State)
					}
					if lerr == nil {
						fmt.Fprintf(w, "  lease with %s at %d/h: %s\n", l.Provider, l.Price, l.State)
					}
				})
			}
			offs, err := m.Offerings()
			if err != nil {
				return err
			}
			ords, err := m.Orders()
			if err != nil {
				return err
			}
			return emit(cmd, map[string]any{"offerings": offs, "orders": ords}, func(w io.Writer) {
				for _, o := range offs {
					fmt.Fprintf(w, "offering %s by %s: %s in %v, %s\n", o.ID, o.Provider, o.Category, o.Regions, o.State)
				}
				for _, o := range ords {
					fmt.Fprintf(w, "order %s by %s: %s\n", o.ID, o.Customer, o.State)
				}
			})
		},
	}
}
