package market

import (
	"fmt"
	"math/bits"

	"github.com/virtengine/sdk/settlement"
)

// matchOffering checks that an offering can serve an order: same category, the order's region, a
// price for every resource asked.
func matchOffering(off *Offering, cat Category, region string, res []Quantity) error {
	if off.Category != cat {
		return fmt.Errorf("%w: offering %q sells %s, the order wants %s", ErrNoMatch, off.ID, off.Category, cat)
	}
	inRegion := false
	for _, r := range off.Regions {
		if r == region {
			inRegion = true
			break
		}
	}
	if !inRegion {
		return fmt.Errorf("%w: offering %q does not serve region %s", ErrNoMatch, off.ID, region)
	}
	for _, q := range res {
		if _, ok := priceOf(off, q.Resource); !ok {
			return fmt.Errorf("%w: offering %q has no price for %s", ErrNoMatch, off.ID, q.Resource)
		}
	}
	return nil
}

func priceOf(off *Offering, r settlement.Resource) (UnitPrice, bool) {
	for _, p := range off.Prices {
		if p.Resource == r {
			return p, true
		}
	}
	return UnitPrice{}, false
}

// Quote prices an order from an offering (FEATURES.md §6.3): price = Σ unit price × quantity ×
// (1 + markup), as an hourly rate in the smallest unit. Hourly prices count as they are, monthly
// ones divided by HoursPerMonth, fixed ones spread over the order's duration (rounded up to whole
// hours); usage prices are metered and add nothing to the rate. Each hourly-equivalent term is
// rounded half to even, and the markup (basis points) is applied to the sum with truncation.
// It also returns the marked-up unit price of every resource, the ceiling for usage records: per
// unit-hour for hourly and monthly prices (monthly ÷ HoursPerMonth), per metered unit for usage.
func Quote(off *Offering, o *Order, markupBps uint64) (price uint64, units [settlement.NumResources]uint64, err error) {
	if markupBps > MaxMarkupBps {
		return 0, units, invalidf("markup %d bp exceeds %d", markupBps, MaxMarkupBps)
	}
	if o.Duration <= 0 {
		return 0, units, invalidf("order duration %d s is not positive", o.Duration)
	}
	hours := (uint64(o.Duration) + 3599) / 3600 // in uint64: Duration+3599 overflows int64 near its top
	var base uint64
	for _, q := range o.Resources {
		if q.Resource >= settlement.NumResources {
			return 0, units, invalidf("unknown resource %d", q.Resource)
		}
		p, ok := priceOf(off, q.Resource)
		if !ok {
			return 0, units, fmt.Errorf("%w: offering %q has no price for %s", ErrNoMatch, off.ID, q.Resource)
		}
		var term uint64
		var okm bool
		switch p.Unit {
		case Hourly:
			term, okm = settlement.MulDivHalfEven(p.Price, q.Amount, 1)
		case Monthly:
			term, okm = settlement.MulDivHalfEven(p.Price, q.Amount, HoursPerMonth)
		case Fixed:
			term, okm = settlement.MulDivHalfEven(p.Price, q.Amount, max(hours, 1))
		case Usage:
			okm = true
		}
		if !okm {
			return 0, units, invalidf("price of %s overflows", q.Resource)
		}
		if base+term < base {
			return 0, units, invalidf("price overflows")
		}
		base += term
		unit := p.Price // per unit-hour, per metered unit, or once
		if p.Unit == Monthly {
			unit, _ = settlement.MulDivHalfEven(p.Price, 1, HoursPerMonth)
		}
		mu, ok2 := settlement.MulDivHalfEven(unit, settlement.BasisPoints+markupBps, settlement.BasisPoints)
		if !ok2 {
			return 0, units, invalidf("unit price of %s overflows", q.Resource)
		}
		units[q.Resource] = mu
	}
	hi, ok := mulDivFloor(base, settlement.BasisPoints+markupBps, settlement.BasisPoints)
	if !ok {
		return 0, units, invalidf("price overflows")
	}
	return hi, units, nil
}

func mulDivFloor(a, b, d uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	if hi >= d {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, d)
	return q, true
}
