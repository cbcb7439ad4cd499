// Command sdk-seal shows an SDK developer sealing data with package envelope: one payload encrypted
// once for two recipients (X-Wing, post-quantum hybrid), signed by its sender, opened by each
// recipient, refused to anyone else, and refused by the node's plaintext guard when not sealed.
//
//	go run ./examples/sdk-seal
package main

import (
	"errors"
	"fmt"
	"log"

	"github.com/virtengine/sdk/envelope"
)

func main() {
	alice, err := envelope.GenerateIdentity(envelope.XWing)
	check(err)
	bob, err := envelope.GenerateIdentity(envelope.XWing)
	check(err)
	eve, err := envelope.GenerateIdentity(envelope.XWing)
	check(err)
	sender, err := envelope.GenerateSigningKey(envelope.Ed25519)
	check(err)

	data := []byte(`{"order":"4 cores, 16 GB, eu-north","ssh_key":"ssh-ed25519 AAAA…"}`)
	env, err := envelope.Seal(data, sender, []envelope.Recipient{alice.Recipient(), bob.Recipient()}, nil)
	check(err)
	fmt.Printf("sealed %d bytes into a %d-byte envelope for 2 recipients\n", len(data), len(env))

	for _, r := range []struct {
		name string
		id   *envelope.HPKEIdentity
	}{{"alice", alice}, {"bob", bob}} {
		pt, from, err := envelope.Open(env, r.id, nil)
		check(err)
		fmt.Printf("%s opened %d bytes, sender verified: %v\n", r.name, len(pt), from.String() == sender.Public().String())
	}
	if _, _, err := envelope.Open(env, eve, nil); err != nil {
		fmt.Println("eve (not a recipient):", envelope.Code(err))
	}
	// The node refuses plaintext where an envelope is required (FEATURES.md §1.8).
	fmt.Println("sealed order accepted by the node's guard:", envelope.CheckPayload(envelope.ClassOrder, env) == nil)
	err = envelope.CheckPayload(envelope.ClassOrder, data)
	fmt.Println("plaintext order refused:", errors.Is(err, envelope.ErrPlaintextRefused))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
