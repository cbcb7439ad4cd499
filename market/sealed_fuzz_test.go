package market_test

import (
	"encoding/hex"
	"testing"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/market"
)

// FuzzEnvelopeRecipients: the market inspects every order configuration, deployment result, secret
// and fraud evidence it is given (untrusted bytes) with EnvelopeInspector, without a key. Whatever
// the bytes, it refuses them or lists recipient key ids that are KeyIDSize-byte hex, none when the
// envelope is anonymous.
func FuzzEnvelopeRecipients(f *testing.F) {
	a, err := envelope.GenerateIdentity(envelope.X25519)
	if err != nil {
		f.Fatal(err)
	}
	b, _ := envelope.GenerateIdentity(envelope.X25519)
	signer, err := envelope.GenerateSigningKey(envelope.Ed25519)
	if err != nil {
		f.Fatal(err)
	}
	recips := []envelope.Recipient{a.Recipient(), b.Recipient()}
	named, err := envelope.Seal([]byte("image: trainer:v2"), signer, recips, nil)
	if err != nil {
		f.Fatal(err)
	}
	anon, err := envelope.Seal([]byte("x"), signer, recips, &envelope.SealOptions{Anonymous: true})
	if err != nil {
		f.Fatal(err)
	}
	ids, anonymous, err := market.EnvelopeInspector{}.Recipients(named)
	if err != nil || anonymous || len(ids) != 2 || ids[0] != a.KeyID().String() && ids[1] != a.KeyID().String() {
		f.Fatalf("sealed seed: %v %v %v", ids, anonymous, err)
	}
	for _, s := range [][]byte{named, anon, named[:len(named)/2], []byte("plaintext config"), {}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ids, anonymous, err := market.EnvelopeInspector{}.Recipients(data)
		if err != nil {
			if ids != nil || anonymous {
				t.Fatalf("refused envelope still reports %v / anonymous %v", ids, anonymous)
			}
			return
		}
		if anonymous && len(ids) != 0 {
			t.Fatalf("anonymous envelope names %v", ids)
		}
		for _, id := range ids {
			if b, err := hex.DecodeString(id); err != nil || len(b) != envelope.KeyIDSize {
				t.Fatalf("recipient key id %q", id)
			}
		}
	})
}
