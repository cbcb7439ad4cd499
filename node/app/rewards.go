package app

import (
	"sort"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"github.com/virtengine/sdk/settlement"
)

// Validator rewards (FEATURES.md §7.5): the settlement's validator fee pool is paid to validator
// operators in proportion to measured contribution, the voting power of each block they signed,
// every rewardInterval blocks (not split equally, as the earlier system did).

const pfxContrib = "vc/" // vc/<consensus address> → accumulated signed power

func recordContributions(c *execCtx, lc abci.CommitInfo) error {
	for _, v := range lc.Votes {
		if v.BlockIdFlag != cmtproto.BlockIDFlagCommit {
			continue
		}
		k := pfxContrib + string(v.Validator.Address)
		n, err := getUint(c.store, k)
		if err != nil {
			return err
		}
		setUint(c.store, k, n+uint64(v.Validator.Power))
	}
	return nil
}

func payValidatorRewards(c *execCtx) error {
	if c.height%rewardInterval != 0 {
		return nil
	}
	ps, err := scan(c.store, pfxContrib)
	if err != nil {
		return err
	}
	weights := map[string]uint64{}
	for _, p := range ps {
		val, err := getValidator(c.store, []byte(p.k[len(pfxContrib):]))
		if err != nil {
			return err
		}
		c.store.del(p.k)
		if val == nil || val.Operator.IsZero() || len(p.v) != 8 {
			continue
		}
		weights[val.Operator.String()] += beUint(p.v)
	}
	if len(weights) == 0 {
		return nil
	}
	l := c.ledger()
	pool, err := l.Balance(settlement.ValidatorPool)
	if err != nil || pool == 0 {
		return err
	}
	var contribs []settlement.Contribution
	for op, w := range weights {
		contribs = append(contribs, settlement.Contribution{Operator: op, Weight: w})
	}
	sort.Slice(contribs, func(i, j int) bool { return contribs[i].Operator < contribs[j].Operator })
	rewards, err := l.DistributeRewards(contribs)
	if err != nil {
		return err
	}
	for _, r := range rewards {
		c.emit("validator_reward", "operator", r.Operator, "amount", strconv.FormatUint(r.Amount, 10))
	}
	return nil
}

func beUint(b []byte) uint64 {
	var n uint64
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return n
}
