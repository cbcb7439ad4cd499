package veid

import "time"

// Limits of FEATURES.md §3. Operators that need other values pass them in the option structs that
// default to these constants.
const (
	// MaxScopesPerAccount and MaxScopesPerKind bound how much evidence one account can pile up (§3.1).
	MaxScopesPerAccount = 50
	MaxScopesPerKind    = 5

	// MinSaltLen and MaxSaltLen bound the capture salt: at least 256 bits of freshness (§3.2).
	MinSaltLen = 32
	MaxSaltLen = 64

	// MaxSaltAge is how old a capture may be when it reaches a validator (§3.2).
	MaxSaltAge = 5 * time.Minute
	// ReplayWindow is how long a salt is remembered; it exceeds MaxSaltAge+MaxClockSkew so a salt
	// cannot come back after it was forgotten.
	ReplayWindow = 10 * time.Minute
	// MaxClockSkew is the tolerance for a capture time in the future (§3.2).
	MaxClockSkew = 30 * time.Second
	// DefaultReplayCacheSize bounds the memory of the replay cache; when full of live entries the
	// cache fails closed (ErrReplayCacheFull) rather than forgetting a salt inside the window.
	DefaultReplayCacheSize = 1 << 16
	// ClientKeyOverlap is how long a deprecated client key still verifies after a rotation (§3.2).
	ClientKeyOverlap = 7 * 24 * time.Hour

	// MaxIDLen bounds device, session, client and account identifiers in a binding.
	MaxIDLen = 256
	// MaxEvidenceLen bounds the evidence (an envelope) carried in one upload: 64 MiB.
	MaxEvidenceLen = 64 << 20

	// BasisPoints is 100% in the scoring arithmetic.
	BasisPoints = 10000
	// PassThreshold is the lowest passing score (0–100), §3.3.
	PassThreshold = 50

	// RecordValidity is how long a verified identity stays verified (§3.5).
	RecordValidity = 365 * 24 * time.Hour
	// MaxHistory bounds the transition history kept on a record; older entries are dropped first.
	MaxHistory = 256

	// OTP limits of §3.7: 6 digits, 300 s, 3 tries.
	OTPDigits   = 6
	OTPLifetime = 300 * time.Second
	OTPMaxTries = 3
	// OTPPerAccountPerHour, OTPPerDestinationPerHour and OTPGlobalPerMinute rate-limit code sends.
	OTPPerAccountPerHour     = 5
	OTPPerDestinationPerHour = 5
	OTPGlobalPerMinute       = 600
	// OTPFailuresBeforeLock is how many wrong codes, across challenges, lock an account for OTPLockout.
	OTPFailuresBeforeLock = 10
	OTPLockout            = time.Hour

	// DomainTXTPrefix names the DNS record checked for domain ownership (§3.7).
	DomainTXTPrefix = "_virtengine-verification."
	// WellKnownPath is the HTTPS path prefix checked for domain ownership (§3.7).
	WellKnownPath = "/.well-known/virtengine-verification/"

	// Attestation validity per evidence class (§3.8).
	ValidityBiometric = 30 * 24 * time.Hour
	ValidityContact   = 90 * 24 * time.Hour  // email, SMS, SSO
	ValidityDocument  = 365 * 24 * time.Hour // document, domain

	// MaxVCLen bounds a credential document accepted by ParseVC.
	MaxVCLen = 1 << 20
	// MaxJSONDepth bounds nesting in JCS canonicalization.
	MaxJSONDepth = 64
)
