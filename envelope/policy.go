package envelope

import (
	"bytes"
	"fmt"
)

// DataClass names a kind of data the network stores or moves (FEATURES.md §1.8).
type DataClass string

// The data classes. Those listed by EnvelopeClasses must travel and rest as envelopes.
const (
	ClassOrder              DataClass = "order"               // order configurations
	ClassIdentityScope      DataClass = "identity_scope"      // documents, selfies, biometric templates
	ClassSupportTicket      DataClass = "support_ticket"      // support tickets and their messages
	ClassResourceCredential DataClass = "resource_credential" // deployment and resource credentials
	ClassAccountSettings    DataClass = "account_settings"    // account settings
	ClassAuditLog           DataClass = "audit_log"           // audit logs
	ClassProviderSecret     DataClass = "provider_secret"     // provider secrets
	ClassUsageDetail        DataClass = "usage_detail"        // usage details behind invoices
	ClassPublic             DataClass = "public"              // public data: offerings, scores, proofs
)

// envelopeClasses is ordered (no map iteration): the node runs this in consensus.
var envelopeClasses = []DataClass{
	ClassOrder, ClassIdentityScope, ClassSupportTicket, ClassResourceCredential,
	ClassAccountSettings, ClassAuditLog, ClassProviderSecret, ClassUsageDetail,
}

// EnvelopeClasses lists, in a fixed order, the data classes that must be envelopes.
func EnvelopeClasses() []DataClass { return append([]DataClass(nil), envelopeClasses...) }

// RequiresEnvelope reports whether data of class c must be an envelope. Unknown classes must be, so
// a new class is protected until someone decides otherwise.
func (c DataClass) RequiresEnvelope() bool { return c != ClassPublic }

// CheckPayload is what the node calls on every datum it accepts: nil if class c may be stored as
// data, otherwise an error wrapping ErrPlaintextRefused unless data starts with a well-formed
// envelope header. It is deterministic and reads no key; it does not check the payload or the
// signature, which only recipients can do.
func CheckPayload(c DataClass, data []byte) error {
	if !c.RequiresEnvelope() {
		return nil
	}
	h, raw, err := parseHeader(bytes.NewReader(data))
	if err == nil {
		_, err = layout(int64(len(raw)), int64(len(data)), int64(h.trailerSize()))
	}
	if err != nil {
		return fmt.Errorf("%w: class %q must be an envelope: %v", ErrPlaintextRefused, c, err)
	}
	return nil
}
