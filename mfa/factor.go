package mfa

import (
	"strings"
	"time"
)

// FactorType names a kind of authentication factor (FEATURES.md §4.1).
type FactorType string

// The factor types. Their levels are fixed by Level.
const (
	FactorFIDO2         FactorType = "fido2"          // WebAuthn: security key or platform passkey
	FactorHardwareKey   FactorType = "hardware_key"   // a non-FIDO hardware token (PIV, smart card)
	FactorVEID          FactorType = "veid"           // a fresh VEID face re-check
	FactorTOTP          FactorType = "totp"           // RFC 6238 authenticator app
	FactorSMS           FactorType = "sms"            // code sent by SMS
	FactorVoice         FactorType = "voice"          // code read out by a voice call
	FactorEmail         FactorType = "email"          // code sent by email
	FactorTrustedDevice FactorType = "trusted_device" // a device the account marked as trusted
	FactorBackupCode    FactorType = "backup_code"    // single-use printed code
)

// AllFactorTypes lists every factor type in a fixed order.
var AllFactorTypes = []FactorType{
	FactorFIDO2, FactorHardwareKey, FactorVEID, FactorTOTP, FactorSMS, FactorVoice, FactorEmail,
	FactorTrustedDevice, FactorBackupCode,
}

// Level is the assurance of a factor: high (FIDO2, VEID, hardware key), medium (TOTP), low (the rest).
type Level uint8

const (
	LevelLow    Level = 1
	LevelMedium Level = 2
	LevelHigh   Level = 3
)

func (l Level) String() string {
	switch l {
	case LevelHigh:
		return "high"
	case LevelMedium:
		return "medium"
	case LevelLow:
		return "low"
	}
	return "unknown"
}

// Valid reports whether t is one of the known factor types.
func (t FactorType) Valid() bool {
	for _, k := range AllFactorTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Level returns the assurance level of t (FEATURES.md §4.1), or 0 for an unknown type.
func (t FactorType) Level() Level {
	switch t {
	case FactorFIDO2, FactorVEID, FactorHardwareKey:
		return LevelHigh
	case FactorTOTP:
		return LevelMedium
	case FactorSMS, FactorVoice, FactorEmail, FactorTrustedDevice, FactorBackupCode:
		return LevelLow
	}
	return 0
}

// Factor is one way an account proves itself inside a step-up challenge.
//
// Verify checks response (a code, a WebAuthn assertion JSON, …) for account at time now. It returns
// nil only when the response proves the factor; any error counts as a wrong try. Errors match the
// package sentinels (ErrWrongCode, ErrCodeReplayed, ErrWebAuthn, …) with errors.Is. Verify must not
// panic on any response bytes.
type Factor interface {
	Type() FactorType
	Verify(account string, response []byte, now time.Time) error
}

// ChallengeFactor is a Factor whose proof is made for one step-up challenge: a WebAuthn assertion
// signs a challenge begun for that step-up (Passkeys.BeginStepUp). Engine.Submit calls
// VerifyChallenge, with the challenge the response is submitted to, instead of Verify; the factor
// refuses a proof made for any other challenge. VerifyChallenge must not panic on any response.
type ChallengeFactor interface {
	Factor
	VerifyChallenge(c Challenge, response []byte, now time.Time) error
}

// FactorSet is a set of factors that must all be passed (an AND).
type FactorSet []FactorType

func (s FactorSet) String() string {
	parts := make([]string, len(s))
	for i, f := range s {
		parts[i] = string(f)
	}
	return strings.Join(parts, " + ")
}

func describeSets(sets []FactorSet) string {
	parts := make([]string, len(sets))
	for i, s := range sets {
		parts[i] = s.String()
	}
	return strings.Join(parts, " or ")
}

// satisfiedBy reports whether the passed factors cover the set. With a trusted device the set needs
// one factor fewer, never fewer than one (FEATURES.md §4.4).
func (s FactorSet) satisfiedBy(passed []FactorType, trusted bool) bool {
	need := len(s)
	if trusted && need > 1 {
		need--
	}
	have := 0
	for _, f := range s {
		if containsFactor(passed, f) {
			have++
		}
	}
	return have >= need
}

func containsFactor(list []FactorType, f FactorType) bool {
	for _, g := range list {
		if g == f {
			return true
		}
	}
	return false
}
