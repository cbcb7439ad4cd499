// Command relying-party shows a relying party checking a VirtEngine zero-knowledge proof: the
// identity network issues a credential, the relying party asks for "score ≥ 70 and over 18", the
// holder's wallet proves it, and the relying party verifies offline, learning nothing else. The
// same presentation shown twice is rejected as a replay.
//
// With -node, the relying party talks to a VirtEngine node and accepts only credentials signed by
// the validators' registered issuer keys (/identity/issuers): the locally made issuer below is then
// refused, as any credential not issued by the network is.
//
//	go run ./examples/relying-party     # about 20 s: the development key setup dominates
//	go run ./examples/relying-party -node 127.0.0.1:26657
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/zk"
)

func main() {
	nodeAddr := flag.String("node", "", "a VirtEngine node's CometBFT RPC (host:port): accept only the validators' registered issuer keys")
	flag.Parse()
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

	// The issuers the relying party accepts: the network's validators when it talks to a node.
	accepted := []zk.IssuerPublicKey{issuer.Public()}
	if *nodeAddr != "" {
		accepted = networkIssuers(*nodeAddr, issuer.Public())
	}

	// The relying party's request, with a fresh nonce.
	req, err := zk.NewRequest("https://shop.example", today, accepted...)
	check(err)
	min70 := uint32(70)
	req.Ranges = []zk.Range{{Attribute: "score", Min: &min70}}
	req.MinAge = 18
	req.NotExpired = true
	req.HolderBinding = true

	pres, err := zk.Prove(pk, req, cred, holder, nil)
	var unsat *zk.UnsatisfiedError
	if errors.As(err, &unsat) && unsat.Statement == "issuer" {
		fmt.Println("the local issuer is not a registered validator issuer key: the credential is refused (", err, ")")
		return
	}
	check(err)
	v := &zk.Verifier{Key: vk, Nonces: zk.NewMemoryNonceStore(), AllowUnsafeSetup: true}
	res := v.Verify(req, pres, time.Now())
	fmt.Printf("proof of %d bytes: valid=%v\n", len(pres.Proof), res.Valid)
	res = v.Verify(req, pres, time.Now())
	fmt.Printf("shown again: valid=%v reason=%v\n", res.Valid, res.Reason)
}

// networkIssuers returns the node's registered validator zk issuer keys, and says whether local is
// one of them.
func networkIssuers(addr string, local zk.IssuerPublicKey) []zk.IssuerPublicKey {
	c, err := client.Dial(addr)
	check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	keys, err := c.ZKIssuers(ctx)
	check(err)
	fmt.Printf("%d registered validator issuer key(s) on %s; local issuer registered: %v\n", len(keys), c.ChainID, c.CheckZKIssuer(ctx, local) == nil)
	return keys
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
