package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/circl/hpke"
	"github.com/cloudflare/circl/kem"

	"github.com/virtengine/sdk/envelope/internal/avx"
)

// KEM identifies a recipient key type. The values are the HPKE KEM identifiers of the IANA registry
// (RFC 9180 §7.1) and double as stanza types (FORMAT.md §3.1).
type KEM uint16

const (
	// XWing is X-Wing (ML-KEM-768 + X25519, draft-connolly-cfrg-xwing-kem, HPKE codepoint 0x647a
	// of draft-ietf-hpke-pq): the default, secure if either component is.
	XWing KEM = 0x647a
	// X25519 is DHKEM(X25519, HKDF-SHA256) of RFC 9180 §7.1: classical, smaller and faster.
	X25519 KEM = 0x0020
)

// String is the KEM's name.
func (k KEM) String() string {
	switch k {
	case XWing:
		return "X-Wing"
	case X25519:
		return "DHKEM(X25519, HKDF-SHA256)"
	}
	return fmt.Sprintf("KEM(0x%04x)", uint16(k))
}

// The HPKE suite that wraps file keys: base mode (RFC 9180 §5.1.1), HKDF-SHA256, AES-256-GCM, with
// wrapInfo as the info string and an empty AAD. An X25519 stanza body is enc (32 B) ‖ ct (48 B); an
// X-Wing body is enc (1120 B) ‖ ct (48 B).
const wrapInfo = "virtengine/envelope/v1/wrap"

// The HPKE KEM runs in circl; the key schedule and the AEAD of RFC 9180 base mode run here, so
// that avx.ZeroUpper can run between them (circl's ML-KEM leaves the vector registers dirty,
// which made the SHA-256 and AES-NI code after it about ten times slower) and so that what depends
// only on the suite and wrapInfo is computed once.
const (
	hpkeKDFID  = 0x0001 // HKDF-SHA256 (RFC 9180 §7.2)
	hpkeAEADID = 0x0002 // AES-256-GCM (RFC 9180 §7.3)
)

// hpkeSchedule is the key schedule of RFC 9180 §5.1 for one KEM, base mode, no PSK, info =
// wrapInfo: suite_id and key_schedule_context = mode ‖ psk_id_hash ‖ info_hash.
type hpkeSchedule struct {
	suiteID [10]byte
	ksCtx   []byte
}

var schedules = map[KEM]*hpkeSchedule{XWing: newSchedule(XWing), X25519: newSchedule(X25519)}

func newSchedule(k KEM) *hpkeSchedule {
	s := &hpkeSchedule{}
	copy(s.suiteID[:], "HPKE")
	binary.BigEndian.PutUint16(s.suiteID[4:], uint16(k))
	binary.BigEndian.PutUint16(s.suiteID[6:], hpkeKDFID)
	binary.BigEndian.PutUint16(s.suiteID[8:], hpkeAEADID)
	pskIDHash, err1 := s.labeledExtract(nil, "psk_id_hash", nil)
	infoHash, err2 := s.labeledExtract(nil, "info_hash", []byte(wrapInfo))
	if err := errors.Join(err1, err2); err != nil {
		panic(err) // HKDF-SHA256 extraction does not fail
	}
	s.ksCtx = append(append([]byte{0x00}, pskIDHash...), infoHash...) // mode_base = 0x00
	return s
}

// labeledExtract is LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm).
func (s *hpkeSchedule) labeledExtract(salt []byte, label string, ikm []byte) ([]byte, error) {
	in := make([]byte, 0, 7+len(s.suiteID)+len(label)+len(ikm))
	in = append(append(append(append(in, "HPKE-v1"...), s.suiteID[:]...), label...), ikm...)
	return hkdf.Extract(sha256.New, in, salt)
}

// labeledExpand is LabeledExpand(prk, label, key_schedule_context, n) =
// Expand(prk, I2OSP(n, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ key_schedule_context, n).
func (s *hpkeSchedule) labeledExpand(prk []byte, label string, n int) ([]byte, error) {
	info := make([]byte, 0, 2+7+len(s.suiteID)+len(label)+len(s.ksCtx))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(append(append(append(info, "HPKE-v1"...), s.suiteID[:]...), label...), s.ksCtx...)
	return hkdf.Expand(sha256.New, prk, string(info), n)
}

// context returns the AEAD and base_nonce of the HPKE context for shared secret ss: secret =
// LabeledExtract(ss, "secret", psk = ""), key and base_nonce expanded from it. A wrap seals one
// message, so its nonce is base_nonce itself (sequence number 0).
func (s *hpkeSchedule) context(ss []byte) (cipher.AEAD, []byte, error) {
	secret, err := s.labeledExtract(ss, "secret", nil)
	if err != nil {
		return nil, nil, err
	}
	key, err := s.labeledExpand(secret, "key", 32)
	if err != nil {
		return nil, nil, err
	}
	nonce, err := s.labeledExpand(secret, "base_nonce", 12)
	if err != nil {
		return nil, nil, err
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, nil, err
	}
	aead, err := cipher.NewGCM(b)
	return aead, nonce, err
}

type kemParams struct {
	id        hpke.KEM
	encSize   int
	hrp       string // public key prefix
	secretHRP string // secret key prefix
}

func (k KEM) params() (kemParams, bool) {
	switch k {
	case XWing:
		return kemParams{hpke.KEM_XWING, 1120, "vexw", "VE-SECRET-XW-"}, true
	case X25519:
		return kemParams{hpke.KEM_X25519_HKDF_SHA256, 32, "vecx", "VE-SECRET-CX-"}, true
	}
	return kemParams{}, false
}

func (k KEM) stanzaBodySize() int {
	p, _ := k.params()
	return p.encSize + fileKeySize + 16
}

// HPKERecipient is the public key of an X-Wing or X25519 recipient.
type HPKERecipient struct {
	kem KEM
	pub kem.PublicKey
	raw []byte
	fp  [32]byte
}

// HPKEIdentity is the secret key of an X-Wing or X25519 recipient.
type HPKEIdentity struct {
	kem  KEM
	priv kem.PrivateKey
	raw  []byte // 32 bytes: the X-Wing seed or the X25519 scalar
	pub  *HPKERecipient
}

// GenerateIdentity returns a new secret key of the given KEM; XWing is the right choice for almost
// everyone.
func GenerateIdentity(k KEM) (*HPKEIdentity, error) {
	seed := make([]byte, 32)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	return newHPKEIdentity(k, seed)
}

func newHPKEIdentity(k KEM, raw []byte) (*HPKEIdentity, error) {
	p, ok := k.params()
	if !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, k)
	}
	priv, err := p.id.Scheme().UnmarshalBinaryPrivateKey(raw)
	avx.ZeroUpper()
	if err != nil {
		return nil, &KeyError{Kind: "identity", Reason: err.Error()}
	}
	pubRaw, err := priv.Public().MarshalBinary()
	if err != nil {
		return nil, err
	}
	pub, err := newHPKERecipient(k, pubRaw)
	if err != nil {
		return nil, err
	}
	return &HPKEIdentity{kem: k, priv: priv, raw: append([]byte(nil), raw...), pub: pub}, nil
}

func newHPKERecipient(k KEM, raw []byte) (*HPKERecipient, error) {
	p, ok := k.params()
	if !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, k)
	}
	pub, err := p.id.Scheme().UnmarshalBinaryPublicKey(raw)
	avx.ZeroUpper()
	if err != nil {
		return nil, &KeyError{Kind: "recipient", Reason: err.Error()}
	}
	return &HPKERecipient{kem: k, pub: pub, raw: append([]byte(nil), raw...), fp: fingerprint(uint16(k), raw)}, nil
}

// Recipient is the public half, to give to senders.
func (i *HPKEIdentity) Recipient() *HPKERecipient { return i.pub }

// KEM is the key type.
func (i *HPKEIdentity) KEM() KEM { return i.kem }

// KeyID is the id of the public half.
func (i *HPKEIdentity) KeyID() KeyID {
	if i == nil {
		return KeyID{}
	}
	return i.pub.KeyID()
}

// SecretString encodes the secret key as "VE-SECRET-XW-1…" or "VE-SECRET-CX-1…", the string
// ParseIdentity reads: the one method that reveals the secret. Store it in a key file readable by
// its owner alone; never log it. A zero or nil identity encodes as "".
func (i *HPKEIdentity) SecretString() string {
	if i == nil || i.pub == nil {
		return ""
	}
	p, _ := i.kem.params()
	return bech32Encode(p.secretHRP, encodeKey(uint16(i.kem), i.raw))
}

// String returns the identity redacted, as fmt prints it: the secret key's prefix and the key id
// of its public half. Use SecretString to encode the key.
func (i *HPKEIdentity) String() string {
	if i == nil {
		return "<nil>"
	}
	return i.redacted()
}

// Format prints the identity redacted, with every verb (%v, %s, %q, %x, …): the secret key's
// prefix, "…(redacted", and the key id of its public half, as in
// "VE-SECRET-XW-1…(redacted, key id 0f3c…)". Logging an identity never reveals it.
func (i HPKEIdentity) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, i.redacted(), i.GoString())
}

// GoString is the redacted form for %#v.
func (i HPKEIdentity) GoString() string { return "envelope.HPKEIdentity(" + i.redacted() + ")" }

func (i HPKEIdentity) redacted() string {
	p, ok := i.kem.params()
	if !ok || i.pub == nil {
		return "empty identity"
	}
	return redactedKey(p.secretHRP, i.pub.KeyID())
}

// Unwrap implements Identity: it tries the stanzas of its KEM whose KeyID is its own or absent.
func (i *HPKEIdentity) Unwrap(stanzas []*Stanza) ([]byte, error) {
	if i == nil || i.pub == nil || i.priv == nil {
		return nil, ErrIncorrectIdentity
	}
	p, _ := i.kem.params()
	id := i.pub.KeyID()
	for _, s := range stanzas {
		if s == nil || s.Type != uint16(i.kem) {
			continue
		}
		if s.KeyID != nil && subtle.ConstantTimeCompare(s.KeyID, id[:]) != 1 {
			continue
		}
		if len(s.Body) != i.kem.stanzaBodySize() {
			return nil, formatErr(0, "stanza body", fmt.Sprintf("%v stanza of %d bytes, want %d", i.kem, len(s.Body), i.kem.stanzaBodySize()))
		}
		ss, err := p.id.Scheme().Decapsulate(i.priv, s.Body[:p.encSize])
		avx.ZeroUpper()
		if err != nil {
			continue // not decapsulable under this key: not ours
		}
		aead, nonce, err := schedules[i.kem].context(ss)
		if err != nil {
			return nil, err
		}
		fk, err := aead.Open(nil, nonce, s.Body[p.encSize:], nil)
		if err != nil {
			continue
		}
		return fk, nil
	}
	return nil, ErrIncorrectIdentity
}

// KEM is the key type.
func (r *HPKERecipient) KEM() KEM { return r.kem }

func (r *HPKERecipient) kemParams() (kemParams, bool) {
	if r == nil || r.pub == nil {
		return kemParams{}, false
	}
	return r.kem.params()
}

// Fingerprint is SHA-256 over the key's versioned binary encoding (FORMAT.md §5).
func (r *HPKERecipient) Fingerprint() [32]byte { return r.fp }

// KeyID is the first KeyIDSize bytes of the fingerprint.
func (r *HPKERecipient) KeyID() KeyID {
	if r == nil {
		return KeyID{}
	}
	return keyIDOf(r.fp)
}

// Bytes is the raw KEM public key.
func (r *HPKERecipient) Bytes() []byte { return append([]byte(nil), r.raw...) }

// String encodes the public key as "vexw1…" or "vecx1…", with a Bech32 checksum.
func (r *HPKERecipient) String() string {
	p, _ := r.kem.params()
	return bech32Encode(p.hrp, encodeKey(uint16(r.kem), r.raw))
}

// Wrap implements Recipient: one HPKE base-mode encryption of the file key (RFC 9180 §6.1).
func (r *HPKERecipient) Wrap(fileKey []byte) ([]*Stanza, error) {
	return r.wrapWithRand(fileKey, rand.Reader)
}

func (r *HPKERecipient) wrapWithRand(fileKey []byte, rnd io.Reader) ([]*Stanza, error) {
	p, ok := r.kemParams()
	if !ok {
		return nil, &KeyError{Kind: "recipient", Reason: "not initialised: use ParseRecipient or HPKEIdentity.Recipient"}
	}
	scheme := p.id.Scheme()
	seed := make([]byte, scheme.EncapsulationSeedSize()) // as circl's hpke.Sender.Setup draws it
	if _, err := io.ReadFull(rnd, seed); err != nil {
		return nil, err
	}
	enc, ss, err := scheme.EncapsulateDeterministically(r.pub, seed)
	avx.ZeroUpper()
	if err != nil {
		return nil, err
	}
	aead, nonce, err := schedules[r.kem].context(ss)
	if err != nil {
		return nil, err
	}
	id := r.KeyID()
	body := make([]byte, 0, len(enc)+len(fileKey)+aead.Overhead())
	body = aead.Seal(append(body, enc...), nonce, fileKey, nil)
	return []*Stanza{{Type: uint16(r.kem), KeyID: id[:], Body: body}}, nil
}

var (
	recipientHRPs = map[string]uint16{"vexw": uint16(XWing), "vecx": uint16(X25519)}
	identityHRPs  = map[string]uint16{"ve-secret-xw-": uint16(XWing), "ve-secret-cx-": uint16(X25519)}
)

// ParseRecipient parses a recipient string ("vexw1…" or "vecx1…").
func ParseRecipient(s string) (*HPKERecipient, error) {
	typ, raw, err := decodeKeyString("recipient", s, recipientHRPs)
	if err != nil {
		return nil, err
	}
	if p, _ := KEM(typ).params(); len(raw) != p.id.Scheme().PublicKeySize() {
		return nil, &KeyError{Kind: "recipient", Reason: "wrong key length"}
	}
	return newHPKERecipient(KEM(typ), raw)
}

// ParseIdentity parses a secret key string ("VE-SECRET-XW-1…" or "VE-SECRET-CX-1…").
func ParseIdentity(s string) (*HPKEIdentity, error) {
	typ, raw, err := decodeKeyString("identity", s, identityHRPs)
	if err != nil {
		return nil, err
	}
	if len(raw) != 32 {
		return nil, &KeyError{Kind: "identity", Reason: "wrong key length"}
	}
	id, err := newHPKEIdentity(KEM(typ), raw)
	if err != nil {
		var ke *KeyError
		if errors.As(err, &ke) {
			return nil, err
		}
		return nil, &KeyError{Kind: "identity", Reason: err.Error()}
	}
	return id, nil
}
