package market

import (
	"encoding/json"
	"fmt"

	"github.com/virtengine/sdk/settlement"
	"github.com/virtengine/sdk/settlement/kv"
)

// Config wires the market to the rest of the node. Zero fields take the defaults noted.
type Config struct {
	// Identities gates orders by score, tier and scopes; required when any requirement is set.
	Identities IdentitySource
	// MFA checks step-up sessions; required when any requirement asks for MFA.
	MFA StepUpChecker
	// Sealed inspects envelopes; default EnvelopeInspector (package envelope).
	Sealed Sealed
	// Require applies to every order on top of the chosen offering's requirements.
	Require Requirements
	// ProvisionTimeout in seconds; default ProvisionTimeout.
	ProvisionTimeout int64
	// BidRateWindow (seconds) and MaxBidsPerWindow; defaults BidRateWindow, MaxBidsPerWindow.
	BidRateWindow    int64
	MaxBidsPerWindow int
}

// Market is the marketplace state machine over a kv.Store; its keys start with "m/", and the
// escrow it drives lives in the same store under settlement's "s/". It keeps no state outside the
// store and is not safe for concurrent use: consensus applies transactions one at a time.
type Market struct {
	store kv.Store
	cfg   Config
}

// New returns a market over store.
func New(store kv.Store, cfg Config) *Market {
	if cfg.Sealed == nil {
		cfg.Sealed = EnvelopeInspector{}
	}
	if cfg.ProvisionTimeout <= 0 {
		cfg.ProvisionTimeout = ProvisionTimeout
	}
	if cfg.BidRateWindow <= 0 {
		cfg.BidRateWindow = BidRateWindow
	}
	if cfg.MaxBidsPerWindow <= 0 {
		cfg.MaxBidsPerWindow = MaxBidsPerWindow
	}
	return &Market{store: store, cfg: cfg}
}

// Ledger returns the settlement ledger over the same store.
func (m *Market) Ledger() *settlement.Ledger { return settlement.NewLedger(m.store) }

// Key layout (all under "m/"):
//
//	m/off/<offering>                        Offering
//	m/ord/<order>                           Order
//	m/bid/<order>/<provider>                Bid
//	m/lease/<order>                         Lease
//	m/open/<category>/<region>/<order>      index of open orders
//	m/tmo/<deadline:020>/<order>            provisioning deadlines
//	m/rate/<provider>                       rate-limit window
const (
	pOff   = "m/off/"
	pOrd   = "m/ord/"
	pBid   = "m/bid/"
	pLease = "m/lease/"
	pOpen  = "m/open/"
	pTmo   = "m/tmo/"
	pRate  = "m/rate/"
)

func openKey(o *Order) string           { return pOpen + string(o.Category) + "/" + o.Region + "/" + o.ID }
func tmoKey(at int64, id string) string { return fmt.Sprintf("%s%020d/%s", pTmo, at, id) }

// txn is one atomic market operation: a store overlay and the settlement ledger over it.
type txn struct {
	s   kv.Store
	led *settlement.Tx
}

func (m *Market) update(fn func(t *txn) error) error {
	o := kv.NewOverlay(m.store)
	if err := fn(&txn{s: o, led: settlement.In(o)}); err != nil {
		return err
	}
	return o.Commit()
}

func (m *Market) view() *txn { return &txn{s: m.store, led: settlement.In(m.store)} }

func (t *txn) get(key string, v any, kind, id string) error {
	b, ok, err := t.s.Get([]byte(key))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s %q", ErrNotFound, kind, id)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("market: stored %s %q is corrupt: %v", kind, id, err)
	}
	return nil
}

// put stores v; encoding/json writes struct fields in declaration order and these types hold no
// maps, so the bytes are canonical.
func (t *txn) put(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.s.Set([]byte(key), b)
}

func (t *txn) exists(key string) (bool, error) {
	_, ok, err := t.s.Get([]byte(key))
	return ok, err
}

func (t *txn) offering(id string) (*Offering, error) {
	var o Offering
	return &o, t.get(pOff+id, &o, "offering", id)
}

func (t *txn) order(id string) (*Order, error) {
	var o Order
	return &o, t.get(pOrd+id, &o, "order", id)
}

func (t *txn) bid(orderID, provider string) (*Bid, error) {
	var b Bid
	return &b, t.get(pBid+orderID+"/"+provider, &b, "bid", orderID+"."+provider)
}

func (t *txn) lease(id string) (*Lease, error) {
	var l Lease
	return &l, t.get(pLease+id, &l, "lease", id)
}

// Offering returns an offering.
func (m *Market) Offering(id string) (*Offering, error) { return m.view().offering(id) }

// Order returns an order.
func (m *Market) Order(id string) (*Order, error) { return m.view().order(id) }

// Lease returns a lease (its id is the order's).
func (m *Market) Lease(id string) (*Lease, error) { return m.view().lease(id) }

// Bids returns the bids on an order in provider order.
func (m *Market) Bids(orderID string) ([]*Bid, error) { return m.view().bids(orderID) }

func (t *txn) bids(orderID string) ([]*Bid, error) {
	var out []*Bid
	err := t.s.Iterate([]byte(pBid+orderID+"/"), func(k, v []byte) error {
		var b Bid
		if err := json.Unmarshal(v, &b); err != nil {
			return fmt.Errorf("market: stored bid %s is corrupt: %v", k, err)
		}
		out = append(out, &b)
		return nil
	})
	return out, err
}

// Offerings returns every offering in id order.
func (m *Market) Offerings() ([]*Offering, error) {
	var out []*Offering
	err := m.store.Iterate([]byte(pOff), func(k, v []byte) error {
		var o Offering
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("market: stored offering %s is corrupt: %v", k, err)
		}
		out = append(out, &o)
		return nil
	})
	return out, err
}

// Orders returns every order in id order.
func (m *Market) Orders() ([]*Order, error) {
	var out []*Order
	err := m.store.Iterate([]byte(pOrd), func(k, v []byte) error {
		var o Order
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("market: stored order %s is corrupt: %v", k, err)
		}
		out = append(out, &o)
		return nil
	})
	return out, err
}

// OpenOrders calls fn for each open order of a category in a region, in id order; an empty region
// means every region. It is what a bid engine watches. fn may return kv.ErrStop to stop early.
func (m *Market) OpenOrders(category Category, region string, fn func(*Order) error) error {
	prefix := pOpen + string(category) + "/"
	if region != "" {
		prefix += region + "/"
	}
	t := m.view()
	return m.store.Iterate([]byte(prefix), func(k, _ []byte) error {
		ks := string(k)
		id := ks[lastSlash(ks)+1:]
		o, err := t.order(id)
		if err != nil {
			return err
		}
		return fn(o)
	})
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}
