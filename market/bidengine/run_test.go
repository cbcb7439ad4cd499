package bidengine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virtengine/sdk/market"
)

func TestRunWatchesAndReleasesRefusedBids(t *testing.T) {
	e := newEngine(t) // 8 cores in eu
	book := NewBook()
	book.Add(order("a", market.Compute, "eu", 4, 5000))
	book.Add(order("b", market.Compute, "eu", 4, 5000))
	ctx, cancel := context.WithCancel(context.Background())
	var placed []string
	refuse := errors.New("refused")
	err := e.Run(ctx, book, time.Millisecond, func() int64 { return 1000 }, func(r market.BidRequest) error {
		placed = append(placed, r.OrderID)
		if len(placed) >= 3 {
			cancel() // a refused bid is retried on the next scan
		}
		if r.OrderID == "b" {
			return refuse // the market refused: capacity must come back
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if len(placed) != 3 || placed[0] != "a" || placed[1] != "b" || placed[2] != "b" {
		t.Fatalf("placed %v", placed)
	}
	if used := e.Used("eu"); used[0] != 4 {
		t.Fatalf("refused bid kept its capacity: %v", used)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestPriceFileReloadsWithoutRestart(t *testing.T) {
	e := newEngine(t) // 1000 bp
	path := filepath.Join(t.TempDir(), "prices.json")
	writeFile(t, path, `{"default_markup_bps": 500}`)
	pf, err := NewPriceFile(e, path)
	if err != nil || e.Prices().DefaultMarkupBps != 500 {
		t.Fatalf("initial load: %v %+v", err, e.Prices())
	}
	if changed, err := pf.Check(e, false); changed || err != nil {
		t.Fatalf("unchanged file reloaded: %v %v", changed, err)
	}
	writeFile(t, path, `{"default_markup_bps": 2500, "markup_bps": {"gpu": 100}}`)
	if changed, err := pf.Check(e, false); !changed || err != nil || e.Prices().DefaultMarkupBps != 2500 {
		t.Fatalf("edit not applied: %v %v %+v", changed, err, e.Prices())
	}
	// Forced (SIGHUP) with the same content: nothing to do.
	if changed, err := pf.Check(e, true); changed || err != nil {
		t.Fatalf("forced reload of the same content: %v %v", changed, err)
	}
}

func TestPriceFileBadEditKeepsOldPrices(t *testing.T) {
	e := newEngine(t)
	path := filepath.Join(t.TempDir(), "prices.json")
	writeFile(t, path, `{"default_markup_bps": 500}`)
	pf, err := NewPriceFile(e, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"default_markup_bps": 7`, `{"default_markup_bps": 1, "markup_bps": {"cpu": 1}}`, `{"default_markup": 1}`} {
		writeFile(t, path, bad)
		changed, err := pf.Check(e, false)
		if changed || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "old prices stay") {
			t.Fatalf("%s: %v %v", bad, changed, err)
		}
		if e.Prices().DefaultMarkupBps != 500 {
			t.Fatalf("%s replaced the prices: %+v", bad, e.Prices())
		}
		// The same bad file is reported once, not on every poll.
		if changed, err := pf.Check(e, false); changed || err != nil {
			t.Fatalf("bad file reported again: %v %v", changed, err)
		}
	}
	os.Remove(path)
	if _, err := pf.Check(e, false); err == nil || e.Prices().DefaultMarkupBps != 500 {
		t.Fatalf("missing file: %v %+v", err, e.Prices())
	}
	writeFile(t, path, `{"default_markup_bps": 600}`)
	if changed, err := pf.Check(e, false); !changed || err != nil || e.Prices().DefaultMarkupBps != 600 {
		t.Fatalf("fixed file not applied: %v %v", changed, err)
	}
	// A runner never starts on an unusable file.
	writeFile(t, path, `[]`)
	if _, err := NewPriceFile(e, path); err == nil {
		t.Fatal("NewPriceFile accepted a bad file")
	}
}

func TestRunnerLogsEachDecisionOnce(t *testing.T) {
	e := newEngine(t) // 8 cores in eu, 10% markup
	book := NewBook()
	book.Add(order("a", market.Compute, "eu", 4, 5000)) // 4488 ≤ 5000: bid
	book.Add(order("b", market.Compute, "eu", 4, 4000)) // 4488 > 4000: skip
	var log []Event
	refuse := true
	r := &Runner{Engine: e, Source: book, Now: func() int64 { return 1000 }, Log: func(ev Event) { log = append(log, ev) },
		Place: func(_ context.Context, req market.BidRequest) error {
			if refuse {
				return errors.New("sequence mismatch")
			}
			return nil
		}}
	ctx := context.Background()
	r.Step(ctx, false)
	if len(log) != 2 || log[0].Kind != EventSkip || log[0].OrderID != "b" || !strings.Contains(log[0].Reason, "above the order's maximum") ||
		log[1].Kind != EventRefused || log[1].OrderID != "a" {
		t.Fatalf("first round: %+v", log)
	}
	if used := e.Used("eu"); used[0] != 0 {
		t.Fatalf("refused bid kept capacity %v", used)
	}
	refuse, log = false, nil
	r.Step(ctx, false)
	if len(log) != 1 || log[0].Kind != EventBid || log[0].OrderID != "a" || log[0].Price != 4488 || log[0].Price > log[0].MaxPrice {
		t.Fatalf("second round: %+v", log)
	}
	log = nil
	r.Step(ctx, false)
	if len(log) != 0 {
		t.Fatalf("unchanged decisions logged again: %+v", log)
	}
	// Reject twin: the order leaves the book and comes back: its skip is logged again.
	book.Remove("b")
	r.Step(ctx, false)
	book.Add(order("b", market.Compute, "eu", 4, 4000))
	r.Step(ctx, false)
	if len(log) != 1 || log[0].OrderID != "b" {
		t.Fatalf("returning order: %+v", log)
	}
	if err := (&Runner{}).Run(ctx); !errors.Is(err, ErrConfig) {
		t.Fatalf("empty runner: %v", err)
	}
}
