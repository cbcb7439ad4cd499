package veid

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTPSender sends one-time codes by email over SMTP (RFC 5321), with STARTTLS when the server
// offers it (RFC 3207) and authentication when Auth is set.
type SMTPSender struct {
	Addr    string    // host:port of the submission server
	From    string    // envelope and header sender
	Auth    smtp.Auth // optional, e.g. smtp.PlainAuth
	Subject string    // default "Your VirtEngine verification code"
	Timeout time.Duration
	// TLSConfig is used for STARTTLS when the server offers it; nil verifies the server's
	// certificate against the system roots for the host of Addr.
	TLSConfig *tls.Config
	// RequireTLS refuses to send when the server does not offer STARTTLS.
	RequireTLS bool
}

// Send implements Sender.
func (s *SMTPSender) Send(ctx context.Context, to, code string) error {
	if strings.ContainsAny(to, "\r\n") || strings.ContainsAny(s.From, "\r\n") {
		return fmt.Errorf("veid: smtp: address contains a line break")
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("veid: smtp: connect to %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("veid: smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("veid: smtp: starttls: %w", err)
		}
	} else if s.RequireTLS {
		return fmt.Errorf("veid: smtp: %s does not offer STARTTLS and RequireTLS is set", s.Addr)
	}
	if s.Auth != nil {
		if err := c.Auth(s.Auth); err != nil {
			return fmt.Errorf("veid: smtp: auth: %w", err)
		}
	}
	subject := s.Subject
	if subject == "" {
		subject = "Your VirtEngine verification code"
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("veid: smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		// Servers echo the refused address in their reply ("550 5.1.1 <alice@…>: Recipient address
		// rejected"); keep only the reply code so the email address stays out of errors and logs.
		var te *textproto.Error
		if errors.As(err, &te) {
			return fmt.Errorf("veid: smtp: RCPT TO refused with reply code %d", te.Code)
		}
		return fmt.Errorf("veid: smtp: RCPT TO: %w", err) // local or I/O failure: no server text
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("veid: smtp: DATA: %w", err)
	}
	msg := "From: " + s.From + "\r\nTo: " + to + "\r\nSubject: " + subject +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Your verification code is " + code + ". It expires in 5 minutes. If you did not ask for it, ignore this message.\r\n"
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("veid: smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("veid: smtp: %w", err)
	}
	return c.Quit()
}
