package mfa

import "time"

// Limits and defaults of the mfa package, in one place (FEATURES.md §4). Operators override the
// durations through Config; the counts are hard limits that bound memory per account.
const (
	// MaxFactorsPerAccount bounds enrollment: an account holds at most 10 factors of all types.
	MaxFactorsPerAccount = 10

	// ChallengeTTL is how long a step-up challenge may be answered (§4.4: 300 s).
	ChallengeTTL = 300 * time.Second

	// MaxTries is how many wrong answers a challenge accepts before it dies and the account is
	// locked out (§4.4: 3 tries).
	MaxTries = 3

	// LockoutBase is the first lockout after a challenge used up its tries; each further lockout in a
	// row doubles it, up to LockoutMax. A completed step-up resets the count.
	LockoutBase = 1 * time.Minute
	// LockoutMax caps the backoff at one day.
	LockoutMax = 24 * time.Hour

	// SingleUseSessionTTL is how long a single-use session waits for its one transaction. A single-use
	// session dies on use; this bounds one that is never used.
	SingleUseSessionTTL = 5 * time.Minute

	// MaxOpenChallenges bounds the challenges one account may have open at a time.
	MaxOpenChallenges = 8
	// MaxSessionsPerAccount bounds the step-up sessions (live or recently used) held per account.
	MaxSessionsPerAccount = 32

	// MaxAccountLen and MaxDeviceLen bound identifiers that arrive from users.
	MaxAccountLen = 256
	MaxDeviceLen  = 256

	// MaxScore is the top of the identity score scale (FEATURES.md §3: 0–100).
	MaxScore = 100
)

// One-time password limits (RFC 4226 §5.3, RFC 6238 §4).
const (
	// TOTPPeriod is the default time step X of RFC 6238 §4.1: 30 seconds.
	TOTPPeriod = 30
	// TOTPSkew is how many steps either side of the current one are accepted (RFC 6238 §5.2: ±1).
	TOTPSkew = 1
	// MinDigits and MaxDigits bound the code length: RFC 4226 §5.3 requires at least 6; 8 is the
	// largest that fits the 31-bit dynamic truncation with room to spare.
	MinDigits = 6
	MaxDigits = 8
	// MinSecretLen is the shared secret minimum of RFC 4226 §4 (128 bits); RecommendedSecretLen is
	// its recommendation (160 bits) and what Generate creates for SHA-1. SHA-256 and SHA-512 keys
	// are generated at their hash length (RFC 6238 Appendix B uses 32 and 64 byte seeds).
	MinSecretLen         = 16
	RecommendedSecretLen = 20
	MaxSecretLen         = 128
	// HOTPLookAhead is how many counters past the expected one HOTP verification accepts
	// (RFC 4226 §7.4 resynchronisation window).
	HOTPLookAhead = 3
	// MaxURILen bounds otpauth:// URIs accepted by ParseURI.
	MaxURILen = 2048
	// MaxLabelLen bounds the issuer and account name inside an otpauth:// URI.
	MaxLabelLen = 256
)

// Delivered codes (SMS, voice call, email) and backup codes.
const (
	// DeliveredCodeDigits, DeliveredCodeTTL and DeliveredCodeTries follow FEATURES.md §3.7:
	// 6 digits, 300 s, 3 tries.
	DeliveredCodeDigits = 6
	DeliveredCodeTTL    = 300 * time.Second
	DeliveredCodeTries  = 3
	// DeliveredCodeInterval is the minimum time between two codes sent to one account and channel.
	DeliveredCodeInterval = 30 * time.Second

	// DeliveredCodesPerHour bounds the codes sent to one account and channel in a rolling hour.
	DeliveredCodesPerHour = 10
	// MaxDestinationLen bounds a phone number or email address.
	MaxDestinationLen = 320

	// BackupCodeCount is how many backup codes one generation yields; BackupCodeLen is the number of
	// base32 characters in each: 16 × 5 = 80 bits, enough that a salted SHA-256 of a code cannot be
	// searched offline.
	BackupCodeCount = 10
	BackupCodeLen   = 16
	// MaxFactorLabelLen bounds the label of an enrolled factor.
	MaxFactorLabelLen = 64
)

// WebAuthn limits.
const (
	// WebAuthnCeremonyTTL is how long a registration or login ceremony waits for the browser.
	WebAuthnCeremonyTTL = 300 * time.Second
	// MaxWebAuthnResponse bounds the JSON of a credential response accepted from a client.
	MaxWebAuthnResponse = 64 << 10
	// MaxOpenCeremonies bounds the WebAuthn ceremonies held open at once (all accounts).
	MaxOpenCeremonies = 4096
)
