package envelope

import (
	"bytes"
	"errors"
	"testing"
)

func mustIdentity(t testing.TB, k KEM) *HPKEIdentity {
	t.Helper()
	id, err := GenerateIdentity(k)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustSigner(t testing.TB, s SignatureScheme) *SigningKey {
	t.Helper()
	k, err := GenerateSigningKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	sizes := []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 3*ChunkSize + 17}
	for _, k := range []KEM{XWing, X25519} {
		for _, a := range []AEAD{AES256GCM, ChaCha20Poly1305} {
			for _, s := range []SignatureScheme{Ed25519, MLDSA65} {
				alice, bob := mustIdentity(t, k), mustIdentity(t, k)
				signer := mustSigner(t, s)
				for _, n := range sizes {
					pt := bytes.Repeat([]byte{byte(n)}, n)
					env, err := Seal(pt, signer, []Recipient{alice.Recipient(), bob.Recipient()}, &SealOptions{AEAD: a})
					if err != nil {
						t.Fatal(err)
					}
					for _, id := range []Identity{alice, bob} {
						got, from, err := Open(env, id, nil)
						if err != nil {
							t.Fatalf("%v/%v/%v n=%d: %v", k, a, s, n, err)
						}
						if !bytes.Equal(got, pt) || !from.Equal(signer.Public()) {
							t.Fatalf("%v/%v/%v n=%d: wrong plaintext or signer", k, a, s, n)
						}
					}
				}
			}
		}
	}
}

func TestOpenNotRecipient(t *testing.T) {
	alice, eve := mustIdentity(t, XWing), mustIdentity(t, XWing)
	signer := mustSigner(t, Ed25519)
	env, err := Seal([]byte("hello"), signer, []Recipient{alice.Recipient()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(env, eve, nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("got %v, want ErrNotRecipient", err)
	}
	anon, err := Seal([]byte("hello"), signer, []Recipient{alice.Recipient()}, &SealOptions{Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(anon, eve, nil); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("anonymous: got %v, want ErrNotRecipient", err)
	}
	if _, _, err := Open(anon, alice, nil); err != nil {
		t.Fatalf("anonymous: %v", err)
	}
}
