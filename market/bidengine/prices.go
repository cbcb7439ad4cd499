package bidengine

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/virtengine/sdk/market"
)

// Prices is the provider's pricing policy: a markup in basis points per category over the
// offering's unit prices. It can be replaced at any time (SetPrices, LoadPrices).
type Prices struct {
	DefaultMarkupBps uint64                     `json:"default_markup_bps"`
	MarkupBps        map[market.Category]uint64 `json:"markup_bps,omitempty"`
}

func (p *Prices) markup(c market.Category) uint64 {
	if m, ok := p.MarkupBps[c]; ok {
		return m
	}
	return p.DefaultMarkupBps
}

func (p *Prices) validate() error {
	if p.DefaultMarkupBps > market.MaxMarkupBps {
		return fmt.Errorf("%w: default markup %d bp exceeds %d", ErrConfig, p.DefaultMarkupBps, market.MaxMarkupBps)
	}
	for c, m := range p.MarkupBps {
		switch c {
		case market.Compute, market.Storage, market.GPU, market.HPC:
		default: // a misspelt category would silently fall back to the default markup
			return fmt.Errorf("%w: markup for unknown category %q (use compute, storage, gpu or hpc)", ErrConfig, c)
		}
		if m > market.MaxMarkupBps {
			return fmt.Errorf("%w: markup %d bp for %s exceeds %d", ErrConfig, m, c, market.MaxMarkupBps)
		}
	}
	return nil
}

// SetPrices replaces the pricing policy; the next decision uses it. Safe to call while Scan runs.
func (e *Engine) SetPrices(p Prices) error {
	if err := p.validate(); err != nil {
		return err
	}
	cp := p
	cp.MarkupBps = make(map[market.Category]uint64, len(p.MarkupBps))
	for k, v := range p.MarkupBps {
		cp.MarkupBps[k] = v
	}
	e.prices.Store(&cp)
	return nil
}

// LoadPrices reads a Prices JSON document (for example a file the operator edits) and applies it.
// On any error the old prices stay.
func (e *Engine) LoadPrices(r io.Reader) error {
	var p Prices
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("%w: prices: %v", ErrConfig, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: prices: data after the JSON object", ErrConfig)
	}
	return e.SetPrices(p)
}

// Prices returns the pricing policy in force.
func (e *Engine) Prices() Prices { return *e.prices.Load() }
