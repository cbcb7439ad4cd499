package veidhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// ErrIDToken is returned (wrapped) when an ID token does not verify: signature, issuer, audience,
// expiry (OpenID Connect Core 1.0 §3.1.3.7) or nonce (§3.1.3.7 step 11).
var ErrIDToken = errors.New("veidhttp: ID token rejected")

// SSOClaims are the facts the SSO scope keeps from a verified ID token.
type SSOClaims struct {
	Issuer        string `json:"iss"`
	Subject       string `json:"sub"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
}

// OIDCVerifier verifies ID tokens of one issuer for one client id.
type OIDCVerifier struct {
	verifier *oidc.IDTokenVerifier
}

// NewOIDCVerifier discovers the issuer (OpenID Connect Discovery 1.0 §4) with client (nil: the
// default client) and prepares verification for clientID. now supplies the time (nil: time.Now).
func NewOIDCVerifier(ctx context.Context, client *http.Client, issuerURL, clientID string, now func() time.Time) (*OIDCVerifier, error) {
	keyCtx := context.Background() // used later to refresh the issuer's keys
	if client != nil {
		ctx, keyCtx = oidc.ClientContext(ctx, client), oidc.ClientContext(keyCtx, client)
	}
	p, err := oidc.NewProvider(ctx, issuerURL)
	if err != nil {
		return nil, fmt.Errorf("veidhttp: discover %s: %w", issuerURL, err)
	}
	return &OIDCVerifier{verifier: p.VerifierContext(keyCtx, &oidc.Config{ClientID: clientID, Now: now})}, nil
}

// Verify checks rawIDToken and that its nonce equals the one the relying party sent.
func (v *OIDCVerifier) Verify(ctx context.Context, rawIDToken, nonce string) (*SSOClaims, error) {
	tok, err := v.verifier.Verify(ctx, rawIDToken)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	if nonce == "" || tok.Nonce != nonce {
		return nil, fmt.Errorf("%w: nonce does not match the authentication request", ErrIDToken)
	}
	c := &SSOClaims{Issuer: tok.Issuer, Subject: tok.Subject}
	if err := tok.Claims(c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	return c, nil
}
