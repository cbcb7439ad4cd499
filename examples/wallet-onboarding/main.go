// Command wallet-onboarding shows a wallet onboarding an identity on a VirtEngine network: it makes
// an account key, gets funds from the devnet faucet, seals the capture (document photo, selfie and a
// head-turn frame sequence) to the validators' identity committee, submits it by transaction and waits
// for the score the validators agree on. Each validator extracts the features itself with the
// biometrics models; the wallet never sends a score of its own. Run scripts/setup.sh first (models).
//
//	go run ./examples/wallet-onboarding                  # starts its own one-validator devnet
//	go run ./examples/wallet-onboarding -devnet DIR      # uses a running `virtengine devnet --home DIR`
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	rpclocal "github.com/cometbft/cometbft/rpc/client/local"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/internal/demo"
	"github.com/virtengine/sdk/node/client"
	"github.com/virtengine/sdk/node/devnet"
	"github.com/virtengine/sdk/node/tx"
)

func main() {
	dir := flag.String("devnet", "", "directory of a running devnet (default: start one here)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var c *client.Client
	var nw *devnet.Network
	var err error
	if *dir != "" {
		nw, err = devnet.Load(*dir)
		check(err)
		c, err = client.Dial(nw.Nodes[0].RPC)
		check(err)
	} else {
		tmp, err := os.MkdirTemp("", "wallet-devnet-")
		check(err)
		defer os.RemoveAll(tmp)
		nw, err = devnet.Create(tmp, devnet.Config{Validators: 1, RandomPorts: true, TimeoutCommit: 200 * time.Millisecond})
		check(err)
		check(nw.Start(ctx, devnet.StartOptions{}))
		defer nw.Stop()
		c, err = client.New(ctx, rpclocal.New(nw.Node(0).Comet()))
		check(err)
	}
	check(c.WaitHeight(ctx, 2))
	kr, err := nw.Keyring()
	check(err)
	faucet, _, err := kr.Get(devnet.FaucetKeyName)
	check(err)

	// 1. The wallet's account key (secp256k1 here; ed25519 works the same).
	me, err := tx.GenerateKey(tx.Secp256k1)
	check(err)
	_, err = c.Submit(ctx, faucet, &tx.MsgSend{To: me.Address(), Amount: 10_000})
	check(err)
	fmt.Println("account", me.Address(), "funded")

	// 2. The capture, sealed to the committee: here the shared test images (an ICAO specimen passport
	// with a portrait printed on it, a selfie and a synthetic head turn), as a veid evidence bundle.
	eng, err := biometrics.Open(biometrics.Config{})
	check(err)
	defer eng.Close()
	evidence, summary, err := demo.GenuineEvidence(eng)
	check(err)
	fmt.Println("capture:", summary)
	sender, err := envelope.GenerateSigningKey(envelope.Ed25519)
	check(err)
	id, res, err := c.SubmitEvidenceBundle(ctx, me, sender, evidence)
	check(err)
	fmt.Println("evidence submitted in block", res.Height, "request", id[:16])

	// 3. The validators open it, extract and score it, and vote in their vote extensions; the score is
	// final at > 2/3 agreement.
	r, err := c.WaitIdentity(ctx, id)
	check(err)
	fmt.Printf("score %d (%s) final at block %d\n", r.Score, r.Status, r.FinalAt)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
