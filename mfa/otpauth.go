package mfa

import (
	"encoding/base32"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// The otpauth:// Key URI format that authenticator apps scan (Google Authenticator's
// "Key Uri Format", also used by every major app):
//
//	otpauth://totp/Issuer:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Issuer&algorithm=SHA1&digits=6&period=30
//
// The secret is base32 (RFC 4648 §6) without padding.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// RevealURI returns the otpauth:// enrollment URI of the key. The URI carries the secret in plaintext
// (base32): show it to the key's owner once, at enrollment, as text or as a QR code
// (RevealQRCodePNG), and never log or store it. Factor state is stored sealed: TOTP.Export.
func (k *OTPKey) RevealURI() string {
	label := url.PathEscape(k.AccountName)
	if k.Issuer != "" {
		label = url.PathEscape(k.Issuer) + ":" + label
	}
	q := url.Values{}
	q.Set("secret", b32.EncodeToString(k.Secret))
	if k.Issuer != "" {
		q.Set("issuer", k.Issuer)
	}
	alg := k.Algorithm
	if alg == "" {
		alg = SHA1
	}
	q.Set("algorithm", string(alg))
	q.Set("digits", strconv.Itoa(k.Digits))
	if k.Type == "hotp" {
		q.Set("counter", strconv.FormatUint(k.Counter, 10))
	} else {
		q.Set("period", strconv.FormatUint(uint64(k.Period), 10))
	}
	return "otpauth://" + k.Type + "/" + label + "?" + q.Encode()
}

// RevealQRCodePNG renders the key's enrollment URI (RevealURI) as a QR code PNG of size×size pixels
// (medium error correction) for an authenticator app to scan. The image carries the secret: show it
// once and do not keep it.
func (k *OTPKey) RevealQRCodePNG(size int) ([]byte, error) {
	if size < 64 || size > 4096 {
		return nil, invalid("QR size must be 64–4096 pixels")
	}
	png, err := qrcode.Encode(k.RevealURI(), qrcode.Medium, size)
	if err != nil {
		return nil, fmt.Errorf("mfa: QR code: %w", err)
	}
	return png, nil
}

// ParseURI parses an otpauth:// URI. Unknown parameters are ignored (apps add their own); missing
// algorithm, digits and period take the defaults SHA1, 6 and 30. Errors match ErrMalformedURI, or
// ErrInvalidInput for parameters out of range.
func ParseURI(s string) (*OTPKey, error) {
	if len(s) > MaxURILen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformedURI, MaxURILen)
	}
	u, err := url.Parse(s)
	if err != nil {
		// net/url's errors quote the URI (the whole of it, or a port or host that can hold the
		// secret when the '?' is missing): say nothing of the input.
		return nil, fmt.Errorf("%w: not a valid URI", ErrMalformedURI)
	}
	if u.Scheme != "otpauth" {
		return nil, fmt.Errorf("%w: scheme %q, want otpauth", ErrMalformedURI, u.Scheme)
	}
	k := &OTPKey{Type: u.Host, Algorithm: SHA1, Digits: MinDigits}
	if k.Type != "totp" && k.Type != "hotp" {
		return nil, fmt.Errorf("%w: type %q, want totp or hotp", ErrMalformedURI, u.Host)
	}
	label := strings.TrimPrefix(u.Path, "/")
	issuer, account, hasIssuer := strings.Cut(label, ":")
	if !hasIssuer {
		account, issuer = issuer, ""
	}
	k.AccountName = strings.TrimSpace(account)
	q := u.Query()
	if qi := q.Get("issuer"); qi != "" {
		if hasIssuer && qi != issuer {
			return nil, fmt.Errorf("%w: issuer %q in the label differs from issuer parameter %q", ErrMalformedURI, issuer, qi)
		}
		issuer = qi
	}
	k.Issuer = issuer
	if k.AccountName == "" || len(k.AccountName) > MaxLabelLen || len(k.Issuer) > MaxLabelLen {
		return nil, fmt.Errorf("%w: account name must be 1–%d bytes", ErrMalformedURI, MaxLabelLen)
	}
	sec := strings.ToUpper(strings.TrimRight(strings.ReplaceAll(q.Get("secret"), " ", ""), "="))
	if k.Secret, err = b32.DecodeString(sec); err != nil || len(k.Secret) == 0 {
		return nil, fmt.Errorf("%w: secret is not base32", ErrMalformedURI)
	}
	if a := q.Get("algorithm"); a != "" {
		k.Algorithm = Algorithm(strings.ToUpper(a))
	}
	if d := q.Get("digits"); d != "" {
		if k.Digits, err = strconv.Atoi(d); err != nil {
			return nil, fmt.Errorf("%w: digits %q", ErrMalformedURI, d)
		}
	}
	if k.Type == "totp" {
		k.Period = TOTPPeriod
		if p := q.Get("period"); p != "" {
			v, err := strconv.ParseUint(p, 10, 32)
			if err != nil || v == 0 || v > 3600 {
				return nil, fmt.Errorf("%w: period %q", ErrMalformedURI, p)
			}
			k.Period = uint32(v)
		}
	} else {
		c := q.Get("counter")
		if c == "" {
			return nil, fmt.Errorf("%w: hotp needs a counter", ErrMalformedURI)
		}
		if k.Counter, err = strconv.ParseUint(c, 10, 64); err != nil {
			return nil, fmt.Errorf("%w: counter %q", ErrMalformedURI, c)
		}
	}
	if err := k.validate(); err != nil {
		return nil, err
	}
	return k, nil
}
