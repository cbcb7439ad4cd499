package mfa

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// sealRaw seals plaintext as StateKey.seal would seal an encoded record, so the fuzzer reaches the
// decoding and validation of record contents behind the AEAD.
func sealRaw(k *StateKey, factor FactorType, account string, pt []byte) []byte {
	out := make([]byte, 1+k.aead.NonceSize())
	out[0] = sealVersion
	return k.aead.Seal(out, out[1:], pt, associatedData(factor, account))
}

// fuzzStores are one empty store of each kind, by factor.
func fuzzStores(t testing.TB) map[FactorType]interface {
	Import(*StateKey, SealedState) error
	Export(*StateKey) (SealedState, error)
	Verify(string, []byte, time.Time) error
} {
	sms, err := NewDeliveredCode(FactorSMS, &outbox{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return map[FactorType]interface {
		Import(*StateKey, SealedState) error
		Export(*StateKey) (SealedState, error)
		Verify(string, []byte, time.Time) error
	}{FactorTOTP: NewTOTP(), FactorBackupCode: NewBackupCodes(nil), FactorSMS: sms, FactorFIDO2: newPasskeys(t, nil)}
}

var fuzzFactors = []FactorType{FactorTOTP, FactorBackupCode, FactorSMS, FactorFIDO2}

// opened returns the plaintext of every record of st, by account.
func opened(t *testing.T, k *StateKey, st SealedState) map[string]string {
	out := map[string]string{}
	for _, a := range st.Accounts {
		var raw json.RawMessage
		if err := k.open(st.Factor, a.Account, a.Sealed, &raw); err != nil {
			t.Fatalf("exported record of %q does not open: %v", a.Account, err)
		}
		out[a.Account] = string(raw)
	}
	return out
}

// FuzzImportState: a sealed record whose plaintext is anything (a restored backup, a state file
// edited by whoever holds the key) is imported or refused with a typed error, never a panic; an
// imported store answers Verify, and exports state that imports again to the same contents.
func FuzzImportState(f *testing.F) {
	key := stateKey(f, 7)
	// Seeds: the plaintext of real exports of each store.
	k, _ := GenerateTOTP("VirtEngine", "alice", SHA1, 6, nil)
	totp := NewTOTP()
	totp.Enroll("alice", k)
	hk := *k
	hk.Type, hk.Counter = "hotp", 1<<64-2
	totp.Enroll("bob", &hk)
	b := NewBackupCodes(nil)
	codes, _ := b.Generate("alice")
	b.Verify("alice", []byte(codes[0]), t0)
	sms, _ := NewDeliveredCode(FactorSMS, &outbox{}, nil)
	sms.SetDestination("alice", "+15555550100")
	p := newPasskeys(f, nil)
	register(f, p, "alice", newSoftAuthenticator(f, testOrigin))
	for i, s := range []interface {
		Export(*StateKey) (SealedState, error)
	}{totp, b, sms, p} {
		st, err := s.Export(key)
		if err != nil {
			f.Fatal(err)
		}
		for _, a := range st.Accounts {
			var raw json.RawMessage
			if err := key.open(st.Factor, a.Account, a.Sealed, &raw); err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(i), a.Account, []byte(raw))
		}
	}
	f.Add(uint8(0), "alice", []byte(`{"type":"totp","secret":"AAAAAAAAAAAAAAAAAAAAAAAAAAA=","algorithm":"SHA1","digits":6,"period":1}`))
	f.Add(uint8(1), "alice", []byte(`{"salt":"AAAAAAAAAAAAAAAAAAAAAA==","hashes":[],"used":[]}`))
	f.Add(uint8(2), "alice", []byte(`{"destination":"x","sends":["0001-01-01T00:00:00Z"]}`))
	f.Add(uint8(3), "alice", []byte(`{"handle":"AQ==","credentials":[{"record":{}}]}`))
	f.Add(uint8(0), "", []byte(`{}`))
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, which uint8, account string, pt []byte) {
		factor := fuzzFactors[int(which)%len(fuzzFactors)]
		stores := fuzzStores(t)
		s := stores[factor]
		st := SealedState{Factor: factor, Accounts: []SealedRecord{{Account: account, Sealed: sealRaw(key, factor, account, pt)}}}
		if err := s.Import(key, st); err != nil {
			if !errors.Is(err, ErrSealedState) && !errors.Is(err, ErrInvalidInput) && !errors.Is(err, ErrFactorLimit) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		exp, err := s.Export(key)
		if err != nil {
			t.Fatalf("export after import: %v", err)
		}
		again := fuzzStores(t)[factor]
		if err := again.Import(key, exp); err != nil {
			t.Fatalf("exported state does not import: %v", err)
		}
		exp2, err := again.Export(key)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := opened(t, key, exp), opened(t, key, exp2); len(a) != len(b) || a[account] != b[account] {
			t.Fatalf("import/export changed the record:\n%s\n%s", a[account], b[account])
		}
		// The imported store answers without panicking.
		for _, resp := range []string{"123456", "", strings.Repeat("a", BackupCodeLen)} {
			_ = s.Verify(account, []byte(resp), now)
		}
	})
}

// FuzzVerifyCode: whatever a user types, TOTP, HOTP, backup-code and delivered-code verification
// answers with a typed error or accepts a code that really is one, and a TOTP code is accepted once.
func FuzzVerifyCode(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	k, _ := GenerateTOTP("VirtEngine", "alice", SHA1, 6, nil)
	cur, _ := k.Code(now)
	for _, s := range []string{cur, cur[:3] + " " + cur[3:], cur[:3] + "-" + cur[3:], "000000", "12345", "1234567",
		"abcdef", "", "aaaa-bbbb-cccc-dddd", "١٢٣٤٥٦", "\xff\xfe\xfd\xfc\xfb\xfa"} {
		f.Add([]byte(s))
	}
	typed := func(t *testing.T, what string, err error) {
		for _, e := range []error{ErrWrongCode, ErrCodeReplayed, ErrCodeExpired, ErrTooManyTries, ErrBackupCodesSpent, ErrFactorNotFound} {
			if errors.Is(err, e) {
				return
			}
		}
		t.Fatalf("%s: untyped error %v", what, err)
	}
	f.Fuzz(func(t *testing.T, resp []byte) {
		totp := NewTOTP()
		kk := *k
		totp.Enroll("alice", &kk)
		if err := totp.Verify("alice", resp, now); err != nil {
			typed(t, "totp", err)
		} else {
			if code, ok := normalizeCode(resp, k.Digits); !ok || !strings.Contains(strings.Join(windowCodes(t, k, now), ","), code) {
				t.Fatalf("TOTP accepted %q", resp)
			}
			if err := totp.Verify("alice", resp, now); !errors.Is(err, ErrCodeReplayed) {
				t.Fatalf("TOTP code accepted twice: %v", err)
			}
		}
		b := NewBackupCodes(nil)
		codes, err := b.Generate("alice")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Verify("alice", resp, now); err != nil {
			typed(t, "backup", err)
		} else {
			norm := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(string(resp)))
			found := false
			for _, c := range codes {
				found = found || strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(c)) == norm
			}
			if !found {
				t.Fatalf("backup codes accepted %q", resp)
			}
		}
		box := &outbox{}
		d, err := NewDeliveredCode(FactorSMS, box, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.SetDestination("alice", "+15555550100")
		if err := d.Send(t.Context(), "alice", now); err != nil {
			t.Fatal(err)
		}
		sent := box.last().Code
		if err := d.Verify("alice", resp, now); err != nil {
			typed(t, "delivered", err)
		} else if code, ok := normalizeCode(resp, DeliveredCodeDigits); !ok || code != sent {
			t.Fatalf("delivered code %q accepted %q", sent, resp)
		}
	})
}

// windowCodes returns the TOTP codes Verify accepts at now (the current step ± TOTPSkew).
func windowCodes(t *testing.T, k *OTPKey, now time.Time) []string {
	var out []string
	for d := -int64(TOTPSkew); d <= int64(TOTPSkew); d++ {
		c, err := k.Code(now.Add(time.Duration(d) * time.Duration(k.Period) * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}
