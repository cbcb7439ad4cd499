package envelope

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/virtengine/sdk/envelope/internal/aesgcm"
)

// AEAD identifies the payload cipher. The values are the HPKE AEAD identifiers (RFC 9180 §7.3).
type AEAD uint16

const (
	// AES256GCM (NIST SP 800-38D) is the default: several GB/s with AES-NI and carry-less multiply.
	AES256GCM AEAD = 0x0002
	// ChaCha20Poly1305 (RFC 8439) is for machines without AES instructions.
	ChaCha20Poly1305 AEAD = 0x0003
)

func (a AEAD) String() string {
	switch a {
	case AES256GCM:
		return "AES-256-GCM"
	case ChaCha20Poly1305:
		return "ChaCha20-Poly1305"
	}
	return fmt.Sprintf("AEAD(0x%04x)", uint16(a))
}

func (a AEAD) known() bool { return a == AES256GCM || a == ChaCha20Poly1305 }

// payloadKeyInfo is the HKDF info prefix of the payload key (FORMAT.md §4).
const payloadKeyInfo = "virtengine/envelope/v1/payload"

// payloadAEAD derives the payload key with HKDF-SHA256 (RFC 5869): salt = the envelope nonce,
// IKM = the file key, info = payloadKeyInfo ‖ AEAD id, and returns the AEAD under it. A chunk of
// another envelope fails under this key because the nonce (and normally the file key) differ.
func payloadAEAD(a AEAD, fileKey []byte, nonce []byte) (cipher.AEAD, error) {
	info := binary.BigEndian.AppendUint16([]byte(payloadKeyInfo), uint16(a))
	key, err := hkdf.Key(sha256.New, fileKey, nonce, string(info), 32)
	if err != nil {
		return nil, err
	}
	switch a {
	case AES256GCM:
		return aesgcm.New(key) // VAES and VPCLMULQDQ where the CPU has them, else crypto/cipher
	case ChaCha20Poly1305:
		return chacha20poly1305.New(key)
	}
	return nil, fmt.Errorf("%w: %v", ErrUnsupported, a)
}

// chunkNonce is the STREAM nonce: an 11-byte big-endian chunk counter followed by one byte that is 1
// for the final chunk and 0 otherwise (as in age, C2SP age §"Payload").
func chunkNonce(n *[12]byte, counter uint64, final bool) {
	*n = [12]byte{}
	binary.BigEndian.PutUint64(n[3:11], counter)
	if final {
		n[11] = 1
	}
}
