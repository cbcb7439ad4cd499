package veidhttp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/virtengine/sdk/veid"
)

func wellKnownServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc(veid.WellKnownPath+"good-token", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(veid.DomainRecordValue("good-token") + "\n"))
	})
	mux.HandleFunc(veid.WellKnownPath+"other-token", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(veid.DomainRecordValue("not-this-one")))
	})
	mux.HandleFunc(veid.WellKnownPath+"moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://attacker.example/x", http.StatusFound)
	})
	mux.HandleFunc(veid.WellKnownPath+"huge", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(strings.Repeat(" ", 4096) + veid.DomainRecordValue("huge")))
	})
	ts := httptest.NewTLSServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func TestWellKnownOverTLS(t *testing.T) {
	ts := wellKnownServer(t)
	ctx := context.Background()
	if err := VerifyWellKnownAt(ctx, ts.Client(), ts.URL, "good-token"); err != nil {
		t.Fatal(err)
	}
	// By domain name: httptest's certificate is valid for example.com; route that name to the server.
	c := ts.Client()
	tr := c.Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, ts.Listener.Addr().String())
	}
	if err := VerifyWellKnown(ctx, &http.Client{Transport: tr}, "example.com", "good-token"); err != nil {
		t.Fatal(err)
	}
	// Reject twins: wrong content, missing file, redirect, oversized body, untrusted certificate,
	// plain HTTP origin, token with a path, invalid domain.
	for _, tok := range []string{"other-token", "missing", "moved", "huge"} {
		if err := VerifyWellKnownAt(ctx, ts.Client(), ts.URL, tok); !errors.Is(err, ErrWellKnown) {
			t.Errorf("%s: %v", tok, err)
		}
	}
	if err := VerifyWellKnownAt(ctx, &http.Client{}, ts.URL, "good-token"); !errors.Is(err, ErrWellKnown) {
		t.Error("untrusted certificate accepted:", err)
	}
	if err := VerifyWellKnownAt(ctx, ts.Client(), strings.Replace(ts.URL, "https", "http", 1), "good-token"); !errors.Is(err, ErrWellKnown) {
		t.Error("http origin accepted")
	}
	if err := VerifyWellKnownAt(ctx, ts.Client(), ts.URL, "../good-token"); !errors.Is(err, ErrWellKnown) {
		t.Error("path token accepted")
	}
	if err := VerifyWellKnown(ctx, ts.Client(), "bad_domain", "good-token"); !errors.Is(err, veid.ErrBadDomain) {
		t.Error(err)
	}
}

// issuer is a local OpenID provider: discovery document, JWKS and ES256-signed ID tokens.
type issuer struct {
	ts  *httptest.Server
	key *ecdsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": is.ts.URL, "jwks_uri": is.ts.URL + "/jwks",
			"authorization_endpoint": is.ts.URL + "/auth", "token_endpoint": is.ts.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	is.ts = httptest.NewTLSServer(mux)
	t.Cleanup(is.ts.Close)
	return is
}

func (is *issuer) token(t *testing.T, key *ecdsa.PrivateKey, claims map[string]any) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	sig, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := sig.CompactSerialize()
	return out
}

func TestOIDCAgainstLocalIssuer(t *testing.T) {
	is := newIssuer(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	v, err := NewOIDCVerifier(ctx, is.ts.Client(), is.ts.URL, "virtengine-wallet", func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	claims := func() map[string]any {
		return map[string]any{"iss": is.ts.URL, "sub": "user-42", "aud": "virtengine-wallet", "nonce": "n-1",
			"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "email": "u@example.org", "email_verified": true}
	}
	got, err := v.Verify(ctx, is.token(t, is.key, claims()), "n-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "user-42" || got.Issuer != is.ts.URL || !got.EmailVerified || got.Email != "u@example.org" {
		t.Fatalf("%+v", got)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cases := map[string]string{}
	cases["other key"] = is.token(t, other, claims())
	c := claims()
	c["aud"] = "someone-else"
	cases["wrong audience"] = is.token(t, is.key, c)
	c = claims()
	c["iss"] = "https://evil.example"
	cases["wrong issuer"] = is.token(t, is.key, c)
	c = claims()
	c["exp"] = now.Add(-time.Second).Unix()
	cases["expired"] = is.token(t, is.key, c)
	c = claims()
	c["nonce"] = "replayed"
	cases["wrong nonce"] = is.token(t, is.key, c)
	good := is.token(t, is.key, claims())
	cases["tampered token"] = good[:len(good)-90] + "A" + good[len(good)-89:]
	cases["garbage"] = "not.a.jwt"
	for name, tok := range cases {
		if _, err := v.Verify(ctx, tok, "n-1"); !errors.Is(err, ErrIDToken) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := NewOIDCVerifier(ctx, &http.Client{}, is.ts.URL, "x", nil); err == nil {
		t.Error("discovery over an untrusted certificate succeeded")
	}
}
