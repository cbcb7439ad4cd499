package market_test

import (
	"testing"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/market"
)

// EnvelopeInspector.Recipients used to list one empty key id per stanza of an anonymous envelope,
// though it documents the ids of the named recipients. Found by FuzzEnvelopeRecipients.
func TestAnonymousEnvelopeNamesNoRecipient(t *testing.T) {
	a, _ := envelope.GenerateIdentity(envelope.X25519)
	b, _ := envelope.GenerateIdentity(envelope.X25519)
	signer, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	anon, err := envelope.Seal([]byte("x"), signer, []envelope.Recipient{a.Recipient(), b.Recipient()}, &envelope.SealOptions{Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, anonymous, err := market.EnvelopeInspector{}.Recipients(anon)
	if err != nil || !anonymous || len(ids) != 0 {
		t.Fatalf("ids %q, anonymous %v, err %v", ids, anonymous, err)
	}
}
