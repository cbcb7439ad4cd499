package veid

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"time"
)

// BindingDomain starts every capture-binding signing payload (PROTOCOL.md §2). One payload is signed
// by the approved client and, followed by the client's signature, by the user.
const BindingDomain = "VEID-CAPTURE-BINDING-v1\x00"

// KeyIDLen is the length of a client key identifier: the first bytes of SHA-256 of the public key.
const KeyIDLen = 8

// KeyID identifies a client public key: SHA-256(public key)[:8].
type KeyID [KeyIDLen]byte

// KeyIDOf returns the KeyID of an Ed25519 public key.
func KeyIDOf(pub ed25519.PublicKey) KeyID {
	h := sha256.Sum256(pub)
	var id KeyID
	copy(id[:], h[:KeyIDLen])
	return id
}

// Binding is what ties an upload to one real capture (anti-gallery, §3.2). Every field is signed.
type Binding struct {
	Kind        ScopeKind
	Salt        []byte    // 32–64 fresh random bytes made at capture time, never reused
	DeviceID    string    // the capturing device
	SessionID   string    // the capture session in the app
	CaptureTime time.Time // encoded in Unix milliseconds
	ClientID    string    // the approved capture client (app)
	ClientKeyID KeyID     // which of the client's keys signed
	Account     string    // the account the evidence is for
	UserKey     ed25519.PublicKey
	PayloadHash [32]byte // SHA-256 of the evidence bytes (the envelope)
}

// SigningPayload returns the exact bytes both parties sign (PROTOCOL.md §2):
//
//	BindingDomain | kind u8 | u8 len | salt | u16 len | device | u16 len | session
//	| capture time i64 ms | u16 len | client id | client key id [8] | u16 len | account
//	| user key [32] | payload hash [32]
//
// Integers are big-endian. It fails with ErrMalformedUpload on an unknown kind, a salt over 255
// bytes, an identifier over MaxIDLen or a user key that is not 32 bytes.
func (b *Binding) SigningPayload() ([]byte, error) {
	code := b.Kind.code()
	if code == 0 {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "unknown kind %q", b.Kind)
	}
	if len(b.Salt) > 255 || len(b.UserKey) != ed25519.PublicKeySize {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "salt or user key size")
	}
	for _, s := range []string{b.DeviceID, b.SessionID, b.ClientID, b.Account} {
		if len(s) > MaxIDLen {
			return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "identifier over %d bytes", MaxIDLen)
		}
	}
	p := make([]byte, 0, 256)
	p = append(p, BindingDomain...)
	p = append(p, code, byte(len(b.Salt)))
	p = append(p, b.Salt...)
	p, err := appendStr16s(p, "device id", b.DeviceID, "session id", b.SessionID)
	if err != nil {
		return nil, err
	}
	p = binary.BigEndian.AppendUint64(p, uint64(b.CaptureTime.UnixMilli()))
	if p, err = appendStr16(p, "client id", b.ClientID); err != nil {
		return nil, err
	}
	p = append(p, b.ClientKeyID[:]...)
	if p, err = appendStr16(p, "account", b.Account); err != nil {
		return nil, err
	}
	p = append(p, b.UserKey...)
	p = append(p, b.PayloadHash[:]...)
	return p, nil
}

// userMessage is what the user signs: the same payload followed by the client's signature, so the
// user endorses exactly what the client attested (one payload, a chain of two signatures).
func userMessage(payload, clientSig []byte) []byte {
	return append(append(make([]byte, 0, len(payload)+len(clientSig)), payload...), clientSig...)
}

// Upload is one capture upload: the binding, the signature chain and the evidence envelope.
type Upload struct {
	Binding   Binding
	ClientSig []byte // Ed25519 by the client key over SigningPayload
	UserSig   []byte // Ed25519 by Binding.UserKey over SigningPayload | ClientSig
	Evidence  []byte // the envelope sealed to the identity network
}

// NewSalt reads a MinSaltLen-byte salt from r (crypto/rand.Reader in production).
func NewSalt(r io.Reader) ([]byte, error) {
	s := make([]byte, MinSaltLen)
	if _, err := io.ReadFull(r, s); err != nil {
		return nil, err
	}
	return s, nil
}

// signedTime is t as the signing payload carries it: whole Unix milliseconds, in UTC (what
// ParseUpload returns).
func signedTime(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

// ClientSign fills in the payload hash and the client key id, sets the capture time to the whole
// milliseconds that are signed (so the Binding equals what ParseUpload returns), and signs as the
// approved client.
func ClientSign(b *Binding, evidence []byte, client ed25519.PrivateKey) ([]byte, error) {
	if len(client) != ed25519.PrivateKeySize {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "client key is not an Ed25519 private key")
	}
	b.CaptureTime = signedTime(b.CaptureTime)
	b.PayloadHash = sha256.Sum256(evidence)
	b.ClientKeyID = KeyIDOf(client.Public().(ed25519.PublicKey))
	p, err := b.SigningPayload()
	if err != nil {
		return nil, err
	}
	return ed25519.Sign(client, p), nil
}

// UserSign signs as the user over the payload and the client's signature.
func UserSign(b *Binding, clientSig []byte, user ed25519.PrivateKey) ([]byte, error) {
	if len(user) != ed25519.PrivateKeySize {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "user key is not an Ed25519 private key")
	}
	p, err := b.SigningPayload()
	if err != nil {
		return nil, err
	}
	return ed25519.Sign(user, userMessage(p, clientSig)), nil
}

// SignUpload builds a complete upload: the client signs, then the user signs over it.
// b.UserKey is set from user.
func SignUpload(b Binding, evidence []byte, client, user ed25519.PrivateKey) (*Upload, error) {
	if len(user) != ed25519.PrivateKeySize {
		return nil, newErr("MALFORMED_UPLOAD", ErrMalformedUpload, "user key is not an Ed25519 private key")
	}
	b.UserKey = user.Public().(ed25519.PublicKey)
	cs, err := ClientSign(&b, evidence, client)
	if err != nil {
		return nil, err
	}
	us, err := UserSign(&b, cs, user)
	if err != nil {
		return nil, err
	}
	return &Upload{Binding: b, ClientSig: cs, UserSig: us, Evidence: evidence}, nil
}

// checkSalt applies the salt rules of §3.2 that need no state.
func checkSalt(s []byte) error {
	if len(s) < MinSaltLen || len(s) > MaxSaltLen {
		return newErr("SALT_LENGTH", ErrSaltLength, "got %d bytes", len(s))
	}
	if bytes.Count(s, s[:1]) == len(s) {
		return newErr("WEAK_SALT", ErrWeakSalt, "")
	}
	return nil
}
