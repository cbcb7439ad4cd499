package market

import (
	"fmt"

	"github.com/virtengine/sdk/settlement"
)

// SubmitUsage settles a usage record (signed by the provider, countersigned by the customer) of a
// lease: the order must be active, suspended or pending termination, and no unit price in the record
// may exceed the lease's. The record's EscrowID is the order id. Settlement checks the signatures,
// the sequence and the period (see settlement.Ledger.Settle).
func (m *Market) SubmitUsage(su settlement.SignedUsage, now int64) (*settlement.Settlement, error) {
	var out *settlement.Settlement
	err := m.update(func(t *txn) error {
		o, err := t.order(su.Record.EscrowID)
		if err != nil {
			return err
		}
		switch o.State {
		case OrderActive, OrderSuspended, OrderPendingTermination:
		default:
			return &TransitionError{Kind: "order", ID: o.ID, From: string(o.State), To: "metered (usage is settled for active, suspended or terminating orders)"}
		}
		l, err := t.lease(o.LeaseID)
		if err != nil {
			return err
		}
		for r := settlement.Resource(0); r < settlement.NumResources; r++ {
			if su.Record.Quantities[r] > 0 && su.Record.UnitPrices[r] > l.UnitPrices[r] {
				return fmt.Errorf("%w: %s charged at %d, the lease's price is %d", ErrPriceOutOfRange, r, su.Record.UnitPrices[r], l.UnitPrices[r])
			}
		}
		out, err = t.led.Settle(su, now)
		return err
	})
	return out, err
}
