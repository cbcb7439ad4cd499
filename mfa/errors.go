package mfa

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error this package returns matches one of them with errors.Is; the typed
// errors below carry details and unwrap to their sentinel.
var (
	// Input and configuration.
	ErrInvalidInput  = errors.New("mfa: invalid input")
	ErrInvalidPolicy = errors.New("mfa: invalid policy")
	ErrUnknownTx     = errors.New("mfa: unknown transaction type")
	ErrUnknownFactor = errors.New("mfa: unknown factor type")

	// Policy and step-up.
	ErrScoreTooLow        = errors.New("mfa: identity score below the policy minimum")
	ErrNotRequired        = errors.New("mfa: no step-up required for this transaction")
	ErrStepUpRequired     = errors.New("mfa: step-up authentication required")
	ErrChallengeNotFound  = errors.New("mfa: unknown or finished challenge")
	ErrChallengeExpired   = errors.New("mfa: challenge expired")
	ErrTooManyTries       = errors.New("mfa: too many wrong answers")
	ErrLocked             = errors.New("mfa: account locked out after failed step-up")
	ErrFactorNotAllowed   = errors.New("mfa: factor does not count towards this requirement")
	ErrTooManyChallenges  = errors.New("mfa: too many open challenges")
	ErrSessionNotFound    = errors.New("mfa: unknown step-up session")
	ErrSessionExpired     = errors.New("mfa: step-up session expired")
	ErrSessionUsed        = errors.New("mfa: single-use step-up session already used")
	ErrSessionWrongAcct   = errors.New("mfa: step-up session belongs to another account")
	ErrSessionWrongTx     = errors.New("mfa: step-up session was opened for another transaction type")
	ErrSessionWrongDevice = errors.New("mfa: step-up session is bound to another device")
	ErrSessionValue       = errors.New("mfa: transaction value above what the step-up session covers")

	// Factors and enrollment.
	ErrFactorLimit      = errors.New("mfa: factor limit reached")
	ErrFactorNotFound   = errors.New("mfa: factor not enrolled")
	ErrLastFactor       = errors.New("mfa: cannot remove the last factor")
	ErrWrongCode        = errors.New("mfa: wrong code")
	ErrCodeReplayed     = errors.New("mfa: code already used")
	ErrCodeExpired      = errors.New("mfa: code expired")
	ErrRateLimited      = errors.New("mfa: too many codes requested")
	ErrSend             = errors.New("mfa: code delivery failed")
	ErrMalformedURI     = errors.New("mfa: malformed otpauth URI")
	ErrBackupCodesSpent = errors.New("mfa: no backup codes left")

	// WebAuthn (W3C WebAuthn Level 3 §7). go-webauthn's own errors are wrapped in a *WebAuthnError
	// that unwraps to one of these and to the library's *protocol.Error.
	ErrWebAuthn          = errors.New("mfa: webauthn verification failed")
	ErrMalformedResponse = errors.New("mfa: malformed webauthn response")
	ErrCeremonyNotFound  = errors.New("mfa: unknown, used or expired webauthn challenge")
	ErrOriginMismatch    = errors.New("mfa: webauthn origin not allowed")
	ErrRPIDMismatch      = errors.New("mfa: webauthn RP ID hash mismatch")
	ErrUserPresence      = errors.New("mfa: webauthn user presence flag not set")
	ErrUserVerification  = errors.New("mfa: webauthn user verification required but not performed")
	ErrCounterRollback   = errors.New("mfa: webauthn signature counter did not increase (cloned authenticator?)")
	ErrUnknownCredential = errors.New("mfa: webauthn credential not registered to this account")
	ErrBadSignature      = errors.New("mfa: webauthn signature invalid")
	ErrAttestation       = errors.New("mfa: webauthn attestation rejected")
	ErrBackupFlags       = errors.New("mfa: webauthn backup flags inconsistent")
)

// StepUpRequiredError says which factor sets would satisfy a transaction that has no valid
// session. Reason, when set, is why the closest session was refused (expired, used, …).
type StepUpRequiredError struct {
	Tx     TxType
	Rule   Rule
	Reason error
}

func (e *StepUpRequiredError) Error() string {
	msg := fmt.Sprintf("mfa: step-up required for %s: pass %s", e.Tx, describeSets(e.Rule.AnyOf))
	if e.Reason != nil {
		msg += " (" + e.Reason.Error() + ")"
	}
	return msg
}

// Unwrap returns ErrStepUpRequired and the reason, so errors.Is matches both.
func (e *StepUpRequiredError) Unwrap() []error {
	if e.Reason == nil {
		return []error{ErrStepUpRequired}
	}
	return []error{ErrStepUpRequired, e.Reason}
}

// ScoreError reports an identity score below a rule's minimum.
type ScoreError struct {
	Tx       TxType
	Score    uint8
	MinScore uint8
}

func (e *ScoreError) Error() string {
	return fmt.Sprintf("mfa: %s needs identity score %d, account has %d: complete identity verification to raise it", e.Tx, e.MinScore, e.Score)
}
func (e *ScoreError) Unwrap() error { return ErrScoreTooLow }

// LockedError reports a lockout and when it ends.
type LockedError struct {
	Account string
	Until   time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("mfa: account %q locked after failed step-up until %s", e.Account, e.Until.UTC().Format(time.RFC3339))
}
func (e *LockedError) Unwrap() error { return ErrLocked }

// FactorError is a failed factor check inside a challenge: which factor, how many tries remain.
type FactorError struct {
	Factor    FactorType
	TriesLeft int
	Err       error
}

func (e *FactorError) Error() string {
	return fmt.Sprintf("mfa: %s factor rejected (%d tries left): %v", e.Factor, e.TriesLeft, e.Err)
}
func (e *FactorError) Unwrap() error { return e.Err }

// WebAuthnError wraps a failed WebAuthn ceremony: Kind is one of the ErrWebAuthn… sentinels above,
// Err the underlying cause (often go-webauthn's *protocol.Error, whose Type and DevInfo it keeps).
type WebAuthnError struct {
	Kind error
	Err  error
}

func (e *WebAuthnError) Error() string {
	if e.Err == nil {
		return e.Kind.Error()
	}
	return e.Kind.Error() + ": " + e.Err.Error()
}

// Unwrap returns the kind, ErrWebAuthn and the cause.
func (e *WebAuthnError) Unwrap() []error {
	out := []error{e.Kind, ErrWebAuthn}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

func webauthnErr(kind, cause error) error { return &WebAuthnError{Kind: kind, Err: cause} }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidInput}, args...)...)
}
