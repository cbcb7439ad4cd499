package tx

// Limits on what a transaction may hold. They bound the work a validator does on untrusted bytes.
const (
	// MaxTxBytes is the largest encoded transaction: an identity evidence bundle (document, selfie
	// and a few face-video frames, encrypted; the SDK demo's is ~860 KiB) fits, and a block of 4 MiB
	// still holds two of the largest. The node raises CometBFT's mempool and RPC body limits to match.
	MaxTxBytes = 2 << 20
	// MaxChainIDLen matches CometBFT's own limit on chain ids (types.MaxChainIDLen).
	MaxChainIDLen = 50
	// MaxTypeLen bounds the message type name ("bank/send", "market/create_order", …).
	MaxTypeLen = 64
	// MaxMemoLen bounds the free-text memo; memos are public, so they are short by design.
	MaxMemoLen = 256
	// AddressLen is the length of an account address: the first 20 bytes of a SHA-256.
	AddressLen = 20
	// MaxRoleLen bounds role names.
	MaxRoleLen = 32
)

// SignDomain prefixes every signed body, so a transaction signature can never be confused with a
// signature made by the same key for another purpose (a vote extension, an envelope, a usage record).
const SignDomain = "virtengine/tx/v1\x00"

// Denom is the native denomination in which fees and balances are counted, in integer base units.
const Denom = "uve"
