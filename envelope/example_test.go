package envelope_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/virtengine/sdk/envelope"
)

// Seal for a recipient, open, and learn who sent it.
func Example() {
	bob, _ := envelope.GenerateIdentity(envelope.XWing)       // bob keeps this secret
	alice, _ := envelope.GenerateSigningKey(envelope.Ed25519) // alice signs what she sends

	env, err := envelope.Seal([]byte("passport scan"), alice, []envelope.Recipient{bob.Recipient()}, nil)
	if err != nil {
		log.Fatal(err)
	}
	data, from, err := envelope.Open(env, bob, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s, from alice: %v\n", data, from.Equal(alice.Public()))
	// Output: passport scan, from alice: true
}

// Stream a payload of any size through io in constant memory.
func ExampleNewWriter() {
	bob, _ := envelope.GenerateIdentity(envelope.X25519)
	alice, _ := envelope.GenerateSigningKey(envelope.Ed25519)

	var stored bytes.Buffer
	w, err := envelope.NewWriter(&stored, alice, []envelope.Recipient{bob.Recipient()}, nil)
	if err != nil {
		log.Fatal(err)
	}
	io.Copy(w, bytes.NewReader(make([]byte, 1<<20))) // 1 MiB, 16 chunks
	if err := w.Close(); err != nil {                // writes the final chunk and the signature
		log.Fatal(err)
	}

	r, err := envelope.NewReader(&stored, bob, &envelope.OpenOptions{Senders: []*envelope.VerifyingKey{alice.Public()}})
	if err != nil {
		log.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r) // a bad signature would surface here, at the latest at EOF
	fmt.Println(n, err)
	// Output: 1048576 <nil>
}

// Hand an envelope to a new reader and drop an old one without touching the payload.
func ExampleRewrapAt() {
	alice, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	oldProvider, _ := envelope.GenerateIdentity(envelope.XWing)
	newProvider, _ := envelope.GenerateIdentity(envelope.XWing)
	node, _ := envelope.GenerateIdentity(envelope.XWing)

	env, _ := envelope.Seal([]byte("order config"), alice,
		[]envelope.Recipient{node.Recipient(), oldProvider.Recipient()}, nil)

	rw, err := envelope.RewrapAt(bytes.NewReader(env), int64(len(env)), envelope.RewrapOptions{
		Identity: node, // a current recipient
		Add:      []envelope.Recipient{newProvider.Recipient()},
		Remove:   []envelope.KeyID{oldProvider.KeyID()},
		Signer:   alice,
	})
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	rw.WriteTo(&out, bytes.NewReader(env))

	data, _, err := envelope.Open(out.Bytes(), newProvider, nil)
	fmt.Printf("new provider: %s %v\n", data, err)
	_, _, err = envelope.Open(out.Bytes(), oldProvider, nil)
	fmt.Println("old provider:", envelope.Code(err))
	// Output:
	// new provider: order config <nil>
	// old provider: not_recipient
}

// The node refuses plaintext where an envelope is required.
func ExampleCheckPayload() {
	fmt.Println(envelope.Code(envelope.CheckPayload(envelope.ClassIdentityScope, []byte(`{"name":"Alice"}`))))
	fmt.Println(envelope.CheckPayload(envelope.ClassPublic, []byte(`{"offer":"4 vCPU"}`)))
	// Output:
	// plaintext_refused
	// <nil>
}

// Read 16 bytes from the middle of a stored envelope: only the chunk that holds them is decrypted.
func ExampleNewReaderAt() {
	bob, _ := envelope.GenerateIdentity(envelope.X25519)
	alice, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	env, _ := envelope.Seal(data, alice, []envelope.Recipient{bob.Recipient()}, nil)

	ra, err := envelope.NewReaderAt(bytes.NewReader(env), int64(len(env)), bob, nil)
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 16)
	ra.ReadAt(buf, 700_000)
	fmt.Println(ra.Size(), string(buf))
	// Output: 1048576 0123456789abcdef
}

// Rotate a key with an overlap window: envelopes sealed to the old key still open during it.
func ExampleKeyring_Rotate() {
	old, _ := envelope.GenerateIdentity(envelope.XWing)
	next, _ := envelope.GenerateIdentity(envelope.XWing)
	alice, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	env, _ := envelope.Seal([]byte("sealed before the rotation"), alice, []envelope.Recipient{old.Recipient()}, nil)

	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // block time, not the clock
	kr := envelope.NewKeyring(old)
	kr.Rotate(old.KeyID(), next, t0, 72*time.Hour)

	_, _, err := envelope.Open(env, kr.At(t0.Add(24*time.Hour)), nil)
	fmt.Println("during the overlap:", err == nil)
	_, _, err = envelope.Open(env, kr.At(t0.Add(72*time.Hour)), nil)
	fmt.Println("after it:", envelope.Code(err))
	fmt.Println("seal to the new key:", kr.SealingKeys(t0)[0] == next.KeyID())
	// Output:
	// during the overlap: true
	// after it: not_recipient
	// seal to the new key: true
}
