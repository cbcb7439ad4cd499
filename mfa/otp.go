package mfa

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"hash"
	"strings"
)

// Algorithm is the HMAC hash of a one-time password (RFC 6238 §1.2: SHA-1, SHA-256, SHA-512).
type Algorithm string

const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
)

func (a Algorithm) hash() (func() hash.Hash, error) {
	switch a {
	case SHA1, "":
		return sha1.New, nil
	case SHA256:
		return sha256.New, nil
	case SHA512:
		return sha512.New, nil
	}
	return nil, invalid("unknown OTP algorithm %q (use SHA1, SHA256 or SHA512)", string(a))
}

// keyLen is the secret length Generate uses: the hash output size, as RFC 6238 Appendix B does.
func (a Algorithm) keyLen() int {
	switch a {
	case SHA256:
		return 32
	case SHA512:
		return 64
	}
	return RecommendedSecretLen
}

var pow10 = [...]uint32{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// HOTP computes the RFC 4226 §5.3 one-time password for counter: HMAC over the 8-byte big-endian
// counter, dynamic truncation to 31 bits, then modulo 10^digits, left-padded with zeros.
func HOTP(secret []byte, counter uint64, digits int, alg Algorithm) (string, error) {
	if err := checkOTPParams(secret, digits); err != nil {
		return "", err
	}
	h, err := alg.hash()
	if err != nil {
		return "", err
	}
	return hotp(h, secret, counter, digits), nil
}

func hotp(h func() hash.Hash, secret []byte, counter uint64, digits int) string {
	mac := hmac.New(h, secret)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	// RFC 4226 §5.4: the low 4 bits of the last byte give the offset of a 4-byte window.
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", digits, bin%pow10[digits])
}

func checkOTPParams(secret []byte, digits int) error {
	if digits < MinDigits || digits > MaxDigits {
		return invalid("OTP digits must be %d–%d, got %d", MinDigits, MaxDigits, digits)
	}
	if len(secret) == 0 || len(secret) > MaxSecretLen {
		return invalid("OTP secret must be 1–%d bytes", MaxSecretLen)
	}
	return nil
}

// normalizeCode strips the spaces and dashes people type inside codes and checks the length and
// that every character is a digit.
func normalizeCode(code []byte, digits int) (string, bool) {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, string(code))
	if len(s) != digits {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}

func codeEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
