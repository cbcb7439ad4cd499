package tx

import (
	"crypto/sha256"
	"fmt"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// Body is what the signer signs: where (chain id), who (account number), which (sequence), what it pays
// (fee in Denom) and what it does (type and message). Every field is always encoded.
type Body struct {
	ChainID  string          `cbor:"1,keyasint"`
	Account  uint64          `cbor:"2,keyasint"` // account number, assigned by the chain when the account is created
	Sequence uint64          `cbor:"3,keyasint"` // equals the account's sequence; +1 per included transaction
	Fee      uint64          `cbor:"4,keyasint"` // in Denom base units
	Type     string          `cbor:"5,keyasint"`
	Msg      cbor.RawMessage `cbor:"6,keyasint"` // canonical CBOR of the message registered under Type
	Memo     string          `cbor:"7,keyasint,omitempty"`
}

// FactorSig is a second-factor signature over the same sign bytes, by a factor key the account
// registered (MsgRegisterFactor); sensitive message types require them (MFA step-up, FEATURES.md §4).
type FactorSig struct {
	Factor string `cbor:"1,keyasint"`
	Sig    []byte `cbor:"2,keyasint"`
}

// Tx is a signed transaction as it travels and is stored in blocks.
type Tx struct {
	Body    []byte      `cbor:"1,keyasint"` // canonical CBOR of Body
	PubKey  PubKey      `cbor:"2,keyasint"`
	Sig     []byte      `cbor:"3,keyasint"`
	Factors []FactorSig `cbor:"4,keyasint,omitempty"`
}

// Decoded is a transaction after Decode: its parts parsed and its message validated, its signature
// not yet checked (call Verify).
type Decoded struct {
	Tx
	Parsed Body
	Msg    Msg
	Hash   [32]byte // SHA-256 of the transaction bytes, as CometBFT computes it
}

// SignBytes returns the bytes a key signs for body.
func SignBytes(body []byte) []byte {
	out := make([]byte, 0, len(SignDomain)+len(body))
	return append(append(out, SignDomain...), body...)
}

// Signer returns the sender's address.
func (d *Decoded) Signer() Address { return d.PubKey.Address() }

// Verify checks the account signature.
func (d *Decoded) Verify() error { return d.PubKey.Verify(SignBytes(d.Body), d.Sig) }

// VerifyFactor checks a second-factor signature by key over the same sign bytes.
func (d *Decoded) VerifyFactor(key PubKey, sig []byte) error {
	return key.Verify(SignBytes(d.Body), sig)
}

// Decode parses a transaction strictly: canonical CBOR, known message type, valid fields.
// It never panics; every failure wraps one of the package's sentinels.
func Decode(b []byte) (*Decoded, error) {
	if len(b) > MaxTxBytes {
		return nil, fmt.Errorf("%w: %d bytes > %d", ErrTooLarge, len(b), MaxTxBytes)
	}
	var d Decoded
	if err := Unmarshal(b, &d.Tx); err != nil {
		return nil, err
	}
	if err := Unmarshal(d.Body, &d.Parsed); err != nil {
		return nil, err
	}
	if err := d.Parsed.validate(); err != nil {
		return nil, err
	}
	if _, err := d.PubKey.comet(); err != nil {
		return nil, err
	}
	if len(d.Sig) != 64 {
		return nil, fieldErr(ErrMalformed, "sig", "signature must be 64 bytes")
	}
	for i, f := range d.Factors {
		if f.Factor == "" || len(f.Factor) > MaxTypeLen || len(f.Sig) != 64 {
			return nil, fieldErr(ErrMalformed, fmt.Sprintf("factors[%d]", i), "need a factor id and a 64-byte signature")
		}
	}
	m, err := DecodeMsg(d.Parsed.Type, d.Parsed.Msg)
	if err != nil {
		return nil, err
	}
	d.Msg = m
	d.Hash = sha256.Sum256(b)
	return &d, nil
}

func (b *Body) validate() error {
	switch {
	case b.ChainID == "" || len(b.ChainID) > MaxChainIDLen:
		return fieldErr(ErrMalformed, "chain_id", "1 to 50 bytes")
	case b.Type == "" || len(b.Type) > MaxTypeLen:
		return fieldErr(ErrMalformed, "type", "1 to 64 bytes")
	case len(b.Memo) > MaxMemoLen || !utf8.ValidString(b.Memo):
		return fieldErr(ErrMalformed, "memo", "at most 256 bytes of UTF-8")
	case len(b.Msg) == 0:
		return fieldErr(ErrMalformed, "msg", "empty")
	}
	return nil
}

// Signer is what Sign needs: an account key and, for MFA-gated types, factor keys.
type Signer interface {
	PubKey() PubKey
	SignRaw(msg []byte) ([]byte, error)
}

// Sign encodes msg into a body with the given envelope fields, signs it with key (and with each factor
// key, for MFA-gated messages) and returns the transaction bytes ready for broadcast.
func Sign(key Signer, chainID string, account, sequence, fee uint64, msg Msg, factors ...NamedSigner) ([]byte, error) {
	if key == nil {
		return nil, ErrNoKey
	}
	if msg == nil {
		return nil, fieldErr(ErrInvalidMsg, "msg", "no message to sign")
	}
	raw, err := Marshal(msg)
	if err != nil {
		return nil, err
	}
	body, err := Marshal(Body{ChainID: chainID, Account: account, Sequence: sequence, Fee: fee, Type: msg.Type(), Msg: raw})
	if err != nil {
		return nil, err
	}
	sb := SignBytes(body)
	sig, err := key.SignRaw(sb)
	if err != nil {
		return nil, err
	}
	t := Tx{Body: body, PubKey: key.PubKey(), Sig: sig}
	for _, f := range factors {
		if f.Key == nil {
			return nil, fmt.Errorf("factor %q: %w", f.ID, ErrNoKey)
		}
		fs, err := f.Key.SignRaw(sb)
		if err != nil {
			return nil, err
		}
		t.Factors = append(t.Factors, FactorSig{Factor: f.ID, Sig: fs})
	}
	return Marshal(t)
}

// NamedSigner is a registered second factor: its id on chain and its key.
type NamedSigner struct {
	ID  string
	Key Signer
}
