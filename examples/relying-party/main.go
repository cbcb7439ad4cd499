// Command relying-party shows a relying party checking a VirtEngine zero-knowledge proof: the
// identity network issues a credential, the relying party asks for "score ≥ 70 and over 18", the
// holder's wallet proves it, and the relying party verifies offline, learning nothing else. The
// same presentation shown twice is rejected as a replay.
//
//	go run ./examples/relying-party     # about 20 s: the development key setup dominates
package main

import (
	"fmt"
	"log"
	"time"

	"github.com/virtengine/sdk/zk"
)

func main() {
	issuer, err := zk.GenerateIssuerKey(nil)
	check(err)
	holder, err := zk.GenerateHolderSecret(nil)
	check(err)
	today := zk.DayOf(time.Now())
	cred, err := zk.Issue(issuer, zk.Attributes{BirthDate: zk.Day(1992, time.March, 3), Country: 250, Score: 84, Tier: 2,
		Flags: zk.FlagDocument | zk.FlagEmail, IssuedAt: today, ExpiresAt: today + 365, HolderKey: holder.PublicKey()}, nil)
	check(err)

	// Development keys; production verifying keys come from the ceremony and are registered on chain.
	pk, vk, err := zk.SetupUnsafe(zk.Groth16)
	check(err)

	// The relying party's request, with a fresh nonce.
	req, err := zk.NewRequest("https://shop.example", today, issuer.Public())
	check(err)
	min70 := uint32(70)
	req.Ranges = []zk.Range{{Attribute: "score", Min: &min70}}
	req.MinAge = 18
	req.NotExpired = true
	req.HolderBinding = true

	pres, err := zk.Prove(pk, req, cred, holder, nil)
	check(err)
	v := &zk.Verifier{Key: vk, Nonces: zk.NewMemoryNonceStore(), AllowUnsafeSetup: true}
	res := v.Verify(req, pres, time.Now())
	fmt.Printf("proof of %d bytes: valid=%v\n", len(pres.Proof), res.Valid)
	res = v.Verify(req, pres, time.Now())
	fmt.Printf("shown again: valid=%v reason=%v\n", res.Valid, res.Reason)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
