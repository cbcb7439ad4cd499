// Package bidengine is a provider's automatic bidder (FEATURES.md §6.4): it watches open orders,
// keeps those its offerings can serve (category, region, every resource priced) and its free
// capacity can hold, prices them with market.Quote at the configured markup, never bids above the
// order's maximum or below the offering's minimum, stays under the market's rate limit, and reserves
// capacity for each bid until the bid is lost or the lease ends.
//
// It runs at the provider, outside consensus:
//
//	eng, _ := bidengine.New(bidengine.Config{Provider: "prov", Offerings: offs, Capacity: caps}, prices)
//	book := bidengine.NewBook()              // or scan a *market.Market directly: both are Sources
//	reqs := eng.Scan(book, now)              // bid requests to submit with market.PlaceBid
//	eng.Lost(orderID) / eng.Closed(orderID)  // give capacity back
//	eng.LoadPrices(r)                        // new markups take effect at the next Scan, no restart
//
// Against a node, a Runner does all of it in a loop: node/client.OrderFeed is the Source (it follows
// the chain's order_created events and re-reads the orders), bids go out as market/bid transactions,
// a PriceFile reloads the operator's prices file when it changes (a bad file keeps the old prices),
// and every bid and skip is logged with its reason. `virtengine market bidder` is that loop:
//
//	r := &bidengine.Runner{Engine: eng, Source: feed, Refresh: feed.Sync, Prices: pf, Place: place, Log: log}
//	r.Run(ctx)
package bidengine
