package veid

import (
	"crypto/ed25519"
	"crypto/sha256"
	"time"
)

// Verifier checks uploads against the rules of §3.2. Zero durations select the defaults.
type Verifier struct {
	Clients      *ClientRegistry
	Replay       *ReplayCache
	MaxSaltAge   time.Duration // default MaxSaltAge
	MaxClockSkew time.Duration // default MaxClockSkew
}

// Verify checks u at now, in this order, each failure with its own error:
// salt rules (ErrSaltLength, ErrWeakSalt), capture time (ErrFutureCapture, ErrStaleCapture),
// evidence hash (ErrPayloadHash), client key state (ErrUnknownClient, ErrClientKeyPending,
// ErrClientRevoked, ErrClientKeyExpired), the signature chain (ErrBadClientSignature,
// ErrBadUserSignature), and last the replay cache (ErrSaltReused), so that a forged upload cannot
// burn someone else's salt.
func (v *Verifier) Verify(u *Upload, now time.Time) error {
	b := &u.Binding
	if err := checkSalt(b.Salt); err != nil {
		return err
	}
	age, skew := v.MaxSaltAge, v.MaxClockSkew
	if age <= 0 {
		age = MaxSaltAge
	}
	if skew <= 0 {
		skew = MaxClockSkew
	}
	// The signed capture time is whole milliseconds (PROTOCOL.md §2): judge that, not finer digits
	// an in-memory Binding may carry, so a parsed and an unparsed upload get the same answer.
	captured := signedTime(b.CaptureTime)
	if captured.After(now.Add(skew)) {
		return newErr("FUTURE_CAPTURE", ErrFutureCapture, "%s ahead", captured.Sub(now))
	}
	if now.Sub(captured) > age {
		return newErr("STALE_CAPTURE", ErrStaleCapture, "captured %s ago; capture again", now.Sub(captured).Truncate(time.Second))
	}
	if sha256.Sum256(u.Evidence) != b.PayloadHash {
		return newErr("PAYLOAD_HASH", ErrPayloadHash, "")
	}
	pub, err := v.Clients.KeyFor(b.ClientID, b.ClientKeyID, now)
	if err != nil {
		return err
	}
	p, err := b.SigningPayload()
	if err != nil {
		return err
	}
	if len(u.ClientSig) != ed25519.SignatureSize || !ed25519.Verify(pub, p, u.ClientSig) {
		return newErr("BAD_CLIENT_SIGNATURE", ErrBadClientSignature, "")
	}
	if len(u.UserSig) != ed25519.SignatureSize || !ed25519.Verify(b.UserKey, userMessage(p, u.ClientSig), u.UserSig) {
		return newErr("BAD_USER_SIGNATURE", ErrBadUserSignature, "")
	}
	return v.Replay.Add(b.Salt, now)
}
