package settlement

import (
	"crypto/ed25519"
	"fmt"
)

// EscrowState is the state of an escrow account (FEATURES.md §7.1).
//
//	pending  → active | refunded | expired
//	active   → released | refunded | disputed | expired
//	disputed → released | refunded
//
// pending → refunded covers an order cancelled before any provider was chosen.
type EscrowState string

// Escrow states.
const (
	EscrowPending  EscrowState = "pending"
	EscrowActive   EscrowState = "active"
	EscrowReleased EscrowState = "released"
	EscrowRefunded EscrowState = "refunded"
	EscrowDisputed EscrowState = "disputed"
	EscrowExpired  EscrowState = "expired"
)

var escrowNext = map[EscrowState][]EscrowState{
	EscrowPending:  {EscrowActive, EscrowRefunded, EscrowExpired},
	EscrowActive:   {EscrowReleased, EscrowRefunded, EscrowDisputed, EscrowExpired},
	EscrowDisputed: {EscrowReleased, EscrowRefunded},
}

// EscrowCanTransition reports whether the escrow state machine allows from → to.
func EscrowCanTransition(from, to EscrowState) bool {
	for _, s := range escrowNext[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Escrow locks a customer's funds for one order. Invariant at every step:
// Deposit = Balance + Settled + Refunded.
type Escrow struct {
	ID          string      `json:"id"`
	Customer    string      `json:"customer"`
	CustomerKey []byte      `json:"customer_key"` // Ed25519 key that countersigns usage
	Provider    string      `json:"provider,omitempty"`
	ProviderKey []byte      `json:"provider_key,omitempty"` // Ed25519 key that signs usage
	State       EscrowState `json:"state"`
	Deposit     uint64      `json:"deposit"`
	Balance     uint64      `json:"balance"`
	Settled     uint64      `json:"settled"`
	Refunded    uint64      `json:"refunded"`
	CreatedAt   int64       `json:"created_at"`
	ExpiresAt   int64       `json:"expires_at,omitempty"` // 0: never; a pending or active escrow expires then
	UpdatedAt   int64       `json:"updated_at"`

	NextSeq        uint64 `json:"next_seq"`        // sequence the next usage record must carry; the first is 1
	SettledThrough int64  `json:"settled_through"` // end of the last settled period
	Unpaid         uint64 `json:"unpaid"`          // settlements not yet paid out
	Disputes       uint64 `json:"disputes"`        // settlements under dispute
	Final          bool   `json:"final"`           // a final settlement was made; released once all are paid
}

func (e *Escrow) conserved() bool {
	s, c1 := sum3(e.Balance, e.Settled, e.Refunded)
	return !c1 && s == e.Deposit
}

func sum3(a, b, c uint64) (uint64, bool) {
	s, err := addChecked(a, b)
	if err != nil {
		return 0, true
	}
	s, err = addChecked(s, c)
	return s, err != nil
}

// OpenEscrow is the request to lock funds for an order.
type OpenEscrow struct {
	ID          string
	Customer    string
	CustomerKey ed25519.PublicKey
	Amount      uint64
	ExpiresAt   int64 // 0: never
}

// OpenEscrow debits the customer and creates a pending escrow holding the amount.
func (l *Ledger) OpenEscrow(req OpenEscrow, now int64) (*Escrow, error) {
	var e *Escrow
	err := l.update(func(t *tx) (err error) { e, err = t.openEscrow(req, now); return })
	return e, err
}

// OpenEscrow is Ledger.OpenEscrow inside another package's atomic step.
func (t *Tx) OpenEscrow(req OpenEscrow, now int64) (*Escrow, error) { return t.openEscrow(req, now) }

func (t *tx) openEscrow(req OpenEscrow, now int64) (*Escrow, error) {
	if err := checkID("escrow", req.ID); err != nil {
		return nil, err
	}
	if len(req.CustomerKey) != ed25519.PublicKeySize {
		return nil, invalidf("customer key must be a %d-byte Ed25519 public key", ed25519.PublicKeySize)
	}
	if req.Amount == 0 {
		return nil, invalidf("escrow amount must be positive")
	}
	if req.ExpiresAt != 0 && req.ExpiresAt <= now {
		return nil, invalidf("escrow expiry %d is not after now %d", req.ExpiresAt, now)
	}
	if _, ok, err := t.s.Get([]byte(pEsc + req.ID)); err != nil {
		return nil, err
	} else if ok {
		return nil, fmt.Errorf("%w: escrow %q", ErrExists, req.ID)
	}
	if err := t.debit(req.Customer, req.Amount); err != nil {
		return nil, err
	}
	e := &Escrow{ID: req.ID, Customer: req.Customer, CustomerKey: append([]byte(nil), req.CustomerKey...),
		State: EscrowPending, Deposit: req.Amount, Balance: req.Amount, CreatedAt: now, ExpiresAt: req.ExpiresAt,
		UpdatedAt: now, NextSeq: 1}
	return e, t.putEscrow(e)
}

// Escrow returns the escrow with the id.
func (l *Ledger) Escrow(id string) (*Escrow, error) { return (&tx{l.store}).escrow(id) }

// Escrow returns the escrow with the id inside a transaction.
func (t *Tx) Escrow(id string) (*Escrow, error) { return t.escrow(id) }

func (t *tx) escrow(id string) (*Escrow, error) {
	var e Escrow
	ok, err := t.getJSON(pEsc+id, &e)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: escrow %q", ErrNotFound, id)
	}
	return &e, nil
}

// putEscrow stores e after checking its conservation invariant; a broken invariant aborts the
// whole operation (nothing is committed).
func (t *tx) putEscrow(e *Escrow) error {
	if !e.conserved() {
		return fmt.Errorf("%w: escrow %q deposit %d ≠ balance %d + settled %d + refunded %d",
			ErrInvariant, e.ID, e.Deposit, e.Balance, e.Settled, e.Refunded)
	}
	return t.putJSON(pEsc+e.ID, e)
}

func (t *tx) moveEscrow(e *Escrow, to EscrowState, now int64) error {
	if !EscrowCanTransition(e.State, to) {
		return &TransitionError{Kind: "escrow", ID: e.ID, From: string(e.State), To: string(to)}
	}
	e.State = to
	e.UpdatedAt = now
	return nil
}

// ActivateEscrow binds the escrow to the provider of the lease (pending → active). Only the holder of
// providerKey can then sign usage against it.
func (l *Ledger) ActivateEscrow(id, provider string, providerKey ed25519.PublicKey, now int64) error {
	return l.update(func(t *tx) error { return t.activateEscrow(id, provider, providerKey, now) })
}

// ActivateEscrow is Ledger.ActivateEscrow inside another package's atomic step.
func (t *Tx) ActivateEscrow(id, provider string, providerKey ed25519.PublicKey, now int64) error {
	return t.activateEscrow(id, provider, providerKey, now)
}

func (t *tx) activateEscrow(id, provider string, providerKey ed25519.PublicKey, now int64) error {
	if err := checkID("provider", provider); err != nil {
		return err
	}
	if len(providerKey) != ed25519.PublicKeySize {
		return invalidf("provider key must be a %d-byte Ed25519 public key", ed25519.PublicKeySize)
	}
	e, err := t.escrow(id)
	if err != nil {
		return err
	}
	if err := t.moveEscrow(e, EscrowActive, now); err != nil {
		return err
	}
	e.Provider, e.ProviderKey = provider, append([]byte(nil), providerKey...)
	return t.putEscrow(e)
}

// TopUp adds amount from the customer's account to a pending or active escrow.
func (l *Ledger) TopUp(id string, amount uint64, now int64) error {
	return l.update(func(t *tx) error {
		e, err := t.escrow(id)
		if err != nil {
			return err
		}
		if e.State != EscrowPending && e.State != EscrowActive {
			return &TransitionError{Kind: "escrow", ID: id, From: string(e.State), To: "topped-up"}
		}
		if amount == 0 {
			return invalidf("top-up amount must be positive")
		}
		if err := t.debit(e.Customer, amount); err != nil {
			return err
		}
		if e.Deposit, err = addChecked(e.Deposit, amount); err != nil {
			return err
		}
		e.Balance += amount // cannot overflow: Balance ≤ Deposit
		e.UpdatedAt = now
		return t.putEscrow(e)
	})
}

// RefundEscrow ends the escrow by returning its unsettled balance to the customer (order cancelled,
// failed, or not provisioned in time). Settlements already made stay valid and are still paid.
func (l *Ledger) RefundEscrow(id string, now int64) error {
	return l.update(func(t *tx) error { return t.refundEscrow(id, now) })
}

// RefundEscrow is Ledger.RefundEscrow inside another package's atomic step.
func (t *Tx) RefundEscrow(id string, now int64) error { return t.refundEscrow(id, now) }

func (t *tx) refundEscrow(id string, now int64) error {
	e, err := t.escrow(id)
	if err != nil {
		return err
	}
	if e.State == EscrowDisputed {
		return &TransitionError{Kind: "escrow", ID: id, From: string(e.State), To: string(EscrowRefunded) + " (resolve the dispute with ResolveDispute)"}
	}
	if err := t.moveEscrow(e, EscrowRefunded, now); err != nil {
		return err
	}
	return t.returnBalance(e)
}

// returnBalance moves the escrow's remaining balance back to the customer.
func (t *tx) returnBalance(e *Escrow) error {
	amt := e.Balance
	e.Balance = 0
	e.Refunded += amt
	if err := t.credit(e.Customer, amt); err != nil {
		return err
	}
	return t.putEscrow(e)
}

// ExpireEscrows expires every pending or active escrow whose ExpiresAt is ≤ now, returning its
// balance to the customer, and returns the ids it expired, in key order.
func (l *Ledger) ExpireEscrows(now int64) ([]string, error) {
	var ids []string
	err := l.update(func(t *tx) error {
		var due []*Escrow
		if err := t.forEachEscrow(func(e *Escrow) error {
			if e.ExpiresAt != 0 && e.ExpiresAt <= now && (e.State == EscrowPending || e.State == EscrowActive) {
				due = append(due, e)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, e := range due {
			if err := t.moveEscrow(e, EscrowExpired, now); err != nil {
				return err
			}
			if err := t.returnBalance(e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		return nil
	})
	return ids, err
}

func (t *tx) forEachEscrow(fn func(e *Escrow) error) error {
	return t.s.Iterate([]byte(pEsc), func(k, v []byte) error {
		var e Escrow
		if _, err := t.getJSON(string(k), &e); err != nil {
			return err
		}
		return fn(&e)
	})
}

// Escrows returns every escrow in id order.
func (l *Ledger) Escrows() ([]*Escrow, error) {
	var out []*Escrow
	err := (&tx{l.store}).forEachEscrow(func(e *Escrow) error { out = append(out, e); return nil })
	return out, err
}
