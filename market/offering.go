package market

import (
	"crypto/ed25519"
	"fmt"

	"github.com/virtengine/sdk/settlement"
)

// CreateOffering publishes an offering in state active. Its provider secrets, if any, must be an
// envelope sealed to the provider's envelope key (EnvKeyID).
func (m *Market) CreateOffering(o Offering, now int64) (*Offering, error) {
	err := m.update(func(t *txn) error {
		if err := m.validateOffering(&o); err != nil {
			return err
		}
		if ok, err := t.exists(pOff + o.ID); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: offering %q", ErrExists, o.ID)
		}
		o.State, o.CreatedAt, o.UpdatedAt = OfferingActive, now, now
		return t.put(pOff+o.ID, &o)
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func (m *Market) validateOffering(o *Offering) error {
	if err := checkID("offering", o.ID); err != nil {
		return err
	}
	if err := checkID("provider", o.Provider); err != nil {
		return err
	}
	if o.Provider == NetworkActor {
		return invalidf("%q is reserved for the network", NetworkActor)
	}
	if len(o.ProviderKey) != ed25519.PublicKeySize {
		return invalidf("provider key must be a %d-byte Ed25519 public key (it signs usage records)", ed25519.PublicKeySize)
	}
	if o.EnvKeyID == "" {
		return invalidf("offering needs the provider's envelope key id: order configurations are sealed to it")
	}
	if !o.Category.valid() {
		return invalidf("category %q: use compute, storage, gpu or hpc", o.Category)
	}
	if len(o.Prices) == 0 || len(o.Prices) > MaxPrices {
		return invalidf("an offering has 1..%d unit prices", MaxPrices)
	}
	seen := map[settlement.Resource]bool{}
	for _, p := range o.Prices {
		if p.Resource >= settlement.NumResources {
			return invalidf("unknown resource %d", p.Resource)
		}
		if seen[p.Resource] {
			return invalidf("resource %s priced twice", p.Resource)
		}
		seen[p.Resource] = true
		switch p.Unit {
		case Hourly, Monthly, Usage, Fixed:
		default:
			return invalidf("unit %q: use hourly, monthly, usage or fixed", p.Unit)
		}
	}
	if len(o.Regions) == 0 || len(o.Regions) > MaxRegions {
		return invalidf("an offering serves 1..%d regions", MaxRegions)
	}
	for _, r := range o.Regions {
		if err := checkID("region", r); err != nil {
			return err
		}
	}
	if err := o.Require.validate(); err != nil {
		return err
	}
	if len(o.Secrets) > 0 {
		if err := m.checkSealed("provider secrets", o.Secrets, o.EnvKeyID); err != nil {
			return err
		}
	}
	return nil
}

// OfferingCanTransition reports whether the offering state machine allows from → to.
func OfferingCanTransition(from, to OfferingState) bool {
	for _, s := range OfferingTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// SetOfferingState changes an offering's state. The provider may pause, resume, deprecate and
// terminate it; suspending, and lifting a suspension, is for NetworkActor (moderation).
func (m *Market) SetOfferingState(id, actor string, to OfferingState, now int64) (*Offering, error) {
	var out *Offering
	err := m.update(func(t *txn) error {
		o, err := t.offering(id)
		if err != nil {
			return err
		}
		moderation := to == OfferingSuspended || o.State == OfferingSuspended
		switch {
		case moderation && actor != NetworkActor:
			return fmt.Errorf("%w: only the network suspends offerings or lifts a suspension; ask a moderator", ErrNotAuthorized)
		case !moderation && actor != o.Provider && actor != NetworkActor:
			return fmt.Errorf("%w: %s does not own offering %q", ErrNotAuthorized, actor, id)
		}
		if !OfferingCanTransition(o.State, to) {
			return &TransitionError{Kind: "offering", ID: id, From: string(o.State), To: string(to)}
		}
		o.State, o.UpdatedAt = to, now
		out = o
		return t.put(pOff+id, o)
	})
	return out, err
}
