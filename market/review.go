package market

import (
	"encoding/json"
	"fmt"
)

// Review is a customer's rating of a provider for one lease (FEATURES.md §6.5): 1 to 5 stars.
type Review struct {
	LeaseID  string `json:"lease_id"`
	Customer string `json:"customer"`
	Provider string `json:"provider"`
	Stars    uint8  `json:"stars"`
	At       int64  `json:"at"`
}

// Reputation aggregates a provider's reviews with integers only: AverageMilli is the mean rating
// in thousandths of a star (4.5 stars = 4500), truncated.
type Reputation struct {
	Provider     string `json:"provider"`
	Reviews      uint64 `json:"reviews"`
	StarSum      uint64 `json:"star_sum"`
	AverageMilli uint64 `json:"average_milli"`
}

const (
	pRev = "m/rev/"
	pRep = "m/rep/"
)

// Review records the customer's rating of the lease's provider, once per lease, after the service
// was delivered (the order is active, suspended, terminating or terminated).
func (m *Market) Review(leaseID, actor string, stars uint8, now int64) (*Review, error) {
	var out *Review
	err := m.update(func(t *txn) error {
		if stars < 1 || stars > 5 {
			return invalidf("a review has 1 to 5 stars, not %d", stars)
		}
		l, err := t.lease(leaseID)
		if err != nil {
			return err
		}
		if actor != l.Customer {
			return fmt.Errorf("%w: only the lease's customer reviews it", ErrNotAuthorized)
		}
		o, err := t.order(l.OrderID)
		if err != nil {
			return err
		}
		switch o.State {
		case OrderActive, OrderSuspended, OrderPendingTermination, OrderTerminated:
		default:
			return &TransitionError{Kind: "order", ID: o.ID, From: string(o.State), To: "reviewed (review a service that was delivered)"}
		}
		if ok, err := t.exists(pRev + leaseID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: lease %q was already reviewed", ErrExists, leaseID)
		}
		rep, err := t.reputation(l.Provider)
		if err != nil {
			return err
		}
		rep.Reviews++
		rep.StarSum += uint64(stars)
		rep.AverageMilli = rep.StarSum * 1000 / rep.Reviews
		out = &Review{LeaseID: leaseID, Customer: l.Customer, Provider: l.Provider, Stars: stars, At: now}
		if err := t.put(pRep+l.Provider, rep); err != nil {
			return err
		}
		return t.put(pRev+leaseID, out)
	})
	return out, err
}

func (t *txn) reputation(provider string) (*Reputation, error) {
	rep := &Reputation{Provider: provider}
	b, ok, err := t.s.Get([]byte(pRep + provider))
	if err != nil || !ok {
		return rep, err
	}
	if err := json.Unmarshal(b, rep); err != nil {
		return nil, fmt.Errorf("market: stored reputation of %s is corrupt: %v", provider, err)
	}
	return rep, nil
}

// Reputation returns a provider's aggregated reviews (zero when it has none).
func (m *Market) Reputation(provider string) (*Reputation, error) {
	return m.view().reputation(provider)
}
