package zk

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Verification flags (bits of Attributes.Flags), FEATURES.md §2.1.
const (
	FlagEmail     = 1 << iota // an email address was verified
	FlagSMS                   // a phone number was verified
	FlagDomain                // a domain was verified
	FlagBiometric             // a face match and liveness check passed
	FlagDocument              // an identity document was verified
)

// Attribute indices: the order in which attributes are committed and disclosed (CIRCUITS.md §2).
const (
	AttrBirthDate = iota
	AttrCountry
	AttrScore
	AttrTier
	AttrFlags
	AttrIssuedAt
	AttrExpiresAt
	AttrRevocationIndex
	AttrHolderKey
)

// attributeNames are the JSON/CLI names of the attributes, by index.
var attributeNames = [NumAttributes]string{
	"birth_date", "country", "score", "tier", "flags", "issued_at", "expires_at", "revocation_index", "holder_key",
}

// AttributeName returns the name of attribute i ("" when out of range).
func AttributeName(i int) string {
	if i < 0 || i >= NumAttributes {
		return ""
	}
	return attributeNames[i]
}

// AttributeIndex returns the index of the named attribute.
func AttributeIndex(name string) (int, bool) {
	for i, n := range attributeNames {
		if n == name {
			return i, true
		}
	}
	return 0, false
}

// Attributes are the facts a credential commits to. Dates are Day numbers (days since 1900-01-01,
// see Day). Every value is an integer; the commitment encodes each as one field element.
type Attributes struct {
	BirthDate       uint32 `json:"birth_date"`       // Day of birth
	Country         uint16 `json:"country"`          // ISO 3166-1 numeric, 1–999
	Score           uint8  `json:"score"`            // identity score 0–100
	Tier            uint8  `json:"tier"`             // 0–3
	Flags           uint8  `json:"flags"`            // FlagEmail | FlagSMS | …
	IssuedAt        uint32 `json:"issued_at"`        // Day of issuance
	ExpiresAt       uint32 `json:"expires_at"`       // first Day on which the credential is no longer valid
	RevocationIndex uint32 `json:"revocation_index"` // slot in the issuer's revocation tree
	HolderKey       Scalar `json:"holder_key"`       // HolderSecret.PublicKey()
}

// Validate checks every attribute's range.
func (a *Attributes) Validate() error {
	switch {
	case a.Country == 0 || a.Country > MaxCountryCode:
		return fieldErr(ErrInvalidAttribute, "country", "ISO 3166-1 numeric code must be 1–%d, got %d", MaxCountryCode, a.Country)
	case a.Score > MaxScore:
		return fieldErr(ErrInvalidAttribute, "score", "must be 0–%d, got %d", MaxScore, a.Score)
	case a.Tier > MaxTier:
		return fieldErr(ErrInvalidAttribute, "tier", "must be 0–%d, got %d", MaxTier, a.Tier)
	case a.ExpiresAt <= a.IssuedAt:
		return fieldErr(ErrInvalidAttribute, "expires_at", "must be after issued_at")
	case a.BirthDate > a.IssuedAt:
		return fieldErr(ErrInvalidAttribute, "birth_date", "must not be after issued_at")
	}
	if _, err := a.HolderKey.element(); err != nil {
		return fieldErr(ErrInvalidAttribute, "holder_key", "%v", err)
	}
	return nil
}

// elements returns the attributes as field elements in commitment order.
func (a *Attributes) elements() [NumAttributes]fr.Element {
	hk, _ := a.HolderKey.element() // validated by callers
	return [NumAttributes]fr.Element{
		u64(uint64(a.BirthDate)), u64(uint64(a.Country)), u64(uint64(a.Score)), u64(uint64(a.Tier)),
		u64(uint64(a.Flags)), u64(uint64(a.IssuedAt)), u64(uint64(a.ExpiresAt)),
		u64(uint64(a.RevocationIndex)), hk,
	}
}

// Credential is what the holder stores: the attributes, the commitment randomness and the issuer's
// signature over the commitment. It is secret to the holder (it reveals every attribute).
type Credential struct {
	Version    string          `json:"version"` // CredentialVersion
	Attributes Attributes      `json:"attributes"`
	Randomness Scalar          `json:"randomness"` // blinding of the commitment
	Issuer     IssuerPublicKey `json:"issuer"`
	Signature  []byte          `json:"signature"` // EdDSA (R compressed ‖ S), 64 bytes
}

// commitment computes C = Poseidon2-12[tagCommit, attributes…, randomness, 0][1], CIRCUITS.md §2.2.
func commitment(a *Attributes, randomness fr.Element) fr.Element {
	el := a.elements()
	return wideHash(permCommit, commitWidth, tagCommit, append(el[:], randomness)...)
}

// Commitment returns the credential's commitment, the message the issuer signed.
func (c *Credential) Commitment() (Scalar, error) {
	r, err := c.Randomness.element()
	if err != nil {
		return Scalar{}, err
	}
	if err := c.Attributes.Validate(); err != nil {
		return Scalar{}, err
	}
	return scalarOf(commitment(&c.Attributes, r)), nil
}

// Issue commits to attrs with fresh randomness from r (crypto/rand.Reader when nil) and signs the
// commitment. The holder keeps the returned credential.
func Issue(issuer *IssuerPrivateKey, attrs Attributes, r io.Reader) (*Credential, error) {
	if !issuer.ready() {
		return nil, fmt.Errorf("%w: empty issuer key (use GenerateIssuerKey or ParseIssuerPrivateKey)", ErrInvalidKey)
	}
	if r == nil {
		r = rand.Reader
	}
	if err := attrs.Validate(); err != nil {
		return nil, err
	}
	rnd, err := randomScalar(r)
	if err != nil {
		return nil, err
	}
	sig, err := issuer.sign(commitment(&attrs, rnd))
	if err != nil {
		return nil, fmt.Errorf("zk: signing commitment: %w", err)
	}
	return &Credential{
		Version:    CredentialVersion,
		Attributes: attrs,
		Randomness: scalarOf(rnd),
		Issuer:     issuer.Public(),
		Signature:  sig,
	}, nil
}

// Verify checks the version, the attributes and the issuer's signature.
func (c *Credential) Verify() error {
	if c.Version != CredentialVersion {
		return fmt.Errorf("%w: credential is %q, want %q", ErrVersion, c.Version, CredentialVersion)
	}
	cm, err := c.Commitment()
	if err != nil {
		return err
	}
	e, _ := cm.element()
	if !c.Issuer.verify(c.Signature, e) {
		return ErrInvalidSignature
	}
	return nil
}

// MarshalCredential encodes c as JSON (the wallet storage format, CIRCUITS.md §2).
func MarshalCredential(c *Credential) ([]byte, error) { return json.Marshal(c) }

// ParseCredential decodes and verifies a credential encoded by MarshalCredential.
func ParseCredential(b []byte) (*Credential, error) {
	var c Credential
	if err := strictUnmarshal(b, &c); err != nil {
		return nil, err
	}
	if err := c.Verify(); err != nil {
		return nil, err
	}
	return &c, nil
}
