package settlement

import "fmt"

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
