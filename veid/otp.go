package veid

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Sender delivers a one-time code to a destination (an email address or a phone number).
// Implementations: SMTPSender for email; SMS gateways implement it outside this package.
// Send must not log the code.
type Sender interface {
	Send(ctx context.Context, destination, code string) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, destination, code string) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, destination, code string) error {
	return f(ctx, destination, code)
}

// OTPLimits are the rate limits of one OTP service; zero fields take the package defaults.
type OTPLimits struct {
	PerAccountPerHour     int
	PerDestinationPerHour int
	GlobalPerMinute       int
	FailuresBeforeLock    int
	Lockout               time.Duration
	Lifetime              time.Duration
	MaxTries              int
}

func (l *OTPLimits) defaults() {
	set := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	set(&l.PerAccountPerHour, OTPPerAccountPerHour)
	set(&l.PerDestinationPerHour, OTPPerDestinationPerHour)
	set(&l.GlobalPerMinute, OTPGlobalPerMinute)
	set(&l.FailuresBeforeLock, OTPFailuresBeforeLock)
	set(&l.MaxTries, OTPMaxTries)
	if l.Lockout <= 0 {
		l.Lockout = OTPLockout
	}
	if l.Lifetime <= 0 {
		l.Lifetime = OTPLifetime
	}
}

type otpChallenge struct {
	salt    [16]byte
	hash    [32]byte // SHA-256(salt | account | destination | code): the code itself is never stored
	expires time.Time
	tries   int
}

// OTP issues and checks 6-digit one-time codes for the email and SMS scopes (§3.7): 300 s
// lifetime, 3 tries per code, rate limits per account, per destination and global, a lockout after
// repeated failures, and only salted hashes stored. It is safe for concurrent use.
type OTP struct {
	sender Sender
	limits OTPLimits
	rand   io.Reader

	mu         sync.Mutex
	challenges map[string]*otpChallenge // challengeKey(account, destination)
	sends      map[string][]time.Time   // "a:"+account, "d:"+destination, "g" → recent send times
	failures   map[string][]time.Time   // account → recent wrong codes
	locked     map[string]time.Time     // account → locked until
}

// NewOTP returns a service sending through s; r is the randomness (crypto/rand when nil).
func NewOTP(s Sender, limits OTPLimits, r io.Reader) *OTP {
	limits.defaults()
	if r == nil {
		r = rand.Reader
	}
	return &OTP{sender: s, limits: limits, rand: r, challenges: map[string]*otpChallenge{},
		sends: map[string][]time.Time{}, failures: map[string][]time.Time{}, locked: map[string]time.Time{}}
}

// otpHash is SHA-256("VEID-OTP-v1" 0x00 | salt [16] | str16 account | str16 destination | code).
// Start bounds account and destination to MaxIDLen, and Verify only hashes for a pending challenge,
// so the error (ErrTooLong) cannot happen; it is returned rather than cutting the strings.
func otpHash(salt [16]byte, account, dest, code string) ([32]byte, error) {
	b := append([]byte{}, "VEID-OTP-v1\x00"...)
	b = append(b, salt[:]...)
	b, err := appendStr16s(b, "account", account, "destination", dest)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(append(b, code...)), nil
}

// challengeKey names the pending challenge of (account, destination) without ambiguity: the
// account is length-prefixed, so ("a\x00b", "c") and ("a", "b\x00c") are different challenges (a
// plain "account \x00 destination" key made them the same).
func challengeKey(account, destination string) string {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(account)))
	return string(n[:]) + account + destination
}

// recent trims times older than window and returns the rest.
func recent(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= window {
		i++
	}
	return ts[i:]
}

// randomCode draws a uniform OTPDigits-digit code by rejection sampling.
func (o *OTP) randomCode() (string, error) {
	const n = 1_000_000 // 10^OTPDigits
	limit := uint32(0xffffffff - 0xffffffff%n)
	var b [4]byte
	for {
		if _, err := io.ReadFull(o.rand, b[:]); err != nil {
			return "", err
		}
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return fmt.Sprintf("%06d", v%n), nil
		}
	}
}

// Start sends a fresh code to destination for account, replacing any pending one. It returns
// ErrOTPLocked or ErrOTPRateLimited (wrapped, with when to retry) when a limit applies.
func (o *OTP) Start(ctx context.Context, account, destination string, now time.Time) error {
	if len(account) > MaxIDLen || len(destination) > MaxIDLen {
		return newErr("OTP_RATE_LIMITED", ErrOTPRateLimited, "identifier too long")
	}
	o.mu.Lock()
	if until, ok := o.locked[account]; ok && now.Before(until) {
		o.mu.Unlock()
		return newErr("OTP_LOCKED", ErrOTPLocked, "try again after %s", until.UTC().Format(time.RFC3339))
	}
	keys := []struct {
		k      string
		limit  int
		window time.Duration
	}{{"a:" + account, o.limits.PerAccountPerHour, time.Hour}, {"d:" + destination, o.limits.PerDestinationPerHour, time.Hour}, {"g", o.limits.GlobalPerMinute, time.Minute}}
	for _, k := range keys {
		o.sends[k.k] = recent(o.sends[k.k], now, k.window)
		if len(o.sends[k.k]) >= k.limit {
			retry := o.sends[k.k][0].Add(k.window)
			o.mu.Unlock()
			return newErr("OTP_RATE_LIMITED", ErrOTPRateLimited, "retry after %s", retry.UTC().Format(time.RFC3339))
		}
	}
	code, err := o.randomCode()
	if err != nil {
		o.mu.Unlock()
		return err
	}
	c := &otpChallenge{expires: now.Add(o.limits.Lifetime)}
	if _, err := io.ReadFull(o.rand, c.salt[:]); err != nil {
		o.mu.Unlock()
		return err
	}
	if c.hash, err = otpHash(c.salt, account, destination, code); err != nil {
		o.mu.Unlock()
		return err
	}
	for _, k := range keys {
		o.sends[k.k] = append(o.sends[k.k], now)
	}
	o.prune(now)
	o.challenges[challengeKey(account, destination)] = c
	o.mu.Unlock()
	if err := o.sender.Send(ctx, destination, code); err != nil {
		return redactDestination(err, destination)
	}
	return nil
}

// redactedError is a Sender's error with the destination (an email address or a phone number,
// which gateways like to quote) cut out of its text; Unwrap keeps the original for errors.Is.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactDestination(err error, destination string) error {
	if destination == "" || !strings.Contains(err.Error(), destination) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), destination, "[destination]"), err: err}
}

// Verify checks a code. Each wrong code uses one of the code's tries and counts toward the
// account's lockout. Errors: ErrOTPNoChallenge, ErrOTPExpired, ErrOTPTriesUsed, ErrOTPLocked,
// ErrOTPWrongCode (all wrapped). A correct code consumes the challenge.
func (o *OTP) Verify(account, destination, code string, now time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if until, ok := o.locked[account]; ok && now.Before(until) {
		return newErr("OTP_LOCKED", ErrOTPLocked, "try again after %s", until.UTC().Format(time.RFC3339))
	}
	key := challengeKey(account, destination)
	c := o.challenges[key]
	switch {
	case c == nil:
		return newErr("OTP_NO_CHALLENGE", ErrOTPNoChallenge, "request a code first")
	case !now.Before(c.expires):
		delete(o.challenges, key)
		return newErr("OTP_EXPIRED", ErrOTPExpired, "request a new code")
	case c.tries >= o.limits.MaxTries:
		return newErr("OTP_TRIES_USED", ErrOTPTriesUsed, "request a new code")
	}
	h, err := otpHash(c.salt, account, destination, code)
	if err == nil && subtle.ConstantTimeCompare(h[:], c.hash[:]) == 1 {
		delete(o.challenges, key)
		return nil
	}
	c.tries++
	o.failures[account] = append(recent(o.failures[account], now, o.limits.Lockout), now)
	if len(o.failures[account]) >= o.limits.FailuresBeforeLock {
		o.locked[account] = now.Add(o.limits.Lockout)
		o.failures[account] = nil
		delete(o.challenges, key)
		return newErr("OTP_LOCKED", ErrOTPLocked, "too many wrong codes; try again after %s", now.Add(o.limits.Lockout).UTC().Format(time.RFC3339))
	}
	return newErr("OTP_WRONG_CODE", ErrOTPWrongCode, "%d of %d tries left", o.limits.MaxTries-c.tries, o.limits.MaxTries)
}

// otpPruneAt is the map size above which Start sweeps state that no longer matters.
const otpPruneAt = 4096

// prune drops expired challenges, empty send windows, old failures and elapsed locks, so memory stays
// bounded by the rate limits rather than by the number of accounts ever seen. Called with o.mu held.
func (o *OTP) prune(now time.Time) {
	if len(o.challenges)+len(o.sends)+len(o.failures)+len(o.locked) < otpPruneAt {
		return
	}
	for k, ch := range o.challenges {
		if !now.Before(ch.expires) {
			delete(o.challenges, k)
		}
	}
	for k, ts := range o.sends {
		if len(recent(ts, now, time.Hour)) == 0 {
			delete(o.sends, k)
		}
	}
	for k, ts := range o.failures {
		if len(recent(ts, now, o.limits.Lockout)) == 0 {
			delete(o.failures, k)
		}
	}
	for k, until := range o.locked {
		if !now.Before(until) {
			delete(o.locked, k)
		}
	}
}
