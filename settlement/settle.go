package settlement

import (
	"fmt"
)

// SettlementStatus is the state of one settlement.
//
//	pending  → paid (Payout, after the dispute window) | disputed (Dispute) | pending (Correct)
//	disputed → pending (Correct) | paid (ResolveDispute for the provider) | reversed (ResolveDispute for the customer)
type SettlementStatus string

// Settlement statuses.
const (
	SettlementPending  SettlementStatus = "pending"
	SettlementDisputed SettlementStatus = "disputed"
	SettlementPaid     SettlementStatus = "paid"
	SettlementReversed SettlementStatus = "reversed"
)

// Settlement is one settled usage record: the amount moved out of the escrow and how it will be paid
// once the dispute window has passed.
type Settlement struct {
	ID           string           `json:"id"` // <escrow>/<seq:020>
	EscrowID     string           `json:"escrow_id"`
	Seq          uint64           `json:"seq"`
	Provider     string           `json:"provider"`
	Customer     string           `json:"customer"`
	Kind         SettlementKind   `json:"kind"`
	PeriodStart  int64            `json:"period_start"`
	PeriodEnd    int64            `json:"period_end"`
	Lines        []Line           `json:"lines"`
	Split        Split            `json:"split"`
	Status       SettlementStatus `json:"status"`
	SettledAt    int64            `json:"settled_at"`
	DisputeUntil int64            `json:"dispute_until"`
	Corrections  uint64           `json:"corrections,omitempty"`
	PaidAt       int64            `json:"paid_at,omitempty"`
	RecordHash   []byte           `json:"record_hash"`
}

func settlementKey(escrow string, seq uint64) string {
	return fmt.Sprintf("%s%s/%020d", pStl, escrow, seq)
}
func dueKey(at int64, id string) string { return fmt.Sprintf("%s%020d/%s", pDue, at, id) }

// Settle verifies a signed usage record against its escrow and settles it: the amount leaves the
// escrow's balance, is split into fees and the provider's share, and is paid by Payout once the
// ledger's dispute window (DisputeWindow unless SetDisputeWindow changed it) has passed.
//
// Refused: a bad provider or customer signature (ErrBadSignature), a record already submitted or
// with a stale sequence (ErrReplay), a period starting before the end of the last settled one
// (ErrPeriodOverlap), a period ending after now, an amount above the escrow's balance
// (ErrInsufficientEscrow), an escrow that is not active. A KindFinal record closes the escrow.
func (l *Ledger) Settle(su SignedUsage, now int64) (*Settlement, error) {
	var s *Settlement
	err := l.update(func(t *tx) (err error) { s, err = t.settle(su, now); return })
	return s, err
}

func (t *tx) checkRecord(su *SignedUsage, e *Escrow, now int64) error {
	r := &su.Record
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Provider != e.Provider || r.Customer != e.Customer {
		return invalidf("record names provider %q and customer %q; escrow %q is between %q and %q",
			r.Provider, r.Customer, e.ID, e.Provider, e.Customer)
	}
	if err := su.Verify(e.ProviderKey, e.CustomerKey); err != nil {
		return err
	}
	h := r.Hash()
	useKey := fmt.Sprintf("%s%s/%x", pUse, e.ID, h)
	if _, ok, err := t.s.Get([]byte(useKey)); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("%w: record %x was already settled", ErrReplay, h[:8])
	}
	if r.Seq != e.NextSeq {
		if r.Seq < e.NextSeq {
			return fmt.Errorf("%w: sequence %d already used (next is %d)", ErrReplay, r.Seq, e.NextSeq)
		}
		return invalidf("sequence %d skips ahead; the escrow's next sequence is %d", r.Seq, e.NextSeq)
	}
	if r.PeriodEnd > now {
		return invalidf("usage period ends at %d, after now %d: settle usage that has happened", r.PeriodEnd, now)
	}
	return t.s.Set([]byte(useKey), []byte{1})
}

func (t *tx) settle(su SignedUsage, now int64) (*Settlement, error) {
	r := &su.Record
	if r.Corrects != 0 {
		return nil, invalidf("record corrects settlement %d: submit it with Correct", r.Corrects)
	}
	e, err := t.escrow(r.EscrowID)
	if err != nil {
		return nil, err
	}
	if e.State != EscrowActive {
		return nil, &TransitionError{Kind: "escrow", ID: e.ID, From: string(e.State), To: "settled (only an active escrow settles usage)"}
	}
	if err := t.checkRecord(&su, e, now); err != nil {
		return nil, err
	}
	if e.Final {
		return nil, invalidf("escrow %q already had its final settlement", e.ID)
	}
	if r.PeriodStart < e.SettledThrough {
		return nil, fmt.Errorf("%w: period starts at %d, escrow %q is settled through %d", ErrPeriodOverlap, r.PeriodStart, e.ID, e.SettledThrough)
	}
	lines, _ := r.Lines()
	gross, err := r.Amount()
	if err != nil {
		return nil, err
	}
	if gross > e.Balance {
		return nil, &FundsError{Who: "escrow " + e.ID, Have: e.Balance, Need: gross, Err: ErrInsufficientEscrow}
	}
	e.Balance -= gross
	e.Settled += gross
	e.SettledThrough = r.PeriodEnd
	e.NextSeq++
	e.Unpaid++
	e.UpdatedAt = now
	window, err := t.disputeWindow()
	if err != nil {
		return nil, err
	}
	h := r.Hash()
	s := &Settlement{ID: fmt.Sprintf("%s/%020d", e.ID, r.Seq), EscrowID: e.ID, Seq: r.Seq, Provider: e.Provider,
		Customer: e.Customer, Kind: r.Kind, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Lines: lines,
		Split: SplitFees(gross), Status: SettlementPending, SettledAt: now, DisputeUntil: now + window,
		RecordHash: h[:]}
	if r.Kind == KindFinal {
		e.Final = true
		amt := e.Balance
		e.Balance, e.Refunded = 0, e.Refunded+amt
		if err := t.credit(e.Customer, amt); err != nil {
			return nil, err
		}
	}
	if err := t.putEscrow(e); err != nil {
		return nil, err
	}
	if err := t.putJSON(settlementKey(e.ID, r.Seq), s); err != nil {
		return nil, err
	}
	return s, t.s.Set([]byte(dueKey(s.DisputeUntil, s.ID)), []byte{1})
}

// Settlement returns the settlement with the id (<escrow>/<seq:020>, as in Settlement.ID).
func (l *Ledger) Settlement(id string) (*Settlement, error) { return (&tx{l.store}).settlement(id) }

func (t *tx) settlement(id string) (*Settlement, error) {
	var s Settlement
	ok, err := t.getJSON(pStl+id, &s)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: settlement %q", ErrNotFound, id)
	}
	return &s, nil
}

// Settlements returns the settlements of an escrow in sequence order.
func (l *Ledger) Settlements(escrow string) ([]*Settlement, error) {
	return (&tx{l.store}).settlements(escrow)
}

func (t *tx) settlements(escrow string) ([]*Settlement, error) {
	var out []*Settlement
	err := t.s.Iterate([]byte(pStl+escrow+"/"), func(k, v []byte) error {
		var s Settlement
		if _, err := t.getJSON(string(k), &s); err != nil {
			return err
		}
		out = append(out, &s)
		return nil
	})
	return out, err
}

// Settle is Ledger.Settle inside another package's atomic step (market checks the lease first).
func (t *Tx) Settle(su SignedUsage, now int64) (*Settlement, error) { return t.settle(su, now) }
