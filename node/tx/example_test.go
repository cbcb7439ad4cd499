package tx_test

import (
	"bytes"
	"fmt"

	"github.com/virtengine/sdk/node/tx"
)

// Sign a transfer, then decode and verify it as a validator does.
func ExampleSign() {
	alice, _ := tx.NewKeyFromSeed(tx.Ed25519, bytes.Repeat([]byte{1}, 32))
	bob, _ := tx.NewKeyFromSeed(tx.Secp256k1, bytes.Repeat([]byte{2}, 32))

	b, err := tx.Sign(alice, "virtengine-1", 7, 0, 1, &tx.MsgSend{To: bob.Address(), Amount: 250})
	if err != nil {
		panic(err)
	}
	d, err := tx.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Parsed.Type, d.Parsed.ChainID, "account", d.Parsed.Account, "sequence", d.Parsed.Sequence)
	fmt.Println("signer is alice:", d.Signer() == alice.Address())
	fmt.Println("signature valid:", d.Verify() == nil)
	fmt.Println("amount:", d.Msg.(*tx.MsgSend).Amount)
	// Output:
	// bank/send virtengine-1 account 7 sequence 0
	// signer is alice: true
	// signature valid: true
	// amount: 250
}
