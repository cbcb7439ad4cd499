package market

import (
	"fmt"
	"strconv"

	"github.com/virtengine/sdk/settlement/kv"
)

// Tick runs the market's timed rules at block time now: every matched or provisioning order whose
// lease was made more than the provisioning timeout ago is cancelled, its lease closed (network) and
// its escrow refunded. It returns the cancelled order ids in deadline order.
func (m *Market) Tick(now int64) ([]string, error) {
	var ids []string
	err := m.update(func(t *txn) error {
		var due []string
		if err := t.s.Iterate([]byte(pTmo), func(k, _ []byte) error {
			ks := string(k[len(pTmo):])
			if len(ks) < 22 {
				return fmt.Errorf("market: corrupt deadline key %q", k)
			}
			at, err := strconv.ParseInt(ks[:20], 10, 64)
			if err != nil {
				return fmt.Errorf("market: corrupt deadline key %q", k)
			}
			if at > now {
				return kv.ErrStop
			}
			due = append(due, string(k))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range due {
			id := k[len(pTmo)+21:]
			if err := t.s.Delete([]byte(k)); err != nil {
				return err
			}
			o, err := t.order(id)
			if err != nil {
				return err
			}
			if o.State != OrderMatched && o.State != OrderProvisioning {
				continue
			}
			l, err := t.lease(o.LeaseID)
			if err != nil {
				return err
			}
			if err := t.moveOrder(o, OrderCancelled, now); err != nil {
				return err
			}
			if err := t.closeLease(o, l, CloseNetwork, now); err != nil {
				return err
			}
			if err := t.put(pLease+l.ID, l); err != nil {
				return err
			}
			if err := t.put(pOrd+id, o); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}
