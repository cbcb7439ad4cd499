package settlement

import (
	"fmt"
	"math/bits"
	"sort"
)

// Contribution is what one node operator measurably contributed over a reward period, as an integer
// weight (for example blocks signed × uptime in basis points, or verified work units). Rewards are
// proportional to it, not split equally (FEATURES.md §7.5).
type Contribution struct {
	Operator string `json:"operator"`
	Weight   uint64 `json:"weight"`
}

// Reward is one operator's share of a distribution.
type Reward struct {
	Operator string `json:"operator"`
	Amount   uint64 `json:"amount"`
}

// SplitByWeight divides total among contributions in proportion to their weights with the
// largest-remainder method: each gets ⌊total·w/W⌋, and the units left over go one each to the largest
// remainders, ties broken by operator id. The shares sum to total exactly and the result depends only
// on the inputs, not their order. Operators with weight 0 get nothing.
func SplitByWeight(total uint64, contribs []Contribution) ([]Reward, error) {
	if len(contribs) > MaxContributors {
		return nil, invalidf("%d contributors exceed %d", len(contribs), MaxContributors)
	}
	cs := append([]Contribution(nil), contribs...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Operator < cs[j].Operator })
	var W uint64
	for i, c := range cs {
		if err := checkID("operator", c.Operator); err != nil {
			return nil, err
		}
		if i > 0 && cs[i-1].Operator == c.Operator {
			return nil, invalidf("operator %q listed twice", c.Operator)
		}
		var err error
		if W, err = addChecked(W, c.Weight); err != nil {
			return nil, err
		}
	}
	if W == 0 {
		return nil, invalidf("total contribution weight is 0: nothing to distribute by")
	}
	type share struct {
		i   int
		rem uint64
	}
	out := make([]Reward, len(cs))
	rems := make([]share, 0, len(cs))
	var given uint64
	for i, c := range cs {
		hi, lo := bits.Mul64(total, c.Weight)
		q, r := bits.Div64(hi, lo, W) // q ≤ total since Weight ≤ W
		out[i] = Reward{Operator: c.Operator, Amount: q}
		given += q
		if c.Weight > 0 {
			rems = append(rems, share{i, r})
		}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].rem > rems[b].rem })
	for k := 0; given < total; k++ {
		out[rems[k].i].Amount++
		given++
	}
	return out, nil
}

// DistributeRewards pays the whole ValidatorPool balance to node operators by SplitByWeight and
// returns the rewards in operator order.
func (l *Ledger) DistributeRewards(contribs []Contribution) ([]Reward, error) {
	var out []Reward
	err := l.update(func(t *tx) error {
		pool, err := t.getU64(pAcct + ValidatorPool)
		if err != nil {
			return err
		}
		if out, err = SplitByWeight(pool, contribs); err != nil {
			return err
		}
		if err := t.debit(ValidatorPool, pool); err != nil {
			return err
		}
		for _, r := range out {
			if err := t.credit(r.Operator, r.Amount); err != nil {
				return fmt.Errorf("reward to %s: %w", r.Operator, err)
			}
		}
		return nil
	})
	return out, err
}
