package veid

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	cryptorand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// codeBox is a Sender that keeps the last code per destination, standing in for the user's inbox.
type codeBox struct {
	mu    sync.Mutex
	codes map[string]string
}

func (b *codeBox) Send(_ context.Context, dest, code string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.codes == nil {
		b.codes = map[string]string{}
	}
	b.codes[dest] = code
	return nil
}

func (b *codeBox) last(dest string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.codes[dest]
}

func wrong(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestOTPAcceptAndReject(t *testing.T) {
	box := &codeBox{}
	o := NewOTP(box, OTPLimits{}, nil)
	ctx := context.Background()
	if err := o.Start(ctx, "acct", "a@example.org", t0); err != nil {
		t.Fatal(err)
	}
	code := box.last("a@example.org")
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(code) {
		t.Fatalf("code %q", code)
	}
	// Reject twins: wrong code, another destination, expired.
	if err := o.Verify("acct", "a@example.org", wrong(code), t0); !errors.Is(err, ErrOTPWrongCode) {
		t.Fatal(err)
	}
	if err := o.Verify("acct", "b@example.org", code, t0); !errors.Is(err, ErrOTPNoChallenge) {
		t.Fatal(err)
	}
	if err := o.Verify("acct", "a@example.org", code, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// A code is single use.
	if err := o.Verify("acct", "a@example.org", code, t0); !errors.Is(err, ErrOTPNoChallenge) {
		t.Fatal(err)
	}
	o.Start(ctx, "acct", "a@example.org", t0)
	if err := o.Verify("acct", "a@example.org", box.last("a@example.org"), t0.Add(OTPLifetime)); !errors.Is(err, ErrOTPExpired) {
		t.Fatal(err)
	}
	// Three tries per code: the right code after three wrong ones is refused.
	o.Start(ctx, "acct", "a@example.org", t0)
	code = box.last("a@example.org")
	for range OTPMaxTries {
		o.Verify("acct", "a@example.org", wrong(code), t0)
	}
	if err := o.Verify("acct", "a@example.org", code, t0); !errors.Is(err, ErrOTPTriesUsed) {
		t.Fatal(err)
	}
	// The store holds no code in the clear.
	for _, c := range o.challenges {
		if bytes.Contains(c.hash[:], []byte(code)) {
			t.Fatal("code stored in the clear")
		}
	}
}

// An attacker guessing codes is stopped by the limits long before the 10^6 space is covered:
// at most 3 guesses per code, 5 codes per hour per account, and a lock after 10 wrong guesses.
func TestOTPBruteForceStopped(t *testing.T) {
	box := &codeBox{}
	o := NewOTP(box, OTPLimits{}, nil)
	ctx := context.Background()
	now := t0
	checked, locked, limited := 0, 0, 0
	for guess := 0; guess < 1000; guess++ {
		err := o.Verify("victim", "v@example.org", wrong(box.last("v@example.org")), now)
		switch {
		case errors.Is(err, ErrOTPWrongCode):
			checked++
		case errors.Is(err, ErrOTPLocked):
			locked++
		case errors.Is(err, ErrOTPNoChallenge), errors.Is(err, ErrOTPTriesUsed):
			if err := o.Start(ctx, "victim", "v@example.org", now); errors.Is(err, ErrOTPRateLimited) {
				limited++
			}
		}
		now = now.Add(time.Second)
	}
	if checked >= OTPFailuresBeforeLock || locked == 0 {
		t.Fatalf("%d guesses checked, %d locked, %d rate-limited", checked, locked, limited)
	}
	// While locked even the right code is refused.
	if err := o.Verify("victim", "v@example.org", box.last("v@example.org"), now); !errors.Is(err, ErrOTPLocked) {
		t.Fatal(err)
	}
	if err := o.Start(ctx, "victim", "v@example.org", now); !errors.Is(err, ErrOTPLocked) {
		t.Fatal(err)
	}
}

func TestOTPRateLimits(t *testing.T) {
	o := NewOTP(&codeBox{}, OTPLimits{GlobalPerMinute: 8}, nil)
	ctx := context.Background()
	for i := range OTPPerAccountPerHour {
		if err := o.Start(ctx, "a", "d"+string(rune('0'+i)), t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Start(ctx, "a", "new", t0); !errors.Is(err, ErrOTPRateLimited) {
		t.Fatal("per account:", err)
	}
	// Per destination: other accounts cannot flood one address.
	for i := range OTPPerDestinationPerHour - 1 {
		if err := o.Start(ctx, "b"+string(rune('0'+i)), "d0", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Start(ctx, "c", "d0", t0.Add(time.Minute)); !errors.Is(err, ErrOTPRateLimited) {
		t.Fatal("per destination:", err)
	}
	// Global: 8 per minute.
	for i := range 8 {
		if err := o.Start(ctx, "g"+string(rune('0'+i)), "x"+string(rune('0'+i)), t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Start(ctx, "z", "zz", t0.Add(2*time.Minute)); !errors.Is(err, ErrOTPRateLimited) {
		t.Fatal("global:", err)
	}
	// Windows slide: an hour later the account may ask again.
	if err := o.Start(ctx, "a", "new", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// smtpInbox is a real SMTP server (go-smtp) on loopback that keeps received messages.
type smtpInbox struct {
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

type smtpSession struct{ in *smtpInbox }

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error {
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@invalid.example") {
		// as Postfix does, the reply names the refused address
		return &smtp.SMTPError{Code: 550, Message: "<" + to + ">: Recipient address rejected: User unknown"}
	}
	s.in.mu.Lock()
	s.in.rcpt = append(s.in.rcpt, to)
	s.in.mu.Unlock()
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.in.mu.Lock()
	s.in.msgs = append(s.in.msgs, string(b))
	s.in.mu.Unlock()
	return err
}

func startSMTP(t *testing.T) (*smtpInbox, string) {
	in := &smtpInbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{in}, nil }))
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return in, l.Addr().String()
}

func TestSMTPSenderAgainstRealServer(t *testing.T) {
	in, addr := startSMTP(t)
	s := &SMTPSender{Addr: addr, From: "verify@virtengine.example", Timeout: 10 * time.Second}
	o := NewOTP(s, OTPLimits{}, nil)
	ctx := context.Background()
	if err := o.Start(ctx, "acct", "alice@example.org", t0); err != nil {
		t.Fatal(err)
	}
	in.mu.Lock()
	if len(in.msgs) != 1 || in.rcpt[0] != "alice@example.org" {
		t.Fatalf("%v %v", in.msgs, in.rcpt)
	}
	code := regexp.MustCompile(`code is ([0-9]{6})\.`).FindStringSubmatch(in.msgs[0])
	in.mu.Unlock()
	if code == nil {
		t.Fatal("no code in the message")
	}
	if err := o.Verify("acct", "alice@example.org", code[1], t0); err != nil {
		t.Fatal(err)
	}
	// The server's refusal comes back as an error; header injection is refused before connecting.
	if err := s.Send(ctx, "bob@invalid.example", "123456"); err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatal(err)
	} else if strings.Contains(err.Error(), "bob@") {
		t.Fatalf("error reveals the email address: %v", err)
	}
	if err := s.Send(ctx, "x@example.org\r\nBcc: y@example.org", "123456"); err == nil {
		t.Fatal("header injection accepted")
	}
	if err := (&SMTPSender{Addr: "127.0.0.1:1", From: "a@b"}).Send(ctx, "c@d", "1"); err == nil {
		t.Fatal("no error for a closed port")
	}
}

func selfSignedTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), cryptorand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(cryptorand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// With STARTTLS offered, the sender upgrades and checks the certificate; RequireTLS refuses a
// server without it.
func TestSMTPSenderSTARTTLS(t *testing.T) {
	cfg, pool := selfSignedTLS(t)
	in := &smtpInbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{in}, nil }))
	srv.Domain, srv.TLSConfig = "localhost", cfg
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	ok := &SMTPSender{Addr: l.Addr().String(), From: "v@virtengine.example", TLSConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}, RequireTLS: true}
	if err := ok.Send(ctx, "alice@example.org", "123456"); err != nil || len(in.msgs) != 1 {
		t.Fatal(err, len(in.msgs))
	}
	// Reject twins: an untrusted certificate, and RequireTLS against a plain server.
	untrusted := &SMTPSender{Addr: l.Addr().String(), From: "v@virtengine.example"}
	if err := untrusted.Send(ctx, "alice@example.org", "123456"); err == nil || !strings.Contains(err.Error(), "starttls") {
		t.Fatal("untrusted certificate accepted:", err)
	}
	_, plainAddr := startSMTP(t)
	if err := (&SMTPSender{Addr: plainAddr, From: "v@x.example", RequireTLS: true}).Send(ctx, "a@example.org", "1"); err == nil {
		t.Fatal("sent without TLS")
	}
}

// State stays bounded by the limits, not by the number of destinations ever seen.
func TestOTPStateBounded(t *testing.T) {
	o := NewOTP(&codeBox{}, OTPLimits{GlobalPerMinute: 1 << 30}, nil)
	ctx := context.Background()
	now := t0
	for i := range 3 * otpPruneAt {
		o.Start(ctx, fmt.Sprintf("acct-%d", i), fmt.Sprintf("d-%d", i), now)
		now = now.Add(2 * time.Second)
	}
	if n := len(o.challenges) + len(o.sends); n > 2*otpPruneAt {
		t.Fatalf("%d entries kept", n)
	}
}

// A gateway error that quotes the phone number comes back without it, still matching errors.Is.
func TestOTPSendErrorHidesDestination(t *testing.T) {
	const phone = "+15551234567"
	cause := errors.New("gateway: 21211 invalid 'To' number " + phone)
	o := NewOTP(SenderFunc(func(context.Context, string, string) error { return cause }), OTPLimits{}, nil)
	err := o.Start(context.Background(), "acct", phone, t0)
	if !errors.Is(err, cause) {
		t.Fatalf("got %v, want the sender's error", err)
	}
	if strings.Contains(err.Error(), phone) {
		t.Fatalf("error reveals the phone number: %v", err)
	}
}
