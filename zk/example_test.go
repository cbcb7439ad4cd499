package zk_test

import (
	"fmt"
	"time"

	"github.com/virtengine/sdk/zk"
)

// Example shows the whole flow: the identity network issues a credential, a relying party asks for
// "over 18, living in the EU, score ≥ 70, not revoked", the wallet proves it and the relying party
// verifies, learning only the tier it asked to see.
func Example() {
	// Identity network: issuer key, revocation tree, credential for a verified holder.
	issuer, _ := zk.GenerateIssuerKey(nil)
	revocations := zk.NewRevocationTree()
	slot, _ := revocations.Allocate()
	holder, _ := zk.GenerateHolderSecret(nil)
	cred, _ := zk.Issue(issuer, zk.Attributes{
		BirthDate:       zk.Day(1990, time.May, 17),
		Country:         276, // Germany
		Score:           82,
		Tier:            2,
		Flags:           zk.FlagEmail | zk.FlagDocument,
		IssuedAt:        zk.Day(2026, time.January, 10),
		ExpiresAt:       zk.Day(2027, time.January, 10),
		RevocationIndex: slot,
		HolderKey:       holder.PublicKey(),
	}, nil)

	// Keys for the circuit. UNSAFE development setup: production keys come from the ceremony.
	pk, vk, _ := zk.SetupUnsafe(zk.Groth16)

	// Relying party: the request.
	today := zk.Day(2026, time.November, 28)
	req, _ := zk.NewRequest("https://shop.example", today, issuer.Public())
	root := revocations.Root()
	req.RevocationRoot = &root
	req.MinAge = 18
	req.NotExpired = true
	req.Countries = []uint16{40, 56, 250, 276, 380, 528}
	min70 := uint32(70)
	req.Ranges = []zk.Range{{Attribute: "score", Min: &min70}}
	req.Disclose = []string{"tier"}
	req.HolderBinding = true

	// Wallet: prove with the issuer's current revocation path for the credential's slot.
	path := revocations.Path(slot)
	pres, err := zk.Prove(pk, req, cred, holder, &path)
	if err != nil {
		fmt.Println(err)
		return
	}

	// Relying party: verify offline, once per nonce.
	v := &zk.Verifier{Key: vk, Nonces: zk.NewMemoryNonceStore(), AllowUnsafeSetup: true}
	res := v.Verify(req, pres, time.Now())
	tier, _ := pres.DisclosedValue("tier")
	fmt.Println("valid:", res.Valid, "tier:", tier, "proof bytes:", len(pres.Proof))

	// The same presentation again is a replay.
	res = v.Verify(req, pres, time.Now())
	fmt.Println("again:", res.Valid, res.Reason)

	// Once the issuer revokes the credential, the wallet cannot prove against the new root.
	revocations.Revoke(slot)
	root = revocations.Root()
	req.RevocationRoot = &root
	path = revocations.Path(slot)
	_, err = zk.Prove(pk, req, cred, holder, &path)
	fmt.Println(err)
	// Output:
	// valid: true tier: 2 proof bytes: 128
	// again: false nonce_replayed
	// zk: the credential does not satisfy the request: not_revoked: credential slot 0 is revoked
}

// ExampleNewCountryTree: a set too large for the inline list (the EU and EEA, 30 codes) goes into a
// request as a country_set; the circuit's public input is its Merkle root, and the wallet proves a
// path to its own country's leaf without revealing which one.
func ExampleNewCountryTree() {
	eea := []uint16{40, 56, 100, 191, 196, 203, 208, 233, 246, 250, 276, 300, 348, 372, 380, 428,
		440, 442, 470, 528, 616, 620, 642, 703, 705, 724, 752, 352, 438, 578}
	tree, _ := zk.NewCountryTree(eea)
	fmt.Println(len(tree.Codes()), "countries, root", tree.Root())

	path, _ := tree.Path(276) // Germany: what Prove computes from the request
	root, _ := path.Root(276)
	fmt.Println("Germany's path leads to the root:", root == tree.Root())

	_, err := tree.Path(840)
	fmt.Println(err)

	req, _ := zk.NewRequest("https://shop.example", zk.Day(2026, time.November, 28))
	req.CountrySet = eea
	r, _ := req.CountrySetRoot()
	fmt.Println("request's root is the tree's:", r == tree.Root())
	// Output:
	// 30 countries, root 0x2bdea85ff48edd2bb9579caa28a512dc6c9bd37552365a5439a75ea38d14097c
	// Germany's path leads to the root: true
	// zk: the credential does not satisfy the request: country_set: country 840 is not in the requested set
	// request's root is the tree's: true
}
