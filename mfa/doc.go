// Package mfa is VirtEngine's multi-factor authentication: passkeys first, then TOTP, delivered
// codes and backup codes, gating every sensitive transaction through a versioned policy and
// short-lived step-up sessions (FEATURES.md §4).
//
// Most users need three things:
//
//   - An Engine (NewEngine with the zero Config enforces DefaultPolicy). Before a sensitive
//     transaction call Engine.Begin, pass factors with Engine.Submit until the Progress is Complete,
//     then let the transaction through with Engine.Authorize. Other modules depend only on the Gate
//     interface ("does this account hold a valid step-up session for transaction type X?").
//   - Factors: Passkeys (WebAuthn via go-webauthn; ceremonies with no HTTP, see package
//     mfa/mfahttp for the net/http adapter), TOTP and HOTP (RFC 6238 / RFC 4226, otpauth:// URIs
//     and QR codes), delivered codes (SMS, voice call, email) through a Sender, backup codes, and
//     FactorFunc for checks done elsewhere (a VEID face re-check).
//   - A Registry of enrolled factors per account, the one way to enroll, replace or remove a
//     factor of any kind: it drives the factor stores (Registry.SetStores), applies one limit of
//     10 factors across kinds, asks for the step-ups of FEATURES.md §4.5, and revokes a removed or
//     replaced factor in its store so it stops verifying.
//
// Factor state is stored sealed: each store's Export takes a StateKey and returns one AES-256-GCM
// record per account, bound to the account and the factor; Import refuses a record sealed under
// another key, changed, or moved to another account. Secrets print as "[redacted]" with every fmt
// verb and refuse plaintext encodings; OTPKey.RevealURI is the one place a TOTP secret is shown, for
// enrollment.
//
// The package reads no clock and no global state: every call that depends on time takes now, and
// identifiers come from Config.Rand, so a node can run the engine inside consensus.
package mfa
