package settlement

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// CheckInvariants verifies the whole ledger: every escrow conserves its deposit (deposit = balance +
// settled + refunded), no escrow counts more unpaid settlements than it has, and the money is all
// accounted for: minted supply = Σ account balances + Σ escrow balances + Σ unpaid settlement amounts.
// It returns an error wrapping ErrInvariant naming the first violation. A node may run it at the end
// of each block; tests run it after every operation.
func (l *Ledger) CheckInvariants() error {
	t := &tx{l.store}
	supply, err := t.getU64(kSupply)
	if err != nil {
		return err
	}
	var total uint64
	add := func(what string, v uint64) error {
		var err error
		if total, err = addChecked(total, v); err != nil {
			return fmt.Errorf("%w: %s overflows the total", ErrInvariant, what)
		}
		return nil
	}
	if err := l.store.Iterate([]byte(pAcct), func(k, v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("%w: %s", ErrMalformed, k)
		}
		return add(string(k), binary.BigEndian.Uint64(v))
	}); err != nil {
		return err
	}
	unpaid := map[string]uint64{}
	if err := l.store.Iterate([]byte(pStl), func(k, v []byte) error {
		var s Settlement
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrMalformed, k, err)
		}
		if s.Split.Platform+s.Split.Validator+s.Split.Provider != s.Split.Gross {
			return fmt.Errorf("%w: settlement %s split does not sum to its amount", ErrInvariant, s.ID)
		}
		if s.Status == SettlementPending || s.Status == SettlementDisputed {
			unpaid[s.EscrowID]++
			return add(s.ID, s.Split.Gross)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := l.store.Iterate([]byte(pEsc), func(k, v []byte) error {
		var e Escrow
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrMalformed, k, err)
		}
		if !e.conserved() {
			return fmt.Errorf("%w: escrow %q deposit %d ≠ balance %d + settled %d + refunded %d",
				ErrInvariant, e.ID, e.Deposit, e.Balance, e.Settled, e.Refunded)
		}
		if unpaid[e.ID] != e.Unpaid {
			return fmt.Errorf("%w: escrow %q counts %d unpaid settlements, store holds %d", ErrInvariant, e.ID, e.Unpaid, unpaid[e.ID])
		}
		return add(string(k), e.Balance)
	}); err != nil {
		return err
	}
	if total != supply {
		return fmt.Errorf("%w: supply %d ≠ accounts + escrows + unpaid settlements %d", ErrInvariant, supply, total)
	}
	return nil
}
