package zk

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Scalar is an element of the BN254 scalar field (the circuit's native field), 32 bytes big-endian
// and canonical (< r). In JSON it is a 0x-prefixed, 64-digit lower-case hex string.
type Scalar [32]byte

func scalarOf(e fr.Element) Scalar { return Scalar(e.Bytes()) }

// element returns s as a field element, or an error when s is not canonical.
func (s Scalar) element() (fr.Element, error) {
	var e fr.Element
	if err := e.SetBytesCanonical(s[:]); err != nil {
		return e, fmt.Errorf("%w: scalar not below the field modulus", ErrMalformed)
	}
	return e, nil
}

// String returns the 0x-prefixed hex form.
func (s Scalar) String() string { return "0x" + hex.EncodeToString(s[:]) }

// MarshalText implements encoding.TextMarshaler.
func (s Scalar) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler: exactly 64 hex digits after 0x, canonical.
func (s *Scalar) UnmarshalText(b []byte) error {
	str := string(b)
	if !strings.HasPrefix(str, "0x") || len(str) != 66 {
		return fmt.Errorf("%w: scalar must be 0x followed by 64 hex digits", ErrMalformed)
	}
	var v Scalar
	if _, err := hex.Decode(v[:], b[2:]); err != nil {
		return fmt.Errorf("%w: scalar: %v", ErrMalformed, err)
	}
	if str != v.String() {
		return fmt.Errorf("%w: scalar must be lower-case hex", ErrMalformed)
	}
	if _, err := v.element(); err != nil {
		return err
	}
	*s = v
	return nil
}

// randomScalar draws a uniformly random field element from r (64 bytes reduced mod r, bias < 2^-250).
func randomScalar(r io.Reader) (fr.Element, error) {
	var buf [64]byte
	if _, err := io.ReadFull(r, buf[:]); err != nil {
		return fr.Element{}, fmt.Errorf("zk: reading randomness: %w", err)
	}
	var e fr.Element
	e.SetBytes(buf[:])
	return e, nil
}
