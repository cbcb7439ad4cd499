package veid

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startDNS runs a real DNS server (miekg/dns) on loopback UDP serving the given TXT records.
func startDNS(t *testing.T, records map[string][]string) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		txts, ok := records[strings.ToLower(q.Name)]
		if !ok {
			m.Rcode = dns.RcodeNameError
		}
		for _, txt := range txts {
			// Split long values into 255-byte strings as a real zone would (RFC 1035 §3.3.14).
			var parts []string
			for len(txt) > 255 {
				parts, txt = append(parts, txt[:255]), txt[255:]
			}
			m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: append(parts, txt)})
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: mux}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestDomainTXTAgainstRealDNS(t *testing.T) {
	long := strings.Repeat("k", 300)
	addr := startDNS(t, map[string][]string{
		"_virtengine-verification.example.org.":   {"v=spf1 -all", DomainRecordValue("tok-123")},
		"_virtengine-verification.long.example.":  {DomainRecordValue(long)},
		"_virtengine-verification.other.example.": {DomainRecordValue("someone-else")},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := &DNSResolver{Server: addr, Timeout: 5 * time.Second}
	if err := VerifyDomainTXT(ctx, r, "example.org", "tok-123"); err != nil {
		t.Fatal(err)
	}
	if err := VerifyDomainTXT(ctx, r, "long.example", long); err != nil {
		t.Fatal("multi-string record:", err)
	}
	// Reject twins: wrong token, no record, invalid name.
	if err := VerifyDomainTXT(ctx, r, "other.example", "tok-123"); !errors.Is(err, ErrDomainNotFound) {
		t.Fatal(err)
	}
	if err := VerifyDomainTXT(ctx, r, "missing.example", "tok-123"); !errors.Is(err, ErrDomainNotFound) {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "-a.example", "a..b", "a_b.example", strings.Repeat("a", 64) + ".example"} {
		if err := VerifyDomainTXT(ctx, r, bad, "t"); !errors.Is(err, ErrBadDomain) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// The standard library resolver, pointed at the same server, works through the same interface.
	std := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", addr)
	}}
	if err := VerifyDomainTXT(ctx, std, "example.org", "tok-123"); err != nil {
		t.Fatal(err)
	}
	if err := VerifyDomainTXT(ctx, std, "missing.example", "tok-123"); !errors.Is(err, ErrDomainNotFound) {
		t.Fatal(err)
	}
}
