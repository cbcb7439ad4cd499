package envelope

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// stdKEM is the Go standard library's implementation of the same KEM: an independent HPKE (RFC 9180).
func stdKEM(k KEM) hpke.KEM {
	if k == XWing {
		return hpke.MLKEM768X25519()
	}
	kem, _ := hpke.NewKEM(uint16(k))
	return kem
}

// TestInteropStdlibUnwrap decrypts our stanzas with crypto/hpke and then the first payload chunk with
// crypto/hkdf and crypto/aes alone, following FORMAT.md: the wrap is standard RFC 9180 base mode.
func TestInteropStdlibUnwrap(t *testing.T) {
	for _, k := range []KEM{X25519, XWing} {
		id := mustIdentity(t, k)
		pt := []byte("read by an independent HPKE implementation")
		env, err := Seal(pt, mustSigner(t, Ed25519), []Recipient{id.Recipient()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		h, raw, payload, _ := split(t, env)
		if h.stanzas[0].Type != uint16(k) || stdKEM(k).ID() != uint16(k) {
			t.Fatalf("%v: stanza type %#x", k, h.stanzas[0].Type)
		}
		priv, err := stdKEM(k).NewPrivateKey(id.raw)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(priv.PublicKey().Bytes(), id.Recipient().Bytes()) {
			t.Fatalf("%v: crypto/hpke derives another public key from the same secret", k)
		}
		p, _ := k.params()
		body := h.stanzas[0].Body
		r, err := hpke.NewRecipient(body[:p.encSize], priv, hpke.HKDFSHA256(), hpke.AES256GCM(), []byte(wrapInfo))
		if err != nil {
			t.Fatalf("%v: crypto/hpke: %v", k, err)
		}
		fileKey, err := r.Open(nil, body[p.encSize:])
		if err != nil {
			t.Fatalf("%v: crypto/hpke Open: %v", k, err)
		}
		// Payload key and chunk 0, from FORMAT.md §4 with the standard library only.
		info := binary.BigEndian.AppendUint16([]byte("virtengine/envelope/v1/payload"), 0x0002)
		key, err := hkdf.Key(sha256.New, fileKey, raw[10:26], string(info), 32)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := aes.NewCipher(key)
		gcm, _ := cipher.NewGCM(b)
		nonce := make([]byte, 12)
		nonce[11] = 1 // chunk 0, final
		got, err := gcm.Open(nil, nonce, payload, nil)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("%v: payload does not decrypt per FORMAT.md: %v", k, err)
		}
	}
}

// TestInteropStdlibWrap: a stanza made by crypto/hpke opens with our Identity.
func TestInteropStdlibWrap(t *testing.T) {
	for _, k := range []KEM{X25519, XWing} {
		id := mustIdentity(t, k)
		pub, err := stdKEM(k).NewPublicKey(id.Recipient().Bytes())
		if err != nil {
			t.Fatal(err)
		}
		fileKey := bytes.Repeat([]byte{7}, fileKeySize)
		enc, s, err := hpke.NewSender(pub, hpke.HKDFSHA256(), hpke.AES256GCM(), []byte(wrapInfo))
		if err != nil {
			t.Fatal(err)
		}
		ct, err := s.Seal(nil, fileKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err := id.Unwrap([]*Stanza{{Type: uint16(k), Body: append(enc, ct...)}})
		if err != nil || !bytes.Equal(got, fileKey) {
			t.Fatalf("%v: stanza from crypto/hpke: %v", k, err)
		}
		// Reject twin: the same stanza with one byte of the wrapped key changed.
		ct[0] ^= 1
		if _, err := id.Unwrap([]*Stanza{{Type: uint16(k), Body: append(enc, ct...)}}); err != ErrIncorrectIdentity {
			t.Fatalf("%v: tampered stanza: got %v", k, err)
		}
	}
}
