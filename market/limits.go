package market

// Timeouts, rates and sizes. Operators may override the rate limit and the provisioning timeout
// through Config; these are the defaults of FEATURES.md §6.
const (
	// ProvisionTimeout is how long, in seconds, a matched order may stay unprovisioned before Tick
	// cancels it and refunds the escrow: 5 minutes (FEATURES.md §6.2).
	ProvisionTimeout int64 = 5 * 60

	// BidRateWindow and MaxBidsPerWindow rate-limit each provider: at most MaxBidsPerWindow bids in
	// each fixed window of BidRateWindow seconds, so one provider cannot flood the order book.
	BidRateWindow    int64 = 60
	MaxBidsPerWindow       = 120

	// HoursPerMonth converts a monthly unit price to an hourly rate (365 × 24 / 12).
	HoursPerMonth = 730

	// MaxMarkupBps bounds a bid's markup: at most +1000% over the unit prices.
	MaxMarkupBps = 100_000

	// MaxIDLen bounds identifiers; MaxRegions, MaxPrices, MaxResources and MaxScopes bound the
	// lists of an offering or order; MaxEnvelopeLen bounds a stored envelope (configurations and
	// deployment results are small; large data goes elsewhere and is referenced).
	MaxIDLen       = 128
	MaxRegions     = 64
	MaxPrices      = 16
	MaxResources   = 8
	MaxScopes      = 16
	MaxEnvelopeLen = 64 << 10

	// MaxScore is the top of the identity score scale (FEATURES.md §3).
	MaxScore = 100
)

// NetworkActor is the actor name the node uses for governance and automatic actions (moderation,
// timeouts); it may suspend offerings and close leases for the network.
const NetworkActor = "network"
