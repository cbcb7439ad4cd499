package veidhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/virtengine/sdk/veid"
)

// MaxWellKnownBody bounds the well-known file read: the expected value is under 300 bytes.
const MaxWellKnownBody = 1024

// ErrWellKnown is returned (wrapped) when the well-known file is missing or does not hold the token.
var ErrWellKnown = errors.New("veidhttp: domain well-known file does not prove ownership")

// VerifyWellKnown fetches https://<domain>/.well-known/virtengine-verification/<token> and checks
// that it holds veid.DomainRecordValue(token) (surrounding whitespace ignored). Only HTTPS is used,
// redirects are not followed, and the body is bounded. client nil means http.DefaultClient's
// transport with a 10 s timeout.
func VerifyWellKnown(ctx context.Context, client *http.Client, domain, token string) error {
	if err := veid.CheckDomainName(domain); err != nil {
		return err
	}
	return VerifyWellKnownAt(ctx, client, "https://"+strings.TrimSuffix(domain, "."), token)
}

// VerifyWellKnownAt is VerifyWellKnown against an explicit HTTPS origin ("https://host[:port]").
func VerifyWellKnownAt(ctx context.Context, client *http.Client, origin, token string) error {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("%w: origin must be https://host", ErrWellKnown)
	}
	if token == "" || strings.ContainsAny(token, "/?#%") {
		return fmt.Errorf("%w: token must be a plain path segment", ErrWellKnown)
	}
	c := http.Client{Timeout: 10 * time.Second}
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+u.Host+veid.WellKnownPath+token, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrWellKnown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered %s; publish the file at %s%s", ErrWellKnown, u.Host, resp.Status, veid.WellKnownPath, token)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxWellKnownBody+1))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrWellKnown, err)
	}
	if len(body) > MaxWellKnownBody || strings.TrimSpace(string(body)) != veid.DomainRecordValue(token) {
		return fmt.Errorf("%w: file content must be %q", ErrWellKnown, veid.DomainRecordValue(token))
	}
	return nil
}
