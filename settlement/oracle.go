package settlement

import (
	"errors"
	"fmt"
	"sort"
)

// ErrOracle is wrapped when a price cannot be trusted: too few fresh sources, or sources that
// disagree beyond the deviation limit.
var ErrOracle = errors.New("settlement: no trustworthy price")

// PriceQuote is one source's price for a pair (e.g. "UVE/USD"), as an integer number of
// micro-units of the quote currency per whole base unit, observed at Unix second At.
type PriceQuote struct {
	Source string `json:"source"`
	Value  uint64 `json:"value"`
	At     int64  `json:"at"`
}

// PriceSource is one feed (an exchange, a validator's report). It is queried off-chain; inside
// consensus the quotes arrive in transactions and only AggregatePrice runs.
type PriceSource interface {
	Quote(pair string) (PriceQuote, error)
}

// OracleConfig bounds what AggregatePrice accepts (FEATURES.md §7.6).
type OracleConfig struct {
	MaxAge          int64  // a quote older than this many seconds is stale and ignored
	MinSources      int    // at least this many fresh, agreeing sources
	MaxDeviationBps uint64 // a source further than this from the median is an outlier and ignored
}

// DefaultOracleConfig: quotes at most 5 minutes old, 3 sources, within 2% of the median.
var DefaultOracleConfig = OracleConfig{MaxAge: 300, MinSources: 3, MaxDeviationBps: 200}

// AggregatePrice returns the median of the fresh quotes that lie within MaxDeviationBps of the
// median of all fresh quotes (one quote per source; ties and order do not matter). It refuses with
// ErrOracle when fewer than MinSources remain. The median of an even count is the mean of the two
// middle values, rounded half to even.
func AggregatePrice(quotes []PriceQuote, now int64, cfg OracleConfig) (uint64, error) {
	if cfg.MinSources < 1 {
		cfg.MinSources = 1
	}
	seen := map[string]bool{}
	var fresh []uint64
	for _, q := range quotes {
		if seen[q.Source] {
			return 0, invalidf("source %q quoted twice", q.Source)
		}
		seen[q.Source] = true
		// the age in uint64: now-q.At in int64 wraps negative (fresh) for q.At far in the past
		if q.At > now || cfg.MaxAge < 0 || uint64(now)-uint64(q.At) > uint64(cfg.MaxAge) || q.Value == 0 {
			continue
		}
		fresh = append(fresh, q.Value)
	}
	if len(fresh) < cfg.MinSources {
		return 0, fmt.Errorf("%w: %d fresh quotes, need %d (check the feeds)", ErrOracle, len(fresh), cfg.MinSources)
	}
	sort.Slice(fresh, func(i, j int) bool { return fresh[i] < fresh[j] })
	m := median(fresh)
	var near []uint64
	for _, v := range fresh {
		d := v - m
		if v < m {
			d = m - v
		}
		if lim, ok := MulDivHalfEven(m, cfg.MaxDeviationBps, BasisPoints); ok && d <= lim {
			near = append(near, v)
		}
	}
	if len(near) < cfg.MinSources {
		return 0, fmt.Errorf("%w: only %d of %d quotes within %d bp of the median %d", ErrOracle, len(near), len(fresh), cfg.MaxDeviationBps, m)
	}
	return median(near), nil
}

// median of a sorted, non-empty slice.
func median(s []uint64) uint64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	a, b := s[n/2-1], s[n/2]
	// (a+b)/2 without overflow; a .5 result rounds to the even neighbour.
	q := a/2 + b/2 + (a%2+b%2)/2
	if (a%2+b%2)%2 == 1 && q%2 == 1 {
		q++
	}
	return q
}
