package settlement

import (
	"fmt"
	"strconv"

	"github.com/virtengine/sdk/settlement/kv"
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
// dispute window (DisputeWindow) has passed.
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
	h := r.Hash()
	s := &Settlement{ID: fmt.Sprintf("%s/%020d", e.ID, r.Seq), EscrowID: e.ID, Seq: r.Seq, Provider: e.Provider,
		Customer: e.Customer, Kind: r.Kind, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Lines: lines,
		Split: SplitFees(gross), Status: SettlementPending, SettledAt: now, DisputeUntil: now + DisputeWindow,
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

// Dispute is the customer's objection to a settlement within its dispute window: the settlement is
// held (not paid) and the escrow becomes disputed until Correct or ResolveDispute.
func (l *Ledger) Dispute(settlementID string, now int64) error {
	return l.update(func(t *tx) error {
		s, err := t.settlement(settlementID)
		if err != nil {
			return err
		}
		if now >= s.DisputeUntil {
			return fmt.Errorf("%w: settlement %q could be disputed until %d", ErrDisputeWindow, s.ID, s.DisputeUntil)
		}
		if s.Status != SettlementPending {
			return &TransitionError{Kind: "settlement", ID: s.ID, From: string(s.Status), To: string(SettlementDisputed)}
		}
		e, err := t.escrow(s.EscrowID)
		if err != nil {
			return err
		}
		if e.State != EscrowDisputed {
			if err := t.moveEscrow(e, EscrowDisputed, now); err != nil {
				return err
			}
		}
		e.Disputes++
		s.Status = SettlementDisputed
		if err := t.putEscrow(e); err != nil {
			return err
		}
		return t.putJSON(pStl+s.ID, s)
	})
}

// Correct replaces the amounts of a settlement still in its dispute window with those of a
// correction record (Corrects = the settlement's seq, same period, signed by both sides, carrying
// the escrow's next sequence). A lower amount goes back to the escrow (or to the customer if the
// escrow is closed); a higher one is taken from the escrow's balance. A disputed settlement becomes
// pending again; when it was the escrow's last dispute, the escrow goes on to ResolveDispute.
func (l *Ledger) Correct(su SignedUsage, now int64) (*Settlement, error) {
	var s *Settlement
	err := l.update(func(t *tx) (err error) { s, err = t.correct(su, now); return })
	return s, err
}

func (t *tx) correct(su SignedUsage, now int64) (*Settlement, error) {
	r := &su.Record
	if r.Corrects == 0 {
		return nil, invalidf("a correction names the seq of the settlement it corrects in Corrects")
	}
	e, err := t.escrow(r.EscrowID)
	if err != nil {
		return nil, err
	}
	s, err := t.settlement(fmt.Sprintf("%s/%020d", e.ID, r.Corrects))
	if err != nil {
		return nil, err
	}
	if now >= s.DisputeUntil {
		return nil, fmt.Errorf("%w: settlement %q could be corrected until %d", ErrDisputeWindow, s.ID, s.DisputeUntil)
	}
	if s.Status != SettlementPending && s.Status != SettlementDisputed {
		return nil, &TransitionError{Kind: "settlement", ID: s.ID, From: string(s.Status), To: "corrected"}
	}
	if r.PeriodStart != s.PeriodStart || r.PeriodEnd != s.PeriodEnd || r.Kind != s.Kind {
		return nil, invalidf("a correction keeps the period [%d, %d) and kind of the settlement", s.PeriodStart, s.PeriodEnd)
	}
	if err := t.checkRecord(&su, e, now); err != nil {
		return nil, err
	}
	gross, err := r.Amount()
	if err != nil {
		return nil, err
	}
	old := s.Split.Gross
	open := e.State == EscrowActive || e.State == EscrowDisputed
	switch {
	case gross < old:
		d := old - gross
		e.Settled -= d
		if open && !e.Final {
			e.Balance += d
		} else {
			e.Refunded += d
			if err := t.credit(e.Customer, d); err != nil {
				return nil, err
			}
		}
	case gross > old:
		d := gross - old
		if !open || e.Final || d > e.Balance {
			return nil, &FundsError{Who: "escrow " + e.ID, Have: e.Balance, Need: d, Err: ErrInsufficientEscrow}
		}
		e.Balance -= d
		e.Settled += d
	}
	if s.Status == SettlementDisputed {
		s.Status = SettlementPending
		e.Disputes--
	}
	s.Lines, _ = r.Lines()
	s.Split = SplitFees(gross)
	s.Corrections++
	e.NextSeq++
	e.UpdatedAt = now
	if err := t.putEscrow(e); err != nil {
		return nil, err
	}
	return s, t.putJSON(pStl+s.ID, s)
}

// DisputeOutcome says whom ResolveDispute favours.
type DisputeOutcome uint8

// Dispute outcomes.
const (
	// ForProvider pays the disputed settlements now and releases the escrow.
	ForProvider DisputeOutcome = 1
	// ForCustomer reverses the disputed settlements back to the customer and refunds the escrow.
	ForCustomer DisputeOutcome = 2
)

// ResolveDispute ends a disputed escrow (disputed → released or refunded). In both cases the
// remaining balance returns to the customer and undisputed settlements are paid as usual.
func (l *Ledger) ResolveDispute(escrowID string, outcome DisputeOutcome, now int64) error {
	return l.update(func(t *tx) error {
		e, err := t.escrow(escrowID)
		if err != nil {
			return err
		}
		to := EscrowReleased
		switch outcome {
		case ForProvider:
		case ForCustomer:
			to = EscrowRefunded
		default:
			return invalidf("dispute outcome %d: use ForProvider or ForCustomer", outcome)
		}
		if err := t.moveEscrow(e, to, now); err != nil {
			return err
		}
		ss, err := t.settlements(e.ID)
		if err != nil {
			return err
		}
		for _, s := range ss {
			if s.Status != SettlementDisputed {
				continue
			}
			e.Disputes--
			if outcome == ForProvider {
				if err := t.pay(s, e, now); err != nil {
					return err
				}
				continue
			}
			e.Settled -= s.Split.Gross
			e.Refunded += s.Split.Gross
			e.Unpaid--
			if err := t.credit(e.Customer, s.Split.Gross); err != nil {
				return err
			}
			if err := t.s.Delete([]byte(dueKey(s.DisputeUntil, s.ID))); err != nil {
				return err
			}
			s.Status = SettlementReversed
			if err := t.putJSON(pStl+s.ID, s); err != nil {
				return err
			}
		}
		return t.returnBalance(e)
	})
}

// pay moves a settlement's split to the provider, the platform and the validator pool.
func (t *tx) pay(s *Settlement, e *Escrow, now int64) error {
	for _, c := range []struct {
		to  string
		amt uint64
	}{{s.Provider, s.Split.Provider}, {PlatformAccount, s.Split.Platform}, {ValidatorPool, s.Split.Validator}} {
		if err := t.credit(c.to, c.amt); err != nil {
			return err
		}
	}
	if err := t.s.Delete([]byte(dueKey(s.DisputeUntil, s.ID))); err != nil {
		return err
	}
	s.Status = SettlementPaid
	s.PaidAt = now
	e.Unpaid--
	return t.putJSON(pStl+s.ID, s)
}

// Paid is one settlement Payout paid.
type Paid struct {
	Settlement string `json:"settlement"`
	Provider   string `json:"provider"`
	Split      Split  `json:"split"`
}

// Payout pays every pending settlement whose dispute window has closed by now, in due-time order:
// the provider's share to the provider's account, the platform fee to PlatformAccount and the
// validator fee to ValidatorPool. An escrow whose final settlement and all others are paid is
// released. Disputed settlements wait for Correct or ResolveDispute.
func (l *Ledger) Payout(now int64) ([]Paid, error) {
	var out []Paid
	err := l.update(func(t *tx) error {
		var due []string
		if err := t.s.Iterate([]byte(pDue), func(k, _ []byte) error {
			ks := string(k[len(pDue):])
			at, err := strconv.ParseInt(ks[:20], 10, 64)
			if err != nil || len(ks) < 22 {
				return fmt.Errorf("%w: due key %q", ErrMalformed, k)
			}
			if at > now {
				return kv.ErrStop
			}
			due = append(due, ks[21:])
			return nil
		}); err != nil {
			return err
		}
		for _, id := range due {
			s, err := t.settlement(id)
			if err != nil {
				return err
			}
			if s.Status != SettlementPending {
				continue
			}
			e, err := t.escrow(s.EscrowID)
			if err != nil {
				return err
			}
			if err := t.pay(s, e, now); err != nil {
				return err
			}
			if e.Final && e.Unpaid == 0 && e.State == EscrowActive {
				if err := t.moveEscrow(e, EscrowReleased, now); err != nil {
					return err
				}
			}
			if err := t.putEscrow(e); err != nil {
				return err
			}
			out = append(out, Paid{Settlement: s.ID, Provider: s.Provider, Split: s.Split})
		}
		return nil
	})
	return out, err
}

// Settle is Ledger.Settle inside another package's atomic step (market checks the lease first).
func (t *Tx) Settle(su SignedUsage, now int64) (*Settlement, error) { return t.settle(su, now) }
