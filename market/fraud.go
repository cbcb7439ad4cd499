package market

import (
	"encoding/json"
	"fmt"
)

// FraudState is the state of a fraud report: open → upheld | dismissed.
type FraudState string

// Fraud report states.
const (
	FraudOpen      FraudState = "open"
	FraudUpheld    FraudState = "upheld"
	FraudDismissed FraudState = "dismissed"
)

// FraudReport is an account's report that a provider cheated (FEATURES.md §6.5). The evidence is an
// envelope (sealed to the moderators); the market stores it and never reads it.
type FraudReport struct {
	ID        string     `json:"id"`
	Reporter  string     `json:"reporter"`
	Provider  string     `json:"provider"`
	LeaseID   string     `json:"lease_id,omitempty"`
	Evidence  []byte     `json:"evidence"`
	State     FraudState `json:"state"`
	CreatedAt int64      `json:"created_at"`
	DecidedAt int64      `json:"decided_at,omitempty"`
}

const pFraud = "m/fraud/"

// ReportFraud files a report against a provider. A report about a lease may only come from that
// lease's customer. Evidence must be an envelope.
func (m *Market) ReportFraud(r FraudReport, now int64) (*FraudReport, error) {
	err := m.update(func(t *txn) error {
		if err := checkID("report", r.ID); err != nil {
			return err
		}
		if err := checkID("reporter", r.Reporter); err != nil {
			return err
		}
		if r.Reporter == r.Provider {
			return invalidf("a provider cannot report itself")
		}
		if r.LeaseID != "" {
			l, err := t.lease(r.LeaseID)
			if err != nil {
				return err
			}
			if l.Customer != r.Reporter || l.Provider != r.Provider {
				return fmt.Errorf("%w: lease %q is not between %s and %s", ErrNotAuthorized, r.LeaseID, r.Reporter, r.Provider)
			}
		}
		if ok, err := t.exists(pFraud + r.ID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: report %q", ErrExists, r.ID)
		}
		if err := m.checkSealed("fraud evidence", r.Evidence); err != nil {
			return err
		}
		r.State, r.CreatedAt, r.DecidedAt = FraudOpen, now, 0
		r.Evidence = append([]byte(nil), r.Evidence...)
		return t.put(pFraud+r.ID, &r)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// DecideFraud is the network's (moderators') decision on an open report. Upholding it suspends
// every active or paused offering of the provider; lifting a suspension is SetOfferingState by the
// network.
func (m *Market) DecideFraud(id, actor string, upheld bool, now int64) (*FraudReport, error) {
	var out *FraudReport
	err := m.update(func(t *txn) error {
		if actor != NetworkActor {
			return fmt.Errorf("%w: only the network (moderators) decides fraud reports", ErrNotAuthorized)
		}
		var r FraudReport
		if err := t.get(pFraud+id, &r, "fraud report", id); err != nil {
			return err
		}
		to := FraudDismissed
		if upheld {
			to = FraudUpheld
		}
		if r.State != FraudOpen {
			return &TransitionError{Kind: "fraud report", ID: id, From: string(r.State), To: string(to)}
		}
		r.State, r.DecidedAt = to, now
		if upheld {
			var offs []*Offering
			if err := t.s.Iterate([]byte(pOff), func(k, v []byte) error {
				var o Offering
				if err := json.Unmarshal(v, &o); err != nil {
					return fmt.Errorf("market: stored offering %s is corrupt: %v", k, err)
				}
				if o.Provider == r.Provider && (o.State == OfferingActive || o.State == OfferingPaused) {
					offs = append(offs, &o)
				}
				return nil
			}); err != nil {
				return err
			}
			for _, o := range offs {
				o.State, o.UpdatedAt = OfferingSuspended, now
				if err := t.put(pOff+o.ID, o); err != nil {
					return err
				}
			}
		}
		out = &r
		return t.put(pFraud+id, &r)
	})
	return out, err
}
