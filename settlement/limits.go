package settlement

// Fees and limits. Fees are integer basis points (1 bp = 0.01%) applied with truncating division,
// so 1,000,000 settles as platform 50,000, validator 10,000, provider 940,000 (FEATURES.md §7.3).
const (
	// BasisPoints is 100%.
	BasisPoints = 10_000
	// PlatformFeeBps is the platform's share of every settled amount: 5%.
	PlatformFeeBps = 500
	// ValidatorFeeBps is the validators' share of every settled amount: 1%, paid into ValidatorPool
	// and distributed by DistributeRewards.
	ValidatorFeeBps = 100

	// DisputeWindow is how long, in seconds, the customer may dispute or both sides may correct a
	// settlement before it is paid out: 7 days (FEATURES.md §7.3).
	DisputeWindow int64 = 7 * 24 * 3600

	// MilliUnits is the scale of usage quantities: 1,000 milli-units are one core-hour, GB-hour,
	// GPU-hour or GB. Integer milli-units keep quantities exact without floats.
	MilliUnits = 1_000

	// MaxIDLen bounds account, escrow and invoice identifiers so keys stay small.
	MaxIDLen = 128
	// MaxUsageRecordLen bounds an encoded usage record; the parser refuses longer inputs.
	MaxUsageRecordLen = 4096
	// MaxLineItems bounds the lines of one invoice.
	MaxLineItems = 256
	// MaxContributors bounds one reward distribution.
	MaxContributors = 10_000
)

// Accounts the ledger pays fees into.
const (
	// PlatformAccount receives the platform fee.
	PlatformAccount = "platform"
	// ValidatorPool accumulates validator fees until DistributeRewards pays node operators.
	ValidatorPool = "validator-pool"
)
