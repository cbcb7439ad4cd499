package mfa

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func stateKey(t testing.TB, fill byte) *StateKey {
	t.Helper()
	k, err := NewStateKey(bytes.Repeat([]byte{fill}, StateKeyLen))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// jsonRoundTrip sends st through JSON, as storage would.
func jsonRoundTrip(t testing.TB, st SealedState) SealedState {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back SealedState
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func TestPasskeyStateRoundTrip(t *testing.T) {
	key := stateKey(t, 1)
	p := newPasskeys(t, nil)
	a := newSoftAuthenticator(t, testOrigin)
	h := register(t, p, "alice", a)
	if _, err := login(t, p, "alice", a, h, t0); err != nil {
		t.Fatal(err)
	}
	clone := *a // counter 1
	if _, err := login(t, p, "alice", a, h, t0); err != nil {
		t.Fatal(err)
	}
	st, err := p.Export(key)
	if err != nil {
		t.Fatal(err)
	}
	st = jsonRoundTrip(t, st)
	q := newPasskeys(t, nil)
	if err := q.Import(key, st); err != nil {
		t.Fatal(err)
	}
	// The restored relying party keeps the counter: the clone is still caught, the original passes.
	if _, err := login(t, q, "alice", &clone, h, t0); !errors.Is(err, ErrCounterRollback) {
		t.Fatalf("clone after restore: %v", err)
	}
	if _, err := login(t, q, "alice", a, h, t0); err != nil {
		t.Fatalf("login after restore: %v", err)
	}
	// Reject twins, sealed properly so only the contents are at fault: a credential registered to
	// two accounts, a missing user handle.
	var rec passkeyRecord
	if err := key.open(FactorFIDO2, "alice", st.Accounts[0].Sealed, &rec); err != nil {
		t.Fatal(err)
	}
	dup := st
	bob, _ := key.seal(FactorFIDO2, "bob", passkeyRecord{Handle: []byte{1}, Credentials: rec.Credentials})
	dup.Accounts = append(dup.Accounts, SealedRecord{Account: "bob", Sealed: bob})
	if err := q.Import(key, dup); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("duplicate credential: %v", err)
	}
	noHandle, _ := key.seal(FactorFIDO2, "alice", passkeyRecord{Credentials: rec.Credentials})
	if err := q.Import(key, SealedState{Factor: FactorFIDO2, Accounts: []SealedRecord{{Account: "alice", Sealed: noHandle}}}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("no handle: %v", err)
	}
	if len(q.Credentials("alice")) != 1 {
		t.Fatal("a refused import changed the store")
	}
}

func TestTOTPStateKeepsReplayProtection(t *testing.T) {
	key := stateKey(t, 2)
	k, _ := GenerateTOTP("VirtEngine", "alice", SHA1, 6, nil)
	f := NewTOTP()
	f.Enroll("alice", k)
	now := time.Unix(1_700_000_000, 0)
	code, _ := k.Code(now)
	if err := f.Verify("alice", []byte(code), now); err != nil {
		t.Fatal(err)
	}
	st, err := f.Export(key)
	if err != nil {
		t.Fatal(err)
	}
	st = jsonRoundTrip(t, st)
	g := NewTOTP()
	if err := g.Import(key, st); err != nil {
		t.Fatal(err)
	}
	if err := g.Verify("alice", []byte(code), now); !errors.Is(err, ErrCodeReplayed) {
		t.Fatalf("replay after restore: %v", err)
	}
	next, _ := k.Code(now.Add(30 * time.Second))
	if err := g.Verify("alice", []byte(next), now.Add(30*time.Second)); err != nil {
		t.Fatalf("next code after restore: %v", err)
	}
	// A sealed record holding an invalid key is refused.
	bad, _ := key.seal(FactorTOTP, "alice", otpRecord{Type: "totp", Secret: k.Secret, Digits: 9, Period: 30})
	if err := g.Import(key, SealedState{Factor: FactorTOTP, Accounts: []SealedRecord{{Account: "alice", Sealed: bad}}}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("invalid key imported: %v", err)
	}
}

func TestBackupAndDeliveredStateRoundTrip(t *testing.T) {
	key := stateKey(t, 3)
	b := NewBackupCodes(nil)
	codes, _ := b.Generate("alice")
	if err := b.Verify("alice", []byte(codes[0]), t0); err != nil {
		t.Fatal(err)
	}
	st, err := b.Export(key)
	if err != nil {
		t.Fatal(err)
	}
	b2 := NewBackupCodes(nil)
	if err := b2.Import(key, jsonRoundTrip(t, st)); err != nil {
		t.Fatal(err)
	}
	if err := b2.Verify("alice", []byte(codes[0]), t0); !errors.Is(err, ErrCodeReplayed) {
		t.Fatalf("spent code after restore: %v", err)
	}
	if err := b2.Verify("alice", []byte(codes[1]), t0); err != nil || b2.Remaining("alice") != BackupCodeCount-2 {
		t.Fatalf("unused code after restore: %v, %d left", err, b2.Remaining("alice"))
	}

	box := &outbox{}
	d, _ := NewDeliveredCode(FactorSMS, box, nil)
	d.SetDestination("alice", "+15555550123")
	if err := d.Send(context.Background(), "alice", t0); err != nil {
		t.Fatal(err)
	}
	dst, err := d.Export(key)
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := NewDeliveredCode(FactorSMS, box, nil)
	if err := d2.Import(key, jsonRoundTrip(t, dst)); err != nil {
		t.Fatal(err)
	}
	// The rate limit survives the restart; after the interval the code goes to the same number.
	if err := d2.Send(context.Background(), "alice", t0.Add(time.Second)); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("rate limit after restore: %v", err)
	}
	if err := d2.Send(context.Background(), "alice", t0.Add(DeliveredCodeInterval)); err != nil || box.last().Destination != "+15555550123" {
		t.Fatalf("send after restore: %v", err)
	}
}

// sealedStore is a factor store whose state can be exported and imported.
type sealedStore interface {
	Export(*StateKey) (SealedState, error)
}

// TestSealedStateRejects runs every store's state through the refusals: each accept has its
// reject twins (wrong key, one changed byte, records swapped between accounts, a record moved to
// another factor store, truncation), and a refused import leaves the store as it was.
func TestSealedStateRejects(t *testing.T) {
	key, other := stateKey(t, 4), stateKey(t, 5)
	totp := func() *TOTP {
		f := NewTOTP()
		for _, a := range []string{"alice", "bob"} {
			k, _ := GenerateTOTP("VirtEngine", a, SHA1, 6, nil)
			f.Enroll(a, k)
		}
		return f
	}
	backup := func() *BackupCodes {
		b := NewBackupCodes(nil)
		b.Generate("alice")
		b.Generate("bob")
		return b
	}
	sms := func() *DeliveredCode {
		d, _ := NewDeliveredCode(FactorSMS, &outbox{}, nil)
		d.SetDestination("alice", "+15555550100")
		d.SetDestination("bob", "+15555550199")
		return d
	}
	passkeys := func() *Passkeys {
		p := newPasskeys(t, nil)
		register(t, p, "alice", newSoftAuthenticator(t, testOrigin))
		register(t, p, "bob", newSoftAuthenticator(t, testOrigin))
		return p
	}
	stores := []struct {
		name    string
		src     sealedStore
		fresh   func() (imp func(*StateKey, SealedState) error, count func() int)
		foreign FactorType // another store the records must not open in
	}{
		{"totp", totp(), func() (func(*StateKey, SealedState) error, func() int) {
			f := NewTOTP()
			return f.Import, func() int { return len(f.keys) }
		}, FactorBackupCode},
		{"backup", backup(), func() (func(*StateKey, SealedState) error, func() int) {
			b := NewBackupCodes(nil)
			return b.Import, func() int { return len(b.sets) }
		}, FactorTOTP},
		{"sms", sms(), func() (func(*StateKey, SealedState) error, func() int) {
			d, _ := NewDeliveredCode(FactorSMS, &outbox{}, nil)
			return d.Import, func() int { return len(d.dests) }
		}, FactorEmail},
		{"passkeys", passkeys(), func() (func(*StateKey, SealedState) error, func() int) {
			p := newPasskeys(t, nil)
			return p.Import, func() int { return len(p.users) }
		}, FactorTOTP},
	}
	for _, s := range stores {
		st, err := s.src.Export(key)
		if err != nil || len(st.Accounts) != 2 || st.Accounts[0].Account != "alice" {
			t.Fatalf("%s: export %+v %v", s.name, st, err)
		}
		imp, count := s.fresh()
		if err := imp(key, st); err != nil || count() != 2 {
			t.Fatalf("%s: accept twin: %v (%d accounts)", s.name, err, count())
		}
		mutate := func(f func(st *SealedState)) SealedState {
			c := SealedState{Factor: st.Factor}
			for _, r := range st.Accounts {
				c.Accounts = append(c.Accounts, SealedRecord{Account: r.Account, Sealed: bytes.Clone(r.Sealed)})
			}
			f(&c)
			return c
		}
		rejects := []struct {
			name string
			key  *StateKey
			st   SealedState
			want error
		}{
			{"wrong key", other, st, ErrSealedState},
			{"tampered version byte", key, mutate(func(c *SealedState) { c.Accounts[0].Sealed[0] ^= 1 }), ErrSealedState},
			{"tampered nonce byte", key, mutate(func(c *SealedState) { c.Accounts[0].Sealed[5] ^= 1 }), ErrSealedState},
			{"tampered ciphertext byte", key, mutate(func(c *SealedState) { c.Accounts[1].Sealed[20] ^= 0x80 }), ErrSealedState},
			{"tampered tag byte", key, mutate(func(c *SealedState) { r := c.Accounts[0].Sealed; r[len(r)-1] ^= 1 }), ErrSealedState},
			{"swapped between accounts", key, mutate(func(c *SealedState) {
				c.Accounts[0].Sealed, c.Accounts[1].Sealed = c.Accounts[1].Sealed, c.Accounts[0].Sealed
			}), ErrSealedState},
			{"renamed account", key, mutate(func(c *SealedState) { c.Accounts[0].Account = "mallory" }), ErrSealedState},
			{"truncated", key, mutate(func(c *SealedState) { c.Accounts[0].Sealed = c.Accounts[0].Sealed[:10] }), ErrSealedState},
			{"empty record", key, mutate(func(c *SealedState) { c.Accounts[0].Sealed = nil }), ErrSealedState},
			{"account twice", key, mutate(func(c *SealedState) { c.Accounts[1].Account = "alice" }), ErrInvalidInput},
			{"another factor's state", key, mutate(func(c *SealedState) { c.Factor = s.foreign }), ErrInvalidInput},
			{"nil key", nil, st, ErrInvalidInput},
		}
		for _, r := range rejects {
			imp, count := s.fresh()
			if err := imp(key, st); err != nil { // start from a populated store
				t.Fatal(err)
			}
			if err := imp(r.key, r.st); !errors.Is(err, r.want) {
				t.Errorf("%s: %s: want %v, got %v", s.name, r.name, r.want, err)
			}
			if count() != 2 {
				t.Errorf("%s: %s: a refused import changed the store", s.name, r.name)
			}
		}
		// The records sealed for this store do not open in another one, even relabelled for it.
		moved := mutate(func(c *SealedState) { c.Factor = s.foreign })
		var imports = map[FactorType]func(*StateKey, SealedState) error{
			FactorTOTP: NewTOTP().Import, FactorBackupCode: NewBackupCodes(nil).Import,
		}
		email, _ := NewDeliveredCode(FactorEmail, &outbox{}, nil)
		imports[FactorEmail] = email.Import
		if err := imports[s.foreign](key, moved); !errors.Is(err, ErrSealedState) {
			t.Errorf("%s: record moved to the %s store: %v", s.name, s.foreign, err)
		}
	}
	for _, k := range [][]byte{nil, make([]byte, 16), make([]byte, StateKeyLen)} {
		if _, err := NewStateKey(k); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("state key of %d bytes (zero): %v", len(k), err)
		}
	}
}

// leak reports which encoding of secret, if any, appears in out.
func leak(out string, secret []byte) string {
	forms := map[string]string{
		"raw": string(secret), "hex": hex.EncodeToString(secret), "HEX": strings.ToUpper(hex.EncodeToString(secret)),
		"base64": base64.StdEncoding.EncodeToString(secret), "base64url": base64.RawURLEncoding.EncodeToString(secret),
		"base32":  base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret),
		"decimal": strings.Trim(fmt.Sprint([]byte(secret)), "[]"),
	}
	for name, f := range forms {
		if len(f) >= 8 && strings.Contains(out, f[:len(f)*3/4]) {
			return name
		}
	}
	return ""
}

// TestSecretsNeverPrinted: the types that hold a secret or personal data print without it under
// every fmt verb, refuse plaintext encodings, and exported state holds none of it in the clear.
func TestSecretsNeverPrinted(t *testing.T) {
	secret := []byte("Sup3r-Secret-TOTPkey") // 20 bytes
	k := &OTPKey{Type: "totp", Issuer: "VirtEngine", AccountName: "alice@example.com", Secret: secret, Algorithm: SHA1, Digits: 6, Period: 30}
	f := NewTOTP()
	if err := f.Enroll("alice", k); err != nil {
		t.Fatal(err)
	}
	key := stateKey(t, 6)
	st, err := f.Export(key)
	if err != nil {
		t.Fatal(err)
	}
	msg := CodeMessage{Channel: FactorSMS, Destination: "+15555550142", Code: "482913", ExpiresAt: t0}
	d, _ := NewDeliveredCode(FactorSMS, &outbox{}, nil)
	d.SetDestination("alice", msg.Destination)
	values := map[string]any{
		"Secret": k.Secret, "OTPKey": *k, "*OTPKey": k, "nested": struct{ K OTPKey }{*k}, "TOTP": f,
		"SealedState": st, "StateKey": key, "CodeMessage": msg, "*CodeMessage": &msg, "DeliveredCode": d,
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
			out := fmt.Sprintf(verb, v)
			if l := leak(out, secret); l != "" {
				t.Errorf("%s with %s prints the secret (%s): %s", name, verb, l, out)
			}
			for _, pd := range []string{msg.Destination, msg.Code} {
				if strings.Contains(out, pd) {
					t.Errorf("%s with %s prints %q: %s", name, verb, pd, out)
				}
			}
		}
	}
	if got := fmt.Sprintf("%+v", k); !strings.Contains(got, "Secret:[redacted]") || !strings.Contains(got, "Digits:6") {
		t.Errorf("OTPKey prints %s", got)
	}
	// Plaintext encodings are refused rather than written.
	for name, enc := range map[string]func() ([]byte, error){
		"json key":    func() ([]byte, error) { return json.Marshal(k) },
		"json secret": func() ([]byte, error) { return json.Marshal(k.Secret) },
		"text":        func() ([]byte, error) { return k.Secret.MarshalText() },
		"gob":         func() ([]byte, error) { return k.Secret.GobEncode() },
	} {
		if b, err := enc(); err == nil || leak(string(b), secret) != "" || !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: encoded %q, %v", name, b, err)
		}
	}
	// Stored state: neither the secret nor the personal data of the key (its account name) in
	// the clear; the account identifier, the store's index, is.
	b, _ := json.Marshal(st)
	if l := leak(string(b), secret); l != "" || strings.Contains(string(b), "alice@example.com") || !strings.Contains(string(b), `"alice"`) {
		t.Errorf("exported state %s (leak: %q)", b, l)
	}
	dst, _ := d.Export(key)
	if b, _ := json.Marshal(dst); strings.Contains(string(b), msg.Destination) {
		t.Errorf("exported destinations in the clear: %s", b)
	}
	// The explicit plaintext APIs do reveal it, and only they.
	if !strings.Contains(k.RevealURI(), base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)) || !bytes.Equal(k.Secret.Reveal(), secret) {
		t.Error("RevealURI / Reveal do not carry the secret")
	}
}
