package mfa

import (
	"bytes"
	"fmt"
	"io"
)

// Secret is key material: the shared secret of a TOTP or HOTP key. It prints as "[redacted]" under
// every fmt verb (%v, %+v, %#v, %s, %x, …), also as a field of a struct being printed, and it refuses
// to be encoded as JSON, text or gob, so it cannot reach a log line, an error or a plaintext store by
// accident. Store factor state with TOTP.Export, which seals it under a StateKey.
//
// The bytes are reachable on purpose only: Reveal returns a copy, OTPKey.RevealURI the otpauth://
// enrollment URI that carries the secret in base32.
type Secret []byte

const redacted = "[redacted]"

// Reveal returns a copy of the secret bytes. Call it only where the plaintext is the point (showing a
// new key to its owner for manual entry); never log or store the result.
func (s Secret) Reveal() []byte { return bytes.Clone(s) }

// String implements fmt.Stringer without the secret.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer without the secret.
func (s Secret) GoString() string { return "mfa.Secret(" + redacted + ")" }

// Format implements fmt.Formatter: every verb prints "[redacted]", %#v prints GoString.
func (s Secret) Format(f fmt.State, verb rune) { formatRedacted(f, verb, redacted, s.GoString()) }

// MarshalJSON refuses: a secret never goes into JSON in plaintext.
func (s Secret) MarshalJSON() ([]byte, error) { return nil, errPlaintext }

// MarshalText refuses: a secret never goes into text encodings (and slog's text handler) in plaintext.
func (s Secret) MarshalText() ([]byte, error) { return nil, errPlaintext }

// GobEncode refuses: a secret never goes into gob in plaintext.
func (s Secret) GobEncode() ([]byte, error) { return nil, errPlaintext }

var errPlaintext = fmt.Errorf("%w: refusing to encode a secret in plaintext; seal factor state with Export and a StateKey, or use OTPKey.RevealURI for enrollment", ErrInvalidInput)

// formatRedacted writes s for every verb and gs for %#v, so types that hold secrets or personal data
// print a fixed summary whatever the verb.
func formatRedacted(f fmt.State, verb rune, s, gs string) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, gs)
		return
	}
	io.WriteString(f, s)
}
