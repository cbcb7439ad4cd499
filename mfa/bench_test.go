package mfa

import (
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
)

// Benchmarks compare each operation with its reference in the same run (TARGETS.md): TOTP
// verification (three HMACs for the ±1 window plus replay bookkeeping) against one bare RFC 4226
// HOTP, and a passkey login through Passkeys.FinishLogin against go-webauthn's parse +
// ValidateLogin on the same assertion.

func BenchmarkHOTPReference(b *testing.B) {
	secret := []byte("12345678901234567890")
	for i := 0; b.Loop(); i++ {
		HOTP(secret, uint64(i), 6, SHA1)
	}
}

func BenchmarkTOTPVerify(b *testing.B) {
	k := &OTPKey{Type: "totp", AccountName: "a", Secret: []byte("12345678901234567890"), Algorithm: SHA1, Digits: 6, Period: 30}
	f := NewTOTP()
	f.Enroll("a", k)
	base := time.Unix(1_700_000_000, 0)
	for i := 0; b.Loop(); i++ {
		now := base.Add(time.Duration(i) * 30 * time.Second) // a fresh step each time: no replay
		code, _ := k.Code(now)
		if err := f.Verify("a", []byte(code), now); err != nil {
			b.Fatal(err)
		}
	}
}

// loginFixture prepares n signed assertions for consecutive challenges.
func loginFixture(b *testing.B, n int) (*Passkeys, []*protocol.CredentialAssertion, [][]byte) {
	p := newPasskeys(b, nil)
	a := newSoftAuthenticator(b, testOrigin)
	h := register(b, p, "alice", a)
	opts := make([]*protocol.CredentialAssertion, n)
	resps := make([][]byte, n)
	for i := range opts {
		opts[i], _ = p.BeginLogin("alice", t0)
		resps[i] = a.get(opts[i], h)
	}
	return p, opts, resps
}

func BenchmarkPasskeyFinishLogin(b *testing.B) {
	const n = 2048
	p, _, resps := loginFixture(b, n)
	i := 0
	for b.Loop() {
		if i == n {
			b.StopTimer()
			p, _, resps = loginFixture(b, n)
			i = 0
			b.StartTimer()
		}
		if _, err := p.FinishLogin("alice", resps[i], t0); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGoWebAuthnValidateLoginReference(b *testing.B) {
	const n = 2048
	p, _, resps := loginFixture(b, n)
	u := p.users["alice"]
	i := 0
	for b.Loop() {
		if i == n {
			b.StopTimer()
			p, _, resps = loginFixture(b, n)
			u = p.users["alice"]
			i = 0
			b.StartTimer()
		}
		parsed, err := protocol.ParseCredentialRequestResponseBytes(resps[i])
		if err != nil {
			b.Fatal(err)
		}
		c := p.ceremonies[parsed.Response.CollectedClientData.Challenge]
		s := c.session
		s.Expires = time.Time{}
		cred, err := p.wa.ValidateLogin(u, s, parsed)
		if err != nil {
			b.Fatal(err)
		}
		u.creds[0] = *cred
		i++
	}
}
