package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/market"
	"github.com/virtengine/sdk/market/bidengine"
	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/keyring"
	"github.com/virtengine/sdk/node/tx"
)

// mktBidderCmd runs a provider's bid engine against a node: `virtengine market bidder`.
func mktBidderCmd() *cobra.Command {
	var nodeAddr, keyFile, pricesFile string
	var capacity []string
	var interval time.Duration
	c := &cobra.Command{
		Use:   "bidder --node ADDR --key KEYFILE --prices FILE [--capacity REGION=RES:N,...]",
		Short: "Run the provider's bid engine against a node: watch open orders, bid at the formula's price, reload prices when the file changes",
		Long: `bidder runs the bid engine (FEATURES.md §6.4) for the provider whose key is KEYFILE (a keyring file,
e.g. ~/.virtengine/keys/provider.json) against the node at ADDR. It bids from the provider's active
offerings on the node, at Σ unit price × quantity × (1 + markup), never above an order's maximum, and
logs every decision: a bid, or a skip with its reason (order and offering ids and prices only).

The prices file is JSON: {"default_markup_bps": 500, "markup_bps": {"gpu": 1500}}. Saving the file, or
sending SIGHUP, reloads it without a restart; a file that does not parse keeps the old prices and the
log says why. --capacity limits what the engine reserves per region (default: unlimited in every
region the offerings serve). SIGINT or SIGTERM stops the bidder.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyFile == "" || pricesFile == "" {
				return errors.New("--key (the provider's keyring file, e.g. ~/.virtengine/keys/provider.json) and --prices (a JSON prices file) are required")
			}
			key, err := readAccountKeyFile(keyFile)
			if err != nil {
				return err
			}
			caps, err := parseCapacity(capacity)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runBidder(ctx, cmd.OutOrStdout(), bidderOptions{node: nodeAddr, key: key, prices: pricesFile, capacity: caps, interval: interval})
		},
	}
	c.Flags().StringVar(&nodeAddr, "node", "127.0.0.1:26657", "node RPC address")
	c.Flags().StringVar(&keyFile, "key", "", "the provider's keyring file (virtengine keys add NAME writes <keyring>/NAME.json)")
	c.Flags().StringVar(&pricesFile, "prices", "", `prices file, JSON: {"default_markup_bps": N, "markup_bps": {"gpu": N}}`)
	c.Flags().StringArrayVar(&capacity, "capacity", nil, "capacity of a region as REGION=RESOURCE:N[,RESOURCE:N] (e.g. eu-north=cpu:64,memory:256), repeatable")
	c.Flags().DurationVar(&interval, "interval", 2*time.Second, "how often to look for new orders and changes to the prices file")
	return c
}

// readAccountKeyFile loads one keyring file (keyring/NAME.json).
func readAccountKeyFile(path string) (*tx.PrivKey, error) {
	name := strings.TrimSuffix(filepath.Base(path), ".json")
	if !strings.HasSuffix(path, ".json") {
		return nil, fmt.Errorf("--key %s: want a keyring file NAME.json (virtengine keys add NAME writes one)", path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("--key: %v (create a key with `virtengine keys add NAME` and pass <keyring>/NAME.json)", err)
	}
	kr := &keyring.Keyring{Dir: filepath.Dir(path)}
	k, _, err := kr.Get(name)
	return k, err
}

// parseCapacity reads --capacity REGION=RES:N,RES:N flags.
func parseCapacity(specs []string) (map[string]bidengine.Capacity, error) {
	out := map[string]bidengine.Capacity{}
	for _, s := range specs {
		region, list, ok := strings.Cut(s, "=")
		if !ok || region == "" || list == "" {
			return nil, fmt.Errorf("--capacity %q: write REGION=RESOURCE:N[,RESOURCE:N], e.g. eu-north=cpu:64,memory:256", s)
		}
		qs, err := parseQuantities(strings.Split(list, ","))
		if err != nil {
			return nil, fmt.Errorf("--capacity %q: %w", s, err)
		}
		var c bidengine.Capacity
		for _, q := range qs {
			c[q.Resource] = q.Amount
		}
		out[region] = c
	}
	return out, nil
}

type bidderOptions struct {
	node     string
	key      *tx.PrivKey
	prices   string
	capacity map[string]bidengine.Capacity
	interval time.Duration
	// reload, when set, replaces SIGHUP as the forced-reload signal (tests).
	reload <-chan struct{}
}

// runBidder runs until ctx ends; it returns nil then.
func runBidder(ctx context.Context, w io.Writer, o bidderOptions) error {
	cl, err := client.Dial(o.node)
	if err != nil {
		return fmt.Errorf("no node at %s (%v); start one with `virtengine node start` or `virtengine devnet`, or pass --node", o.node, err)
	}
	provider := o.key.Address().String()
	offs, err := cl.ProviderOfferings(ctx, provider)
	if err != nil {
		return err
	}
	if len(offs) == 0 {
		return fmt.Errorf("provider %s has no active offering on the node; publish one with `virtengine tx submit --type market/create_offering`", provider)
	}
	caps := o.capacity
	if len(caps) == 0 {
		caps = map[string]bidengine.Capacity{}
		for _, off := range offs {
			for _, r := range off.Regions {
				caps[r] = bidengine.Capacity{} // zero: not limited
			}
		}
	}
	eng, err := bidengine.New(bidengine.Config{Provider: provider, Offerings: offs, Capacity: caps}, bidengine.Prices{})
	if err != nil {
		return err
	}
	pf, err := bidengine.NewPriceFile(eng, o.prices)
	if err != nil {
		return err
	}
	feed := client.NewOrderFeed(cl, provider)
	feed.Release = eng.Closed
	reload := o.reload
	if reload == nil {
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		ch := make(chan struct{}, 1)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-hup:
					select {
					case ch <- struct{}{}:
					default:
					}
				}
			}
		}()
		reload = ch
	}
	var mu sync.Mutex
	logEv := func(ev bidengine.Event) {
		mu.Lock()
		defer mu.Unlock()
		writeBidderEvent(w, ev)
	}
	ids := make([]string, len(offs))
	for i, off := range offs {
		ids[i] = off.ID
	}
	p := eng.Prices()
	logEv(bidengine.Event{Kind: "start", MarkupBps: p.DefaultMarkupBps,
		Reason: fmt.Sprintf("provider %s bidding from %s on %s; save %s or send SIGHUP to reload prices", provider, strings.Join(ids, ","), o.node, o.prices)})
	r := &bidengine.Runner{
		Engine: eng, Source: feed, Refresh: feed.Sync, Prices: pf, Reload: reload, Interval: o.interval, Log: logEv,
		Now: func() int64 {
			if t := feed.BlockTime(); t > 0 {
				return t
			}
			return time.Now().Unix()
		},
		Place: func(ctx context.Context, req market.BidRequest) error {
			_, err := cl.PlaceBid(ctx, o.key, req)
			return err
		},
	}
	if err := r.Run(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// writeBidderEvent prints one log line: JSON with --json, otherwise text.
func writeBidderEvent(w io.Writer, ev bidengine.Event) {
	if jsonOut {
		rec := map[string]any{"time": time.Now().UTC().Format(time.RFC3339), "event": ev.Kind}
		if ev.OrderID != "" {
			rec["order"] = ev.OrderID
		}
		if ev.OfferingID != "" {
			rec["offering"] = ev.OfferingID
		}
		if ev.Kind == bidengine.EventBid || ev.Kind == bidengine.EventRefused {
			rec["price"], rec["markup_bps"] = ev.Price, ev.MarkupBps
		}
		if ev.OrderID != "" {
			rec["max_price"] = ev.MaxPrice
		}
		if ev.Kind == bidengine.EventPrices || ev.Kind == "start" {
			rec["default_markup_bps"] = ev.MarkupBps
		}
		if ev.Reason != "" {
			rec["reason"] = ev.Reason
		}
		writeJSONLine(w, rec)
		return
	}
	ts := time.Now().UTC().Format(time.RFC3339)
	switch ev.Kind {
	case bidengine.EventBid:
		fmt.Fprintf(w, "%s bid     order=%s offering=%s price=%d max=%d markup=%dbp\n", ts, ev.OrderID, ev.OfferingID, ev.Price, ev.MaxPrice, ev.MarkupBps)
	case bidengine.EventSkip:
		fmt.Fprintf(w, "%s skip    order=%s max=%d: %s\n", ts, ev.OrderID, ev.MaxPrice, ev.Reason)
	case bidengine.EventRefused:
		fmt.Fprintf(w, "%s refused order=%s offering=%s price=%d: %s\n", ts, ev.OrderID, ev.OfferingID, ev.Price, ev.Reason)
	case bidengine.EventPrices, "start":
		fmt.Fprintf(w, "%s %-7s default markup %dbp: %s\n", ts, ev.Kind, ev.MarkupBps, ev.Reason)
	default:
		fmt.Fprintf(w, "%s %s: %s\n", ts, ev.Kind, ev.Reason)
	}
}

func writeJSONLine(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	w.Write(append(b, '\n'))
}
