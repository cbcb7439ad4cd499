package veid

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// TXTResolver looks up TXT records. *net.Resolver implements it; DNSResolver asks one server
// directly with miekg/dns.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// DomainRecordValue is the TXT value the domain owner publishes: "virtengine-verification=<token>".
func DomainRecordValue(token string) string { return "virtengine-verification=" + token }

// CheckDomainName validates a DNS name (RFC 1035 §2.3.1 with RFC 1123 digits): 1–253 characters,
// labels of 1–63 letters, digits and hyphens, not starting or ending with a hyphen.
func CheckDomainName(domain string) error {
	d := strings.TrimSuffix(domain, ".")
	if len(d) == 0 || len(d) > 253 {
		return newErr("BAD_DOMAIN", ErrBadDomain, "%q", domain)
	}
	for _, l := range strings.Split(d, ".") {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return newErr("BAD_DOMAIN", ErrBadDomain, "%q", domain)
		}
		for i := 0; i < len(l); i++ {
			c := l[i] | 0x20
			if !(c >= 'a' && c <= 'z') && !(l[i] >= '0' && l[i] <= '9') && l[i] != '-' {
				return newErr("BAD_DOMAIN", ErrBadDomain, "%q", domain)
			}
		}
	}
	return nil
}

// VerifyDomainTXT checks that _virtengine-verification.<domain> has a TXT record equal to
// DomainRecordValue(token) (§3.7). Records split into several strings are joined first
// (RFC 7208 §3.3 practice).
func VerifyDomainTXT(ctx context.Context, r TXTResolver, domain, token string) error {
	if err := CheckDomainName(domain); err != nil {
		return err
	}
	recs, err := r.LookupTXT(ctx, DomainTXTPrefix+strings.TrimSuffix(domain, "."))
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return newErr("DOMAIN_NOT_FOUND", ErrDomainNotFound, "no TXT record at %s%s; publish %q", DomainTXTPrefix, domain, DomainRecordValue(token))
		}
		return err
	}
	want := DomainRecordValue(token)
	for _, rec := range recs {
		if rec == want {
			return nil
		}
	}
	return newErr("DOMAIN_NOT_FOUND", ErrDomainNotFound, "publish %q at %s%s", want, DomainTXTPrefix, domain)
}

// DNSResolver asks one DNS server (host:port) over UDP, falling back to TCP on truncation.
type DNSResolver struct {
	Server  string
	Timeout time.Duration
}

// LookupTXT implements TXTResolver. NXDOMAIN and empty answers return a *net.DNSError with
// IsNotFound set, as the standard resolver does.
func (d *DNSResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), dns.TypeTXT)
	c := &dns.Client{Timeout: d.Timeout}
	resp, _, err := c.ExchangeContext(ctx, m, d.Server)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, m, d.Server)
	}
	if err != nil {
		return nil, err
	}
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return nil, &net.DNSError{Err: dns.RcodeToString[resp.Rcode], Name: name, Server: d.Server}
	}
	var out []string
	for _, rr := range resp.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no TXT record", Name: name, Server: d.Server, IsNotFound: true}
	}
	return out, nil
}
