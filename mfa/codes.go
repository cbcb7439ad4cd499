package mfa

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

// CodeMessage is a one-time code to deliver. Senders must not log Code or Destination; printing the
// message with fmt (any verb) shows neither.
type CodeMessage struct {
	Channel     FactorType // FactorSMS, FactorVoice or FactorEmail
	Destination string     // phone number (E.164) or email address: personal data
	Code        string
	ExpiresAt   time.Time
}

// String implements fmt.Stringer without the code and the destination.
func (m CodeMessage) String() string {
	return fmt.Sprintf("{Channel:%s Destination:%s Code:%s ExpiresAt:%s}", m.Channel, redacted, redacted, m.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString implements fmt.GoStringer without the code and the destination.
func (m CodeMessage) GoString() string { return "mfa.CodeMessage" + m.String() }

// Format implements fmt.Formatter: every verb prints String, %#v prints GoString.
func (m CodeMessage) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, m.String(), m.GoString())
}

// Sender delivers a code by SMS, voice call or email. Send returns nil once the provider accepted
// the message; any error is reported to the caller wrapped in ErrSend. Implementations talk to a
// provider (an SMS gateway, a telephony API, SMTP) and honour ctx.
type Sender interface {
	Send(ctx context.Context, m CodeMessage) error
}

// DeliveredCode is the Factor of codes sent through a Sender (FEATURES.md §4.1; limits of §3.7):
// 6 digits, valid 300 s, 3 tries, one code at a time per account, at most one send per
// DeliveredCodeInterval and DeliveredCodesPerHour per rolling hour. Only a salted SHA-256 of the
// code is kept. Create one per channel.
type DeliveredCode struct {
	channel FactorType
	sender  Sender
	rnd     io.Reader

	mu    sync.Mutex
	owner *Registry // set by Registry.SetStores: enrollment goes through the registry only
	dests map[string]string
	codes map[string]*pendingCode
	sends map[string][]time.Time
}

type pendingCode struct {
	salt    [16]byte
	hash    [32]byte
	expires time.Time
	tries   int
}

// NewDeliveredCode returns the factor for channel (FactorSMS, FactorVoice or FactorEmail). rnd nil
// means crypto/rand.
func NewDeliveredCode(channel FactorType, sender Sender, rnd io.Reader) (*DeliveredCode, error) {
	switch channel {
	case FactorSMS, FactorVoice, FactorEmail:
	default:
		return nil, fmt.Errorf("%w: %q is not a delivered-code channel (sms, voice, email)", ErrUnknownFactor, channel)
	}
	if sender == nil {
		return nil, invalid("nil sender")
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	return &DeliveredCode{channel: channel, sender: sender, rnd: rnd,
		dests: map[string]string{}, codes: map[string]*pendingCode{}, sends: map[string][]time.Time{}}, nil
}

// Type implements Factor.
func (d *DeliveredCode) Type() FactorType { return d.channel }

// String implements fmt.Stringer: the channel and how many accounts have a destination, never the
// destinations themselves.
func (d *DeliveredCode) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fmt.Sprintf("mfa.DeliveredCode{channel: %s, accounts: %d}", d.channel, len(d.dests))
}

// Format implements fmt.Formatter with String for every verb.
func (d *DeliveredCode) Format(f fmt.State, verb rune) {
	s := d.String()
	formatRedacted(f, verb, s, s)
}

// SetDestination enrolls the phone number or address codes for account go to. A store driven by a
// Registry refuses it (ErrInvalidInput): enroll with Registry.Enroll.
func (d *DeliveredCode) SetDestination(account, destination string) error {
	if err := checkIDs(account, ""); err != nil {
		return err
	}
	if err := checkDestination(destination); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.owner != nil {
		return errManaged(d.channel)
	}
	d.dests[account] = destination
	return nil
}

func checkDestination(destination string) error {
	if destination == "" || len(destination) > MaxDestinationLen {
		return invalid("destination must be 1–%d bytes", MaxDestinationLen)
	}
	return nil
}

// put and drop are the registry's way in. drop also kills a pending code; the send history stays,
// so removing and re-adding a destination does not reset the rate limit.
func (d *DeliveredCode) put(account, destination string) {
	d.mu.Lock()
	d.dests[account] = destination
	delete(d.codes, account)
	d.mu.Unlock()
}

func (d *DeliveredCode) drop(account string) {
	d.mu.Lock()
	delete(d.dests, account)
	delete(d.codes, account)
	d.mu.Unlock()
}

// manage hands the store to r; the accounts holding a destination are returned for r to record.
func (d *DeliveredCode) manage(r *Registry) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.owner != nil && d.owner != r {
		return nil, invalid("the %s store is already driven by another Registry", d.channel)
	}
	d.owner = r
	return mapKeys(d.dests), nil
}

// Send creates a code for account, replacing an unanswered one, and delivers it. It fails with
// ErrFactorNotFound (no destination), ErrRateLimited or ErrSend.
func (d *DeliveredCode) Send(ctx context.Context, account string, now time.Time) error {
	d.mu.Lock()
	dest, ok := d.dests[account]
	if !ok {
		d.mu.Unlock()
		return fmt.Errorf("%w: no %s destination for %q", ErrFactorNotFound, d.channel, account)
	}
	recent := d.sends[account][:0]
	for _, t := range d.sends[account] {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	d.sends[account] = recent
	if n := len(recent); n > 0 && now.Sub(recent[n-1]) < DeliveredCodeInterval {
		d.mu.Unlock()
		return fmt.Errorf("%w: wait %s before asking for another code", ErrRateLimited, DeliveredCodeInterval-now.Sub(recent[n-1]))
	}
	if len(recent) >= DeliveredCodesPerHour {
		d.mu.Unlock()
		return fmt.Errorf("%w: %d codes in the last hour", ErrRateLimited, len(recent))
	}
	code, pc, err := d.newCode(account, now)
	if err != nil {
		d.mu.Unlock()
		return err
	}
	d.codes[account] = pc
	d.sends[account] = append(recent, now)
	d.mu.Unlock()

	if err := d.sender.Send(ctx, CodeMessage{Channel: d.channel, Destination: dest, Code: code, ExpiresAt: pc.expires}); err != nil {
		d.mu.Lock()
		if d.codes[account] == pc {
			delete(d.codes, account)
		}
		d.mu.Unlock()
		// The destination is personal data: it stays out of the error, which reaches logs and clients,
		// even when the provider's own error names it.
		return fmt.Errorf("%w: %s: %s", ErrSend, d.channel, strings.ReplaceAll(err.Error(), dest, "[destination]"))
	}
	return nil
}

// newCode draws a uniform 6-digit code (rejection sampling, no modulo bias).
func (d *DeliveredCode) newCode(account string, now time.Time) (string, *pendingCode, error) {
	const limit = 1_000_000
	var b [4]byte
	for {
		if _, err := io.ReadFull(d.rnd, b[:]); err != nil {
			return "", nil, fmt.Errorf("mfa: read random code: %w", err)
		}
		v := binary.BigEndian.Uint32(b[:])
		if v >= (1<<32)/limit*limit {
			continue
		}
		code := fmt.Sprintf("%06d", v%limit)
		pc := &pendingCode{expires: now.Add(DeliveredCodeTTL)}
		if _, err := io.ReadFull(d.rnd, pc.salt[:]); err != nil {
			return "", nil, fmt.Errorf("mfa: read salt: %w", err)
		}
		pc.hash = saltedHash(pc.salt[:], account, code)
		return code, pc, nil
	}
}

// saltedHash is what delivered and backup codes keep instead of the code: SHA-256 over a random
// salt, the account and the code, so equal codes of two accounts never hash alike.
func saltedHash(salt []byte, account, code string) [32]byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(account))
	h.Write([]byte{0})
	h.Write([]byte(code))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Verify implements Factor. A code answers once; a wrong code uses one of 3 tries, after which the
// code is dead (ErrTooManyTries). Errors: ErrFactorNotFound (no code pending), ErrCodeExpired,
// ErrWrongCode, ErrTooManyTries.
func (d *DeliveredCode) Verify(account string, response []byte, now time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	pc := d.codes[account]
	if pc == nil {
		return fmt.Errorf("%w: no %s code pending; ask for a new one", ErrFactorNotFound, d.channel)
	}
	if !now.Before(pc.expires) {
		delete(d.codes, account)
		return ErrCodeExpired
	}
	code, ok := normalizeCode(response, DeliveredCodeDigits)
	h := saltedHash(pc.salt[:], account, code)
	if ok && subtle.ConstantTimeCompare(h[:], pc.hash[:]) == 1 {
		delete(d.codes, account)
		return nil
	}
	pc.tries++
	if pc.tries >= DeliveredCodeTries {
		delete(d.codes, account)
		return fmt.Errorf("%w: %w", ErrWrongCode, ErrTooManyTries)
	}
	return ErrWrongCode
}
