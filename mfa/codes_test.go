package mfa

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// outbox is an in-memory Sender: it keeps every message, as a test SMS gateway would.
type outbox struct {
	mu   sync.Mutex
	msgs []CodeMessage
	fail error
}

func (o *outbox) Send(_ context.Context, m CodeMessage) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.msgs = append(o.msgs, m)
	return nil
}

func (o *outbox) last() CodeMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.msgs[len(o.msgs)-1]
}

func TestDeliveredCodes(t *testing.T) {
	for _, ch := range []FactorType{FactorSMS, FactorVoice, FactorEmail} {
		box := &outbox{}
		d, err := NewDeliveredCode(ch, box, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Send(context.Background(), "alice", t0); !errors.Is(err, ErrFactorNotFound) {
			t.Fatalf("%s without destination: %v", ch, err)
		}
		d.SetDestination("alice", "+15555550100")
		if err := d.Send(context.Background(), "alice", t0); err != nil {
			t.Fatal(err)
		}
		m := box.last()
		if m.Channel != ch || m.Destination != "+15555550100" || len(m.Code) != 6 || m.ExpiresAt != t0.Add(300*time.Second) {
			t.Fatalf("%s message %+v", ch, m)
		}
		// Wrong code, then the right one: accepted once.
		wrong := "000000"
		if m.Code == wrong {
			wrong = "111111"
		}
		if err := d.Verify("alice", []byte(wrong), t0); !errors.Is(err, ErrWrongCode) {
			t.Fatalf("wrong code: %v", err)
		}
		if err := d.Verify("bob", []byte(m.Code), t0); !errors.Is(err, ErrFactorNotFound) {
			t.Fatalf("other account: %v", err)
		}
		if err := d.Verify("alice", []byte(m.Code), t0.Add(time.Minute)); err != nil {
			t.Fatalf("right code: %v", err)
		}
		if err := d.Verify("alice", []byte(m.Code), t0.Add(time.Minute)); !errors.Is(err, ErrFactorNotFound) {
			t.Fatalf("replay: %v", err)
		}
	}
}

func TestDeliveredCodeExpiryTriesAndRate(t *testing.T) {
	box := &outbox{}
	d, _ := NewDeliveredCode(FactorSMS, box, nil)
	d.SetDestination("a", "+15555550101")
	ctx := context.Background()
	d.Send(ctx, "a", t0)
	code := box.last().Code
	if err := d.Verify("a", []byte(code), t0.Add(DeliveredCodeTTL)); !errors.Is(err, ErrCodeExpired) {
		t.Fatalf("expired: %v", err)
	}
	// Rate limit: not twice within the interval; then at most DeliveredCodesPerHour an hour.
	if err := d.Send(ctx, "a", t0.Add(time.Second)); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("resend too soon: %v", err)
	}
	now := t0
	sent := 1
	for i := 1; i < 20; i++ {
		now = now.Add(DeliveredCodeInterval)
		if err := d.Send(ctx, "a", now); err == nil {
			sent++
		} else if !errors.Is(err, ErrRateLimited) {
			t.Fatal(err)
		}
	}
	if sent != DeliveredCodesPerHour {
		t.Fatalf("sent %d in an hour, want %d", sent, DeliveredCodesPerHour)
	}
	// Three wrong tries kill the code.
	now = now.Add(time.Hour)
	if err := d.Send(ctx, "a", now); err != nil {
		t.Fatal(err)
	}
	code = box.last().Code
	var err error
	for i := 0; i < DeliveredCodeTries; i++ {
		err = d.Verify("a", []byte("abc"), now)
	}
	if !errors.Is(err, ErrTooManyTries) {
		t.Fatalf("third wrong try: %v", err)
	}
	if err := d.Verify("a", []byte(code), now); !errors.Is(err, ErrFactorNotFound) {
		t.Fatalf("dead code accepted: %v", err)
	}
	// A failing provider is reported as ErrSend and leaves no code behind.
	box.fail = errors.New("gateway down")
	if err := d.Send(ctx, "a", now.Add(time.Minute)); !errors.Is(err, ErrSend) {
		t.Fatalf("send failure: %v", err)
	}
	if _, err := NewDeliveredCode(FactorTOTP, box, nil); !errors.Is(err, ErrUnknownFactor) {
		t.Fatalf("totp channel: %v", err)
	}
}

func TestBackupCodes(t *testing.T) {
	b := NewBackupCodes(nil)
	codes, err := b.Generate("alice")
	if err != nil || len(codes) != BackupCodeCount {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != BackupCodeLen+3 || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if err := b.Verify("alice", []byte(strings.ToUpper(codes[3])), t0); err != nil {
		t.Fatalf("upper-case code: %v", err)
	}
	if err := b.Verify("alice", []byte(codes[3]), t0); !errors.Is(err, ErrCodeReplayed) {
		t.Fatalf("used code: %v", err)
	}
	if err := b.Verify("bob", []byte(codes[0]), t0); !errors.Is(err, ErrFactorNotFound) {
		t.Fatalf("other account: %v", err)
	}
	tampered := []byte(codes[0])
	tampered[0] ^= 1
	if err := b.Verify("alice", tampered, t0); !errors.Is(err, ErrWrongCode) {
		t.Fatalf("tampered code: %v", err)
	}
	if b.Remaining("alice") != BackupCodeCount-1 {
		t.Fatalf("remaining %d", b.Remaining("alice"))
	}
	for i, c := range codes {
		if i != 3 {
			if err := b.Verify("alice", []byte(c), t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := b.Verify("alice", []byte("aaaa-aaaa-aaaa-aaaa"), t0); !errors.Is(err, ErrBackupCodesSpent) {
		t.Fatalf("all spent: %v", err)
	}
	// A new generation revokes the old codes.
	fresh, _ := b.Generate("alice")
	if err := b.Verify("alice", []byte(codes[0]), t0); err == nil {
		t.Fatal("old code works after regeneration")
	}
	if err := b.Verify("alice", []byte(fresh[0]), t0); err != nil {
		t.Fatal(err)
	}
}

// A failed delivery must not put the phone number or address in the error.
func TestDeliveredCodeSendErrorHidesDestination(t *testing.T) {
	const dest = "alice@example.com"
	box := &outbox{fail: errors.New("gateway: 550 <" + dest + ">: mailbox unavailable")}
	d, err := NewDeliveredCode(FactorEmail, box, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetDestination("alice", dest); err != nil {
		t.Fatal(err)
	}
	err = d.Send(context.Background(), "alice", time.Unix(1_700_000_000, 0))
	if !errors.Is(err, ErrSend) {
		t.Fatalf("got %v, want ErrSend", err)
	}
	if strings.Contains(err.Error(), dest) {
		t.Fatalf("error reveals the destination: %v", err)
	}
}
