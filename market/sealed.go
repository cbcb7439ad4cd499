package market

import (
	"bytes"
	"fmt"

	"github.com/virtengine/sdk/envelope"
)

// Sealed inspects an envelope without any key. The market uses it to refuse plaintext and to check
// who a configuration or deployment result is sealed to; it never opens one.
//
// Recipients returns the hex key ids of the named recipients; it returns an error for anything that
// is not a well-formed envelope. anonymous is true when the envelope hides its recipients.
type Sealed interface {
	Recipients(b []byte) (keyIDs []string, anonymous bool, err error)
}

// EnvelopeInspector is the Sealed of package envelope (envelope.Inspect): the default.
type EnvelopeInspector struct{}

// Recipients implements Sealed with envelope.Inspect.
func (EnvelopeInspector) Recipients(b []byte) ([]string, bool, error) {
	info, err := envelope.Inspect(bytes.NewReader(b))
	if err != nil {
		return nil, false, err
	}
	ids := make([]string, 0, len(info.Recipients))
	for _, r := range info.Recipients {
		if r.KeyID != "" { // an anonymous envelope's stanzas carry no key id: it names no one
			ids = append(ids, r.KeyID)
		}
	}
	return ids, info.Anonymous, nil
}

// checkSealed refuses b unless it is an envelope naming every key id in need.
func (m *Market) checkSealed(what string, b []byte, need ...string) error {
	if len(b) == 0 {
		return fmt.Errorf("%w: %s is empty; seal it with envelope.Seal to the listed recipients", ErrPlaintext, what)
	}
	if len(b) > MaxEnvelopeLen {
		return invalidf("%s of %d bytes exceeds %d", what, len(b), MaxEnvelopeLen)
	}
	ids, anon, err := m.cfg.Sealed.Recipients(b)
	if err != nil {
		return fmt.Errorf("%w: %s is not an envelope (%v); seal it with envelope.Seal (virtengine envelope seal)", ErrPlaintext, what, err)
	}
	if anon {
		return fmt.Errorf("%w: %s is sealed anonymously; seal it with named recipients so the market can check them", ErrNotRecipient, what)
	}
	for _, n := range need {
		found := false
		for _, id := range ids {
			if id == n {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%w: %s is not sealed to key %s; re-seal (or envelope rewrap) it to include that key", ErrNotRecipient, what, n)
		}
	}
	return nil
}
