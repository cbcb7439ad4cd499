package mfa

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
)

// precheck runs the origin, RP ID and flag checks of §7.1 steps 9, 14–16 and §7.2 steps 13,
// 15–17 before go-webauthn, so each failure gets its own error. go-webauthn repeats them.
func (p *Passkeys) precheck(origin string, auth protocol.AuthenticatorData) error {
	if !p.originAllowed(origin) {
		return webauthnErr(ErrOriginMismatch, fmt.Errorf("origin %q", origin))
	}
	if !bytes.Equal(auth.RPIDHash, p.rpHash[:]) {
		return webauthnErr(ErrRPIDMismatch, fmt.Errorf("credential is scoped to another RP ID than %q", p.cfg.RPID))
	}
	if !auth.Flags.UserPresent() {
		return webauthnErr(ErrUserPresence, nil)
	}
	if p.uvReq && !auth.Flags.UserVerified() {
		return webauthnErr(ErrUserVerification, nil)
	}
	return nil
}

// originAllowed compares scheme and host case-insensitively and the port exactly (RFC 6454 §5).
func (p *Passkeys) originAllowed(origin string) bool {
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" {
		return false
	}
	for _, allowed := range p.cfg.Origins {
		a, err := url.Parse(allowed)
		if err == nil && strings.EqualFold(a.Scheme, o.Scheme) && strings.EqualFold(a.Host, o.Host) && o.Path == "" {
			return true
		}
	}
	return false
}

// mapWebAuthnErr wraps an error of go-webauthn in a *WebAuthnError whose kind callers can match.
func mapWebAuthnErr(err error) error {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		return webauthnErr(ErrWebAuthn, err)
	}
	switch pe.Type {
	case protocol.ErrAssertionSignature.Type:
		return webauthnErr(ErrBadSignature, err)
	case protocol.ErrAttestation.Type, protocol.ErrInvalidAttestation.Type, protocol.ErrAttestationFormat.Type,
		protocol.ErrAttestationCertificate.Type, protocol.ErrMetadata.Type:
		return webauthnErr(ErrAttestation, err)
	case protocol.ErrParsingData.Type:
		return webauthnErr(ErrMalformedResponse, err)
	}
	return webauthnErr(ErrWebAuthn, err)
}
