package veid

import (
	"crypto/ed25519"
	"errors"
	"fmt"
)

// Sentinel errors. Callers branch on them with errors.Is; the values returned usually wrap them in an
// *Error that carries a stable code and details.
var (
	// Keys.
	ErrBadKey = errors.New("veid: signing key is not a 64-byte Ed25519 private key")

	// Encodings. Every string that is hashed or signed carries a u16 length prefix (PROTOCOL.md);
	// a longer string is refused rather than cut, so two strings never encode the same.
	ErrTooLong = errors.New("veid: string is too long for its length prefix; shorten it to at most 65535 bytes")

	// Scopes (§3.1).
	ErrTooManyScopes      = errors.New("veid: too many scopes for this account")
	ErrTooManyOfKind      = errors.New("veid: too many scopes of this kind")
	ErrUnknownKind        = errors.New("veid: unknown scope kind")
	ErrScopeNotFound      = errors.New("veid: scope not found")
	ErrScopeRevoked       = errors.New("veid: scope is revoked")
	ErrDuplicateScope     = errors.New("veid: scope id already present")
	ErrDuplicateIdentity  = errors.New("veid: face or document already verified for another account")
	ErrPlaintextEvidence  = errors.New("veid: scope evidence must be an envelope; seal it to the identity network")
	ErrEvidenceRecipients = errors.New("veid: scope evidence is not sealed to every recipient key of the identity network; seal it to the network's current recipients")
	ErrAnonymousEvidence  = errors.New("veid: scope evidence hides its recipients; seal it with named recipients (envelope.SealOptions.Anonymous false)")
	ErrNoNetwork          = errors.New("veid: the scope store has no network recipients; create it with NewScopes or call SetNetwork")

	// Capture binding (§3.2).
	ErrMalformedUpload    = errors.New("veid: malformed upload")
	ErrSaltLength         = errors.New("veid: salt must be 32 to 64 bytes")
	ErrWeakSalt           = errors.New("veid: salt is all-zero or a single repeated byte")
	ErrSaltReused         = errors.New("veid: capture salt was already used")
	ErrUnknownClient      = errors.New("veid: unknown capture client")
	ErrClientRevoked      = errors.New("veid: capture client key is revoked")
	ErrClientKeyPending   = errors.New("veid: capture client key is not active yet")
	ErrClientKeyExpired   = errors.New("veid: deprecated capture client key is past its overlap window")
	ErrBadClientSignature = errors.New("veid: client signature does not verify")
	ErrBadUserSignature   = errors.New("veid: user signature does not verify over the client signature")
	ErrStaleCapture       = errors.New("veid: capture is older than the salt age limit")
	ErrFutureCapture      = errors.New("veid: capture time is beyond the allowed clock skew")
	ErrPayloadHash        = errors.New("veid: evidence does not match the signed payload hash")
	ErrReplayCacheFull    = errors.New("veid: replay cache is full of live entries")
	ErrBadKeyState        = errors.New("veid: illegal client key state change")

	// Scoring (§3.3).
	ErrFeatureRange = errors.New("veid: feature outside 0..10000 basis points")
	ErrModelVersion = errors.New("veid: scoring model version differs from the network parameters")
	ErrScoreRange   = errors.New("veid: score outside 0..100")

	// Records and tiers (§3.4, §3.5).
	ErrIllegalTransition = errors.New("veid: illegal identity record transition")
	ErrRecordLocked      = errors.New("veid: identity record is locked")
	ErrRequirement       = errors.New("veid: identity does not meet the requirement")
	ErrCooldown          = errors.New("veid: too soon after a rejection")

	// Consensus (§3.6).
	ErrNoQuorum        = errors.New("veid: no score has more than 2/3 of the voting power")
	ErrBadPower        = errors.New("veid: invalid validator set: names must be unique, power positive and the total bounded")
	ErrUnknownVoter    = errors.New("veid: vote from a validator outside the set")
	ErrDuplicateVote   = errors.New("veid: validator voted twice")
	ErrBadVoteSig      = errors.New("veid: vote signature does not verify")
	ErrNotValidator    = errors.New("veid: this validator is not a recipient of the evidence")
	ErrEvidenceDecrypt = errors.New("veid: evidence could not be opened")

	// Web scopes (§3.7).
	ErrOTPRateLimited = errors.New("veid: too many codes requested; wait before asking again")
	ErrOTPLocked      = errors.New("veid: too many wrong codes; account temporarily locked")
	ErrOTPWrongCode   = errors.New("veid: wrong code")
	ErrOTPExpired     = errors.New("veid: code expired")
	ErrOTPNoChallenge = errors.New("veid: no pending code for this destination")
	ErrOTPTriesUsed   = errors.New("veid: no tries left for this code")
	ErrDomainNotFound = errors.New("veid: verification token not found for the domain")
	ErrBadDomain      = errors.New("veid: invalid domain name")

	// Attestations (§3.8).
	ErrMalformedVC  = errors.New("veid: malformed verifiable credential")
	ErrBadProof     = errors.New("veid: data integrity proof does not verify")
	ErrUnsupported  = errors.New("veid: unsupported proof type or cryptosuite")
	ErrJCS          = errors.New("veid: JSON cannot be canonicalized (RFC 8785)")
	ErrVCExpired    = errors.New("veid: credential is expired or not yet valid")
	ErrNotPassed    = errors.New("veid: verification did not pass")
	ErrBadMultibase = errors.New("veid: malformed multibase or multikey value")

	// Consent and wallet (§3.9).
	ErrNoConsent         = errors.New("veid: scope has no consent")
	ErrBadWalletBinding  = errors.New("veid: wallet binding signature does not verify")
	ErrWalletNotBound    = errors.New("veid: wallet is not bound to this account")
	ErrConsentNotAllowed = errors.New("veid: consent change not allowed")
)

// Error is the typed error of this package: a stable machine code, the sentinel it wraps, and detail.
type Error struct {
	Code   string // stable code, e.g. "SALT_REUSED"
	Err    error  // the sentinel
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

// Unwrap returns the sentinel so errors.Is works.
func (e *Error) Unwrap() error { return e.Err }

func newErr(code string, sentinel error, format string, args ...any) *Error {
	return &Error{Code: code, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

// checkPrivateKey refuses a key ed25519.Sign would panic on (anything but 64 bytes) with ErrBadKey,
// code "BAD_KEY".
func checkPrivateKey(role string, k ed25519.PrivateKey) error {
	if len(k) != ed25519.PrivateKeySize {
		return newErr("BAD_KEY", ErrBadKey, "%s key is %d bytes (ed25519.NewKeyFromSeed makes one from a 32-byte seed)", role, len(k))
	}
	return nil
}
