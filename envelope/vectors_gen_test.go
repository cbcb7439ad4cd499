package envelope

// The deterministic generator of testdata/vectors.json and testdata/vectors/*.env.
//
// Every key, nonce, file key and KEM seed is drawn from SHAKE256 over a fixed label, Ed25519 is
// deterministic and ML-DSA-65 is used in its deterministic variant (FIPS 204 §3.4), so the output
// never changes. TestVectors regenerates everything in memory and compares it byte for byte with
// the files; after a deliberate format change, rewrite them with
//
//	go test ./envelope -run TestVectors -update

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/binary"
	"encoding/hex"
	"io"
	"testing"
)

type vector struct {
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Identity        string   `json:"identity"`
	Senders         []string `json:"senders,omitempty"`
	Expect          string   `json:"expect"`
	PlaintextSize   int      `json:"plaintext_size,omitempty"`
	PlaintextSHA256 string   `json:"plaintext_sha256,omitempty"`
	envelope        []byte
}

func detRand(label string) io.Reader {
	h := sha3.NewSHAKE256()
	h.Write([]byte("virtengine/envelope/vectors/" + label))
	return h
}

func detBytes(label string, n int) []byte {
	b := make([]byte, n)
	io.ReadFull(detRand(label), b)
	return b
}

func detIdentity(t testing.TB, k KEM, label string) *HPKEIdentity {
	id, err := newHPKEIdentity(k, detBytes("identity "+label, 32))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func detSigner(t testing.TB, s SignatureScheme, label string) *SigningKey {
	k, err := newSigningKey(s, detBytes("signer "+label, 32))
	if err != nil {
		t.Fatal(err)
	}
	k.deterministic = true
	return k
}

func detSeal(t testing.TB, label string, pt []byte, signer Signer, rs []Recipient, a AEAD, anonymous bool) []byte {
	env, err := Seal(pt, signer, rs, &SealOptions{AEAD: a, Anonymous: anonymous, rand: detRand("seal " + label)})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// split returns the header, payload and trailer of a well-formed envelope.
func split(t testing.TB, env []byte) (h *header, raw, payload, trailer []byte) {
	h, raw, err := parseHeader(bytes.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	tl := h.trailerSize()
	return h, raw, env[len(raw) : len(env)-tl], env[len(env)-tl:]
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// resignRaw builds header ‖ payload ‖ trailer with a fresh, valid signature by signer.
func resignRaw(t testing.TB, rawHeader, payload []byte, signer *SigningKey) []byte {
	d := payloadDigest(payload)
	sig, err := signer.Sign(transcript(rawHeader, d, uint64(len(payload))))
	if err != nil {
		t.Fatal(err)
	}
	return cat(rawHeader, payload, trailerMagic[:], d, sig)
}

func generateVectors(t testing.TB) []vector {
	alice := detIdentity(t, X25519, "alice")
	bob := detIdentity(t, XWing, "bob")
	carol := detIdentity(t, XWing, "carol")
	eve := detIdentity(t, X25519, "eve")
	ed := detSigner(t, Ed25519, "sender")
	md := detSigner(t, MLDSA65, "sender-pq")
	mallory := detSigner(t, Ed25519, "mallory")

	small := detBytes("plaintext small", 100)
	multi := detBytes("plaintext multi", ChunkSize+1000)
	exact := detBytes("plaintext exact", ChunkSize)
	var vs []vector
	ok := func(name, desc string, id *HPKEIdentity, pt, env []byte) {
		sum := sha256.Sum256(pt)
		vs = append(vs, vector{Name: name, Description: desc, Identity: id.SecretString(), Expect: "success",
			PlaintextSize: len(pt), PlaintextSHA256: hex.EncodeToString(sum[:]), envelope: env})
	}
	fail := func(name, desc string, id *HPKEIdentity, expect string, env []byte) {
		vs = append(vs, vector{Name: name, Description: desc, Identity: id.SecretString(), Expect: expect, envelope: env})
	}

	// Success, every suite.
	base := detSeal(t, "base", multi, ed, []Recipient{alice.Recipient(), bob.Recipient()}, AES256GCM, false)
	ok("xwing-x25519-aes256gcm-ed25519", "two recipients (X25519, X-Wing), two chunks, named", bob, multi, base)
	ok("x25519-aes256gcm-ed25519-second-recipient", "the same envelope opened by its X25519 recipient", alice, multi, base)
	ok("xwing-chacha20poly1305-mldsa65", "X-Wing, ChaCha20-Poly1305, ML-DSA-65 sender", carol, small,
		detSeal(t, "pq", small, md, []Recipient{carol.Recipient()}, ChaCha20Poly1305, false))
	ok("x25519-chacha20poly1305-ed25519-anonymous", "recipient key ids hidden", alice, small,
		detSeal(t, "anon", small, ed, []Recipient{eve.Recipient(), alice.Recipient()}, ChaCha20Poly1305, true))
	ok("empty-payload", "an empty payload is one empty final chunk", alice, nil,
		detSeal(t, "empty", nil, ed, []Recipient{alice.Recipient()}, AES256GCM, false))
	ok("full-final-chunk", "a payload of exactly 64 KiB is one full final chunk", alice, exact,
		detSeal(t, "exact", exact, ed, []Recipient{alice.Recipient()}, AES256GCM, false))

	h, raw, payload, trailer := split(t, base)
	fileKey, err := unwrap(h, alice)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := payloadAEAD(h.aead, fileKey, h.nonce[:])
	if err != nil {
		t.Fatal(err)
	}
	chunk := func(p []byte, i int) []byte { return p[i*chunkCTSize : min(len(p), (i+1)*chunkCTSize)] }

	// Payload failures.
	badTag := bytes.Clone(base)
	badTag[len(raw)+chunkCTSize-1] ^= 0x01
	fail("bad-tag", "last byte of chunk 0's tag flipped", alice, "chunk_auth", badTag)
	fail("swapped-chunks", "chunks 0 and 1 exchanged", alice, "chunk_auth",
		cat(raw, chunk(payload, 1), chunk(payload, 0), trailer))
	fail("truncated-at-chunk", "ends after chunk 0: no final chunk, no trailer", alice, "truncated",
		cat(raw, chunk(payload, 0)))
	other := detSeal(t, "other", multi, ed, []Recipient{alice.Recipient()}, AES256GCM, false)
	_, oraw, opayload, _ := split(t, other)
	_ = oraw
	fail("chunk-from-other-envelope", "chunk 1 taken from another envelope to the same recipient", alice, "chunk_auth",
		cat(raw, chunk(payload, 0), chunk(opayload, 1), trailer))

	// A recipient knows the file key and can make chunks that authenticate; the signature catches it.
	var nonce [12]byte
	forgedPT := bytes.Repeat([]byte{'F'}, ChunkSize)
	chunkNonce(&nonce, 0, false)
	forged := aead.Seal(nil, nonce[:], forgedPT, nil)
	fail("chunk-forged-by-recipient", "chunk 0 re-encrypted by a recipient with the file key", alice, "bad_signature",
		cat(raw, forged, chunk(payload, 1), trailer))

	// Signature failures, on a small two-recipient envelope.
	sm2 := detSeal(t, "small2", small, ed, []Recipient{alice.Recipient(), bob.Recipient()}, AES256GCM, false)
	fail("truncated-trailer", "the last byte of the signature missing", alice, "truncated", sm2[:len(sm2)-1])
	fail("extra-data", "one byte appended after the trailer", alice, "trailing_data", cat(sm2, []byte{0}))
	fail("extra-chunk", "a whole chunk appended after the trailer", alice, "trailing_data", cat(sm2, chunk(payload, 0)))
	h, raw, payload, trailer = split(t, sm2)
	if fileKey, err = unwrap(h, alice); err != nil {
		t.Fatal(err)
	}
	base = sm2
	badSig := bytes.Clone(base)
	badSig[len(badSig)-1] ^= 0x80
	fail("bad-signature", "last byte of the signature flipped", alice, "bad_signature", badSig)
	badDigest := bytes.Clone(base)
	badDigest[len(base)-len(trailer)+4] ^= 0x01
	fail("bad-digest", "first byte of the stored payload digest flipped", alice, "bad_signature", badDigest)
	added := *h
	extra, err := eve.Recipient().wrapWithRand(fileKey, detRand("added"))
	if err != nil {
		t.Fatal(err)
	}
	added.stanzas = append(append([]*Stanza(nil), h.stanzas...), extra...)
	fail("recipient-added", "a stanza added without re-signing", alice, "bad_signature", cat(added.marshal(), payload, trailer))
	removed := *h
	removed.stanzas = h.stanzas[:1]
	fail("recipient-removed", "a stanza removed without re-signing", alice, "bad_signature", cat(removed.marshal(), payload, trailer))
	swappedSigner := *h
	swappedSigner.signer = mallory.Public()
	fail("signer-replaced", "the sender key in the header replaced by another", alice, "bad_signature",
		cat(swappedSigner.marshal(), payload, trailer))
	fail("wrong-recipient", "opened by a key that is not a recipient", eve, "not_recipient", base)
	vs = append(vs, vector{Name: "wrong-signer", Description: "valid, but the caller trusts only another sender",
		Identity: alice.SecretString(), Senders: []string{mallory.Public().String()}, Expect: "wrong_signer", envelope: base})

	// Non-canonical and unsupported encodings.
	sm := detSeal(t, "small", small, ed, []Recipient{alice.Recipient()}, AES256GCM, false)
	_, sraw, spayload, _ := split(t, sm)
	mut := func(off int, f func(b []byte)) []byte {
		r := bytes.Clone(sraw)
		f(r[off:])
		return resignRaw(t, r, spayload, ed)
	}
	fail("bad-magic", "magic VENX", alice, "malformed", mut(3, func(b []byte) { b[0] = 'X' }))
	fail("version-2", "version byte 2", alice, "unsupported", mut(4, func(b []byte) { b[0] = 2 }))
	fail("unknown-aead", "AEAD id 0x0001 (AES-128-GCM) is not a payload suite", alice, "unsupported",
		mut(5, func(b []byte) { binary.BigEndian.PutUint16(b, 0x0001) }))
	fail("unknown-flag", "flag bit 1 set", alice, "malformed", mut(9, func(b []byte) { b[0] |= 0x02 }))
	fail("zero-recipients", "recipient count 0", alice, "malformed", mut(26, func(b []byte) { binary.BigEndian.PutUint16(b, 0) }))
	fail("stanza-body-length", "X25519 stanza body length 81 instead of 80", alice, "malformed",
		mut(28+2+KeyIDSize, func(b []byte) { binary.BigEndian.PutUint16(b, 81) }))
	fail("signer-key-length", "Ed25519 key length 33", alice, "malformed",
		mut(len(sraw)-34, func(b []byte) { binary.BigEndian.PutUint16(b, 33) }))
	// An empty final chunk after a full one: the encoder never writes it (the full chunk would be final).
	var n0, n1 [12]byte
	chunkNonce(&n0, 0, false)
	chunkNonce(&n1, 1, true)
	eh, eraw, _, _ := split(t, detSeal(t, "exact", exact, ed, []Recipient{alice.Recipient()}, AES256GCM, false))
	efk, err := unwrap(eh, alice)
	if err != nil {
		t.Fatal(err)
	}
	eaead, err := payloadAEAD(eh.aead, efk, eh.nonce[:])
	if err != nil {
		t.Fatal(err)
	}
	emptyFinal := cat(eaead.Seal(nil, n0[:], exact, nil), eaead.Seal(nil, n1[:], nil, nil))
	fail("empty-final-chunk", "64 KiB as a non-final chunk followed by an empty final chunk, validly signed", alice, "malformed",
		resignRaw(t, eraw, emptyFinal, ed))
	return vs
}
