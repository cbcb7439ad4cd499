package envelope

import (
	"fmt"
	"io"
)

// Secret keys (HPKEIdentity, SigningKey) implement fmt.Formatter and fmt.GoStringer so that fmt,
// log, log/slog's text handler and anything else that formats with fmt print them redacted, as
// "VE-SECRET-XW-1…(redacted, key id <hex>)": the kind of key and the KeyID of its public half, which
// is enough to tell keys apart in a log. The secret itself comes only from SecretString.

func redactedKey(secretHRP string, id KeyID) string {
	return secretHRP + "1…(redacted, key id " + id.String() + ")"
}

// formatRedacted writes s for every verb, and gs for %#v.
func formatRedacted(f fmt.State, verb rune, s, gs string) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, gs)
		return
	}
	io.WriteString(f, s)
}

// Types that hold secrets in unexported fields print a summary instead of their fields: fmt cannot
// call the keys' Format through an unexported field and would print the raw bytes (a Keyring's
// identities, a Writer's signing key, the payload key schedule of a Reader).

// Format prints the keyring's identities, each redacted as Format of HPKEIdentity prints it.
func (k Keyring) Format(f fmt.State, verb rune) {
	s := fmt.Sprintf("envelope.Keyring(%d identities", len(k.all))
	for i, id := range k.all {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		s += sep + fmt.Sprintf("%v", id)
	}
	s += ")"
	formatRedacted(f, verb, s, s)
}

// Format prints the writer's signer by its public key only.
func (w *Writer) Format(f fmt.State, verb rune) {
	s := "envelope.Writer"
	if w != nil && w.signer != nil {
		s += "(signer " + w.signer.Public().String() + ")"
	}
	formatRedacted(f, verb, s, s)
}

// Format prints the reader's signer, never the payload key.
func (r *Reader) Format(f fmt.State, verb rune) {
	s := "envelope.Reader"
	if r != nil && r.h != nil {
		s += "(signer " + r.h.signer.String() + ")"
	}
	formatRedacted(f, verb, s, s)
}

// Format prints the reader's signer and size, never the payload key.
func (ra *ReaderAt) Format(f fmt.State, verb rune) {
	s := "envelope.ReaderAt"
	if ra != nil && ra.h != nil {
		s += fmt.Sprintf("(signer %s, %d bytes)", ra.h.signer, ra.sizes.Plaintext)
	}
	formatRedacted(f, verb, s, s)
}
