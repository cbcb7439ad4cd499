package bidengine

import (
	"context"
	"errors"
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
