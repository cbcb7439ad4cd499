// Package aesgcm is AES-256-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags. On amd64
// CPUs with VAES and VPCLMULQDQ on 512-bit registers it encrypts and authenticates 16 blocks per
// step, about twice the throughput of the standard library's 128-bit AES-NI code; elsewhere, and
// for messages with additional data, it is crypto/cipher's GCM.
package aesgcm

import (
	"crypto/aes"
	"crypto/cipher"
)

// New returns AES-256-GCM under the 32-byte key.
func New(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	std, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	if len(key) != 32 || !useVAES {
		return std, nil
	}
	return newVAES(key, std), nil
}
