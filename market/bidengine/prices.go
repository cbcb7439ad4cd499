package bidengine

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

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

// PriceFile watches a prices file so that an operator's edits apply without a restart. Check
// reloads it when its modification time or size changed (or when forced, e.g. on SIGHUP) and its
// content differs from what was last read; a file that does not parse or validate leaves the old
// prices in force and is not retried until it changes again.
type PriceFile struct {
	Path string

	mtime time.Time
	size  int64
	sum   [32]byte
	read  bool
}

// NewPriceFile loads path into e once; it fails (and e keeps its prices) if the file is unusable.
func NewPriceFile(e *Engine, path string) (*PriceFile, error) {
	pf := &PriceFile{Path: path}
	if _, err := pf.Check(e, true); err != nil {
		return nil, err
	}
	return pf, nil
}

// Check reloads the file into e if it changed; changed reports that new prices are in force. On an
// error the old prices stay; the error says what is wrong with the file.
func (pf *PriceFile) Check(e *Engine, force bool) (changed bool, err error) {
	st, err := os.Stat(pf.Path)
	if err != nil {
		return false, fmt.Errorf("%w: prices file: %v (the old prices stay in force)", ErrConfig, err)
	}
	if !force && pf.read && st.ModTime().Equal(pf.mtime) && st.Size() == pf.size {
		return false, nil
	}
	b, err := os.ReadFile(pf.Path)
	if err != nil {
		return false, fmt.Errorf("%w: prices file: %v (the old prices stay in force)", ErrConfig, err)
	}
	sum := sha256.Sum256(b)
	first := !pf.read
	same := pf.read && sum == pf.sum
	pf.mtime, pf.size, pf.sum, pf.read = st.ModTime(), st.Size(), sum, true
	if same {
		return false, nil
	}
	if err := e.LoadPrices(bytes.NewReader(b)); err != nil {
		if first {
			pf.read = false // nothing was ever applied from this file: try again next time
		}
		return false, fmt.Errorf("%s: %w (the old prices stay in force; fix the file and save it again)", pf.Path, err)
	}
	return true, nil
}
