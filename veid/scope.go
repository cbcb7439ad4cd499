package veid

import (
	"bytes"
	"slices"
	"time"

	"github.com/virtengine/sdk/envelope"
)

// ScopeKind is a kind of evidence (§3.1).
type ScopeKind string

// The scope kinds of §3.1.
const (
	KindIDDocument        ScopeKind = "id_document"
	KindSelfie            ScopeKind = "selfie"
	KindFaceVideo         ScopeKind = "face_video"
	KindBiometricHardware ScopeKind = "biometric_hardware"
	KindDeviceAttestation ScopeKind = "device_attestation"
	KindEmail             ScopeKind = "email"
	KindSMS               ScopeKind = "sms"
	KindSSO               ScopeKind = "sso"
	KindDomain            ScopeKind = "domain"
	KindSocial            ScopeKind = "social"
)

// Kinds lists every scope kind in a fixed order.
func Kinds() []ScopeKind {
	return []ScopeKind{KindIDDocument, KindSelfie, KindFaceVideo, KindBiometricHardware, KindDeviceAttestation,
		KindEmail, KindSMS, KindSSO, KindDomain, KindSocial}
}

// Valid reports whether k is one of Kinds.
func (k ScopeKind) Valid() bool { return slices.Contains(Kinds(), k) }

// code is the one-byte wire code of a kind (PROTOCOL.md); 0 for unknown kinds.
func (k ScopeKind) code() byte {
	if i := slices.Index(Kinds(), k); i >= 0 {
		return byte(i + 1)
	}
	return 0
}

func kindFromCode(c byte) (ScopeKind, bool) {
	ks := Kinds()
	if c == 0 || int(c) > len(ks) {
		return "", false
	}
	return ks[c-1], true
}

// ScopeStatus is the lifecycle state of a scope: pending → verified | rejected; any → revoked.
type ScopeStatus string

// Scope states.
const (
	ScopePending  ScopeStatus = "pending"
	ScopeVerified ScopeStatus = "verified"
	ScopeRejected ScopeStatus = "rejected"
	ScopeRevoked  ScopeStatus = "revoked"
)

// Scope is one piece of evidence. Evidence holds an envelope sealed to the identity network's
// recipients (package envelope); veid never needs the plaintext to manage scopes.
type Scope struct {
	ID          string      `json:"id"`
	Kind        ScopeKind   `json:"kind"`
	Status      ScopeStatus `json:"status"`
	Evidence    []byte      `json:"evidence,omitempty"`
	PayloadHash [32]byte    `json:"payload_hash"`
	Consent     bool        `json:"consent"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// Scopes is the ordered set of an account's scopes. The order is insertion order (deterministic).
//
// Evidence must be sealed to the identity network's recipients (§3.1): make the store with
// NewScopes and the network's recipient key ids (the validator set's or the epoch committee's;
// NetworkKeyIDs reads them from a validator set). A store without network recipients (the zero
// value) refuses every scope that carries evidence with ErrNoNetwork: it fails closed.
type Scopes struct {
	list    []Scope
	network []envelope.KeyID
}

// NewScopes returns an empty store whose evidence must be sealed to every key in network.
func NewScopes(network ...envelope.KeyID) *Scopes {
	return &Scopes{network: slices.Clone(network)}
}

// SetNetwork replaces the network's recipient key ids, e.g. when an epoch's committee changes.
// Scopes already added are not checked again; only later Add and consent grants are.
func (s *Scopes) SetNetwork(network ...envelope.KeyID) { s.network = slices.Clone(network) }

// Network returns a copy of the network's recipient key ids, in the order they were given.
func (s *Scopes) Network() []envelope.KeyID { return slices.Clone(s.network) }

// NetworkKeyIDs returns the recipient key ids of a validator set (or committee), in set order, for
// NewScopes. Every Recipient must name its key (envelope.HPKERecipient does, with KeyID);
// otherwise it returns ErrEvidenceRecipients naming the validator.
func NetworkKeyIDs(set []ValidatorInfo) ([]envelope.KeyID, error) {
	out := make([]envelope.KeyID, 0, len(set))
	for _, v := range set {
		k, ok := v.Recipient.(interface{ KeyID() envelope.KeyID })
		if !ok {
			return nil, newErr("EVIDENCE_RECIPIENTS", ErrEvidenceRecipients, "validator %q: its recipient has no KeyID method; use an envelope.HPKERecipient", v.Name)
		}
		out = append(out, k.KeyID())
	}
	return out, nil
}

// CheckEvidenceRecipients checks, without any key, that evidence is an envelope (ErrPlaintextEvidence,
// code "PLAINTEXT_EVIDENCE"), that network is not empty (ErrNoNetwork, "NO_NETWORK"), and that the
// envelope has named recipients (ErrAnonymousEvidence, "ANONYMOUS_EVIDENCE") among which is every
// key of network (ErrEvidenceRecipients, "EVIDENCE_RECIPIENTS", naming the first missing network
// key id). The node can call it on submitted evidence with the committee's key ids.
//
// Other named recipients are allowed besides the network: the person seals to their own key too,
// which consent changes need to re-wrap the evidence (NetworkAccess). The check reads the header
// only (envelope.Inspect): whether each network stanza really opens is found out by the
// validators, which report ErrEvidenceDecrypt. It is deterministic: it reads nothing but its
// arguments and walks network in order.
func CheckEvidenceRecipients(evidence []byte, network []envelope.KeyID) error {
	if err := envelope.CheckPayload(envelope.ClassIdentityScope, evidence); err != nil {
		return &Error{Code: "PLAINTEXT_EVIDENCE", Err: ErrPlaintextEvidence, Detail: err.Error()}
	}
	if len(network) == 0 {
		return newErr("NO_NETWORK", ErrNoNetwork, "")
	}
	info, err := envelope.Inspect(bytes.NewReader(evidence))
	if err != nil {
		return &Error{Code: "PLAINTEXT_EVIDENCE", Err: ErrPlaintextEvidence, Detail: err.Error()}
	}
	if info.Anonymous {
		return newErr("ANONYMOUS_EVIDENCE", ErrAnonymousEvidence, "%d anonymous stanzas", len(info.Recipients))
	}
	for i, k := range network {
		id := k.String()
		if !slices.ContainsFunc(info.Recipients, func(r envelope.RecipientInfo) bool { return r.KeyID == id }) {
			return newErr("EVIDENCE_RECIPIENTS", ErrEvidenceRecipients, "network key %d of %d (key id %s) is not a recipient", i+1, len(network), id)
		}
	}
	return nil
}

// Add adds a pending scope with consent, enforcing MaxScopesPerAccount and MaxScopesPerKind over the
// scopes that are not revoked. Evidence, when present, must be an envelope sealed to every network
// recipient key of the store, with named recipients (CheckEvidenceRecipients); plaintext is refused
// (envelope.CheckPayload for the identity-scope data class, FEATURES.md §1.8).
func (s *Scopes) Add(sc Scope, now time.Time) error {
	if !sc.Kind.Valid() {
		return newErr("UNKNOWN_KIND", ErrUnknownKind, "%q", sc.Kind)
	}
	if len(sc.Evidence) > 0 {
		if err := CheckEvidenceRecipients(sc.Evidence, s.network); err != nil {
			return err
		}
	}
	total, ofKind := 0, 0
	for _, x := range s.list {
		if x.ID == sc.ID {
			return newErr("DUPLICATE_SCOPE", ErrDuplicateScope, "%q", sc.ID)
		}
		if x.Status == ScopeRevoked {
			continue
		}
		total++
		if x.Kind == sc.Kind {
			ofKind++
		}
	}
	if total >= MaxScopesPerAccount {
		return newErr("TOO_MANY_SCOPES", ErrTooManyScopes, "limit %d; revoke an old scope first", MaxScopesPerAccount)
	}
	if ofKind >= MaxScopesPerKind {
		return newErr("TOO_MANY_OF_KIND", ErrTooManyOfKind, "%s: limit %d; revoke an old one first", sc.Kind, MaxScopesPerKind)
	}
	sc.Status, sc.Consent, sc.CreatedAt, sc.UpdatedAt = ScopePending, true, now, now
	s.list = append(s.list, sc)
	return nil
}

func (s *Scopes) find(id string) (*Scope, error) {
	for i := range s.list {
		if s.list[i].ID == id {
			return &s.list[i], nil
		}
	}
	return nil, newErr("SCOPE_NOT_FOUND", ErrScopeNotFound, "%q", id)
}

// Get returns a copy of the scope with this id.
func (s *Scopes) Get(id string) (Scope, error) {
	p, err := s.find(id)
	if err != nil {
		return Scope{}, err
	}
	return *p, nil
}

// SetStatus moves a pending scope to verified or rejected.
func (s *Scopes) SetStatus(id string, st ScopeStatus, now time.Time) error {
	p, err := s.find(id)
	if err != nil {
		return err
	}
	if p.Status == ScopeRevoked {
		return newErr("SCOPE_REVOKED", ErrScopeRevoked, "%q", id)
	}
	if p.Status != ScopePending || (st != ScopeVerified && st != ScopeRejected) {
		return newErr("ILLEGAL_TRANSITION", ErrIllegalTransition, "scope %s → %s", p.Status, st)
	}
	p.Status, p.UpdatedAt = st, now
	return nil
}

// Revoke revokes a scope: it stays listed but is never scored again and no longer counts against
// the limits.
func (s *Scopes) Revoke(id string, now time.Time) error {
	p, err := s.find(id)
	if err != nil {
		return err
	}
	if p.Status == ScopeRevoked {
		return newErr("SCOPE_REVOKED", ErrScopeRevoked, "%q", id)
	}
	p.Status, p.UpdatedAt = ScopeRevoked, now
	return nil
}

// All returns a copy of every scope in insertion order.
func (s *Scopes) All() []Scope { return slices.Clone(s.list) }

// Scorable returns the scopes validators may score: not revoked, not rejected, with consent.
func (s *Scopes) Scorable() []Scope {
	var out []Scope
	for _, x := range s.list {
		if x.Consent && (x.Status == ScopePending || x.Status == ScopeVerified) {
			out = append(out, x)
		}
	}
	return out
}

// VerifiedKinds returns the kinds with at least one verified, consented scope, in Kinds order.
func (s *Scopes) VerifiedKinds() []ScopeKind {
	var out []ScopeKind
	for _, k := range Kinds() {
		for _, x := range s.list {
			if x.Kind == k && x.Status == ScopeVerified && x.Consent {
				out = append(out, k)
				break
			}
		}
	}
	return out
}
