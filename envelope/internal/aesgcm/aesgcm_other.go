//go:build !amd64 || purego

package aesgcm

import "crypto/cipher"

const useVAES = false

func newVAES(key []byte, std cipher.AEAD) cipher.AEAD { return std }
