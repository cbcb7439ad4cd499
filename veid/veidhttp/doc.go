// Package veidhttp holds the parts of VEID's web scopes that speak HTTP (FEATURES.md §3.7):
// domain ownership by an HTTPS well-known file, and SSO by verifying an OpenID Connect ID token
// against the issuer's published keys (go-oidc). The core package veid stays free of net/http.
//
// Most users call VerifyWellKnown for the domain scope and NewOIDCVerifier + Verify for the SSO scope.
package veidhttp
