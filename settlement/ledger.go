package settlement

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/virtengine/sdk/settlement/kv"
)

// Ledger is the settlement state machine over a kv.Store. All of its keys start with "s/".
// A Ledger holds no state of its own besides the store, so several Ledgers over one store agree.
// It is not safe for concurrent use; consensus applies transactions one at a time.
type Ledger struct {
	store kv.Store
}

// NewLedger returns a ledger over store.
func NewLedger(store kv.Store) *Ledger { return &Ledger{store: store} }

// Store returns the underlying store.
func (l *Ledger) Store() kv.Store { return l.store }

// tx is one atomic operation's view of the store.
type tx struct{ s kv.Store }

// Tx is a ledger view inside another package's atomic step (market opens one overlay for an order
// operation and its escrow movements); its methods mirror the Ledger's and write through that view.
type Tx struct{ tx }

// In returns a ledger view over s (an overlay another package already opened), so that a caller's
// own writes and the ledger's commit together.
func In(s kv.Store) *Tx { return &Tx{tx{s}} }

func (l *Ledger) update(fn func(t *tx) error) error {
	o := kv.NewOverlay(l.store)
	if err := fn(&tx{o}); err != nil {
		return err
	}
	return o.Commit()
}

// Key layout (all under "s/"):
//
//	s/acct/<id>                     balance, 8-byte big-endian
//	s/supply                        total minted, 8-byte big-endian
//	s/esc/<id>                      Escrow (JSON)
//	s/use/<escrow>/<record hash>    marker of a submitted usage record (replay protection)
//	s/stl/<escrow>/<seq:020>        Settlement (JSON)
//	s/due/<time:020>/<settlement>   settlement awaiting payout at time
//	s/inv/<id>                      Invoice (JSON)
const (
	pAcct   = "s/acct/"
	kSupply = "s/supply"
	pEsc    = "s/esc/"
	pUse    = "s/use/"
	pStl    = "s/stl/"
	pDue    = "s/due/"
	pInv    = "s/inv/"
)

func (t *tx) getU64(key string) (uint64, error) {
	v, ok, err := t.s.Get([]byte(key))
	if err != nil || !ok {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: %s holds %d bytes", ErrMalformed, key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

func (t *tx) setU64(key string, v uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return t.s.Set([]byte(key), b[:])
}

func (t *tx) getJSON(key string, v any) (bool, error) {
	b, ok, err := t.s.Get([]byte(key))
	if err != nil || !ok {
		return ok, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("%w: %s: %v", ErrMalformed, key, err)
	}
	return true, nil
}

// putJSON stores v. encoding/json writes struct fields in declaration order and these types hold no
// maps, so the bytes are a canonical function of the value.
func (t *tx) putJSON(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.s.Set([]byte(key), b)
}

func checkID(kind, id string) error {
	if id == "" || len(id) > MaxIDLen {
		return invalidf("%s id must be 1..%d bytes", kind, MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c == '/' || c >= 0x7f {
			return invalidf("%s id %q: use printable ASCII without spaces or '/'", kind, id)
		}
	}
	return nil
}

// Balance returns the spendable balance of an account (0 for unknown accounts).
func (l *Ledger) Balance(account string) (uint64, error) {
	return (&tx{l.store}).getU64(pAcct + account)
}

// AccountBalance is one account's spendable balance.
type AccountBalance struct {
	Account string `json:"account"`
	Balance uint64 `json:"balance"`
}

// Balances returns every account the ledger holds, in account-name order (the store's key order).
func (l *Ledger) Balances() ([]AccountBalance, error) {
	var out []AccountBalance
	err := l.store.Iterate([]byte(pAcct), func(k, v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("%w: %s", ErrMalformed, k)
		}
		out = append(out, AccountBalance{Account: string(k[len(pAcct):]), Balance: binary.BigEndian.Uint64(v)})
		return nil
	})
	return out, err
}

// Balance returns the spendable balance of an account inside a transaction.
func (t *Tx) Balance(account string) (uint64, error) { return t.getU64(pAcct + account) }

// Supply returns the total amount ever minted.
func (l *Ledger) Supply() (uint64, error) { return (&tx{l.store}).getU64(kSupply) }

// Mint creates amount in account (genesis allocations, a test faucet). It is the only way money enters
// the ledger, and it raises the supply by the same amount.
func (l *Ledger) Mint(account string, amount uint64) error {
	return l.update(func(t *tx) error { return t.mint(account, amount) })
}

func (t *tx) mint(account string, amount uint64) error {
	if err := checkID("account", account); err != nil {
		return err
	}
	s, err := t.getU64(kSupply)
	if err != nil {
		return err
	}
	if s, err = addChecked(s, amount); err != nil {
		return err
	}
	if err := t.setU64(kSupply, s); err != nil {
		return err
	}
	return t.credit(account, amount)
}

// Transfer moves amount between accounts.
func (l *Ledger) Transfer(from, to string, amount uint64) error {
	return l.update(func(t *tx) error {
		if err := checkID("account", to); err != nil {
			return err
		}
		if err := t.debit(from, amount); err != nil {
			return err
		}
		return t.credit(to, amount)
	})
}

func (t *tx) credit(account string, amount uint64) error {
	b, err := t.getU64(pAcct + account)
	if err != nil {
		return err
	}
	if b, err = addChecked(b, amount); err != nil {
		return err
	}
	return t.setU64(pAcct+account, b)
}

func (t *tx) debit(account string, amount uint64) error {
	b, err := t.getU64(pAcct + account)
	if err != nil {
		return err
	}
	if b < amount {
		return &FundsError{Who: "account " + account, Have: b, Need: amount, Err: ErrInsufficientFunds}
	}
	return t.setU64(pAcct+account, b-amount)
}
