package bidengine

import (
	"context"
	"time"

	"github.com/virtengine/sdk/market"
)

// Run watches src: every interval it scans for orders to bid on and hands each bid to place (which
// submits it, e.g. as a transaction). A bid place refuses releases its capacity. now gives the
// block time the engine reasons in. Run returns ctx's error when ctx ends.
func (e *Engine) Run(ctx context.Context, src Source, interval time.Duration, now func() int64, place func(market.BidRequest) error) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		reqs, err := e.Scan(src, now())
		if err != nil {
			return err
		}
		for _, r := range reqs {
			if err := place(r); err != nil {
				e.Lost(r.OrderID)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
