package settlement

import (
	"fmt"
	"strconv"

	"github.com/virtengine/sdk/settlement/kv"
)

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
