package zk

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Range bounds one attribute: Min ≤ attribute ≤ Max (inclusive). A nil bound is open.
type Range struct {
	Attribute string  `json:"attribute"` // birth_date, score, tier, issued_at or expires_at
	Min       *uint32 `json:"min,omitempty"`
	Max       *uint32 `json:"max,omitempty"`
}

// Request is what a relying party asks for (FEATURES.md §2.5). Each statement is switched on by
// setting its field; all of them are proven together in one proof of the circuit (CircuitVersion).
// A request maps to OpenID4VP's query language as one credential query whose claims are the
// disclosed attributes and whose constraints are the other statements (CIRCUITS.md §5).
type Request struct {
	Version  string `json:"version"`  // CircuitVersion
	Nonce    Scalar `json:"nonce"`    // fresh per session; NewRequest draws it
	Audience string `json:"audience"` // who verifies: an origin, a DID or a client id
	Today    uint32 `json:"today"`    // the verifier's Day; age and expiry are computed from it
	// ValidUntil is the Unix time (seconds) after which the verifier refuses presentations for this
	// request; 0 means no limit.
	ValidUntil int64 `json:"valid_until,omitempty"`

	// AcceptedIssuers switches the issuer-signature statement on: the credential is signed by one of
	// them. Empty means no issuer is required (self-asserted attributes).
	AcceptedIssuers []IssuerPublicKey `json:"accepted_issuers,omitempty"`
	// RevocationRoot switches the not-revoked statement on: the credential's slot is empty under it.
	RevocationRoot *Scalar `json:"revocation_root,omitempty"`

	MinAge     int      `json:"min_age,omitempty"`     // age ≥ MinAge years on Today
	NotExpired bool     `json:"not_expired,omitempty"` // IssuedAt ≤ Today < ExpiresAt
	Ranges     []Range  `json:"ranges,omitempty"`      // lo ≤ attribute ≤ hi
	Countries  []uint16 `json:"countries,omitempty"`   // country ∈ Countries (≤ 16, inline)
	// CountrySet switches the Merkle-root country statement on: country ∈ CountrySet (1 to 256
	// codes, any order). The public input is the set's root (CountrySetRoot); the wallet proves a
	// path to its country's leaf. Use it for sets larger than MaxCountrySet.
	CountrySet    []uint16 `json:"country_set,omitempty"`
	RequiredFlags uint8    `json:"required_flags,omitempty"` // every bit set in Flags
	Disclose      []string `json:"disclose,omitempty"`       // attributes revealed in the clear
	HolderBinding bool     `json:"holder_binding,omitempty"` // prover knows the holder secret
	Nullifier     bool     `json:"nullifier,omitempty"`      // reveal H(holder secret, audience)
}

// NewRequest returns a request for audience on Day today with a fresh random nonce and the issuer
// signature statement on for the accepted issuers. Add statements by setting fields.
func NewRequest(audience string, today uint32, accepted ...IssuerPublicKey) (*Request, error) {
	var n [NonceBytes]byte
	if _, err := io.ReadFull(rand.Reader, n[:]); err != nil {
		return nil, fmt.Errorf("zk: drawing nonce: %w", err)
	}
	var nonce Scalar
	copy(nonce[32-NonceBytes:], n[:])
	return &Request{Version: CircuitVersion, Nonce: nonce, Audience: audience, Today: today,
		AcceptedIssuers: slices.Clone(accepted)}, nil
}

// statements returns the Stmt* bits the request switches on.
func (r *Request) statements() uint64 {
	var s uint64
	if len(r.AcceptedIssuers) > 0 {
		s |= StmtSignature
	}
	if len(r.Countries) > 0 {
		s |= StmtCountry
	}
	if len(r.CountrySet) > 0 {
		s |= StmtCountryRoot
	}
	if r.RevocationRoot != nil {
		s |= StmtNotRevoked
	}
	if r.HolderBinding {
		s |= StmtHolder
	}
	if r.Nullifier {
		s |= StmtNullifier
	}
	return s
}

// discloseMask returns the bit mask of disclosed attributes.
func (r *Request) discloseMask() uint64 {
	var m uint64
	for _, name := range r.Disclose {
		i, _ := AttributeIndex(name)
		m |= 1 << i
	}
	return m
}

// bounds computes the range slots [lo, hi] from MinAge, NotExpired and Ranges.
func (r *Request) bounds() (lo, hi [NumRanges]uint32) {
	for i := range hi {
		hi[i] = MaxRangeValue
	}
	tighten := func(attr int, lower, upper uint32) {
		for i, a := range rangeAttributes {
			if a == attr {
				lo[i] = max(lo[i], lower)
				hi[i] = min(hi[i], upper)
			}
		}
	}
	if r.MinAge > 0 {
		tighten(AttrBirthDate, 0, AgeCutoff(r.Today, r.MinAge))
	}
	if r.NotExpired {
		tighten(AttrIssuedAt, 0, r.Today)
		tighten(AttrExpiresAt, r.Today+1, MaxRangeValue)
	}
	for _, rg := range r.Ranges {
		attr, _ := AttributeIndex(rg.Attribute)
		lower, upper := uint32(0), uint32(MaxRangeValue)
		if rg.Min != nil {
			lower = *rg.Min
		}
		if rg.Max != nil {
			upper = *rg.Max
		}
		tighten(attr, lower, upper)
	}
	return lo, hi
}

// Validate checks the request is well formed and satisfiable in principle.
func (r *Request) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fieldErr(ErrInvalidRequest, field, format, args...)
	}
	if r.Version != CircuitVersion {
		return fmt.Errorf("%w: request is %q, want %q", ErrVersion, r.Version, CircuitVersion)
	}
	if _, err := r.Nonce.element(); err != nil || r.Nonce[0] != 0 {
		return bad("nonce", "must be %d bytes (the first of 32 is zero)", NonceBytes)
	}
	if r.Nonce == (Scalar{}) {
		return bad("nonce", "must not be zero: draw it at random per session")
	}
	if r.Audience == "" || len(r.Audience) > MaxAudienceLen {
		return bad("audience", "must be 1–%d bytes", MaxAudienceLen)
	}
	if r.Today == 0 || r.Today >= MaxRangeValue {
		return bad("today", "must be set (Day number of the verifier's date)")
	}
	if len(r.AcceptedIssuers) > MaxAcceptedIssuers {
		return bad("accepted_issuers", "at most %d", MaxAcceptedIssuers)
	}
	if r.RevocationRoot != nil {
		if _, err := r.RevocationRoot.element(); err != nil {
			return bad("revocation_root", "%v", err)
		}
	}
	if r.MinAge < 0 || r.MinAge > 150 {
		return bad("min_age", "must be 0–150")
	}
	if len(r.Countries) > MaxCountrySet {
		return bad("countries", "at most %d (ISO 3166-1 numeric)", MaxCountrySet)
	}
	for _, c := range r.Countries {
		if c == 0 || c > MaxCountryCode {
			return bad("countries", "code %d is not an ISO 3166-1 numeric code", c)
		}
	}
	if len(r.CountrySet) > 0 {
		if _, err := canonicalCountrySet(r.CountrySet); err != nil {
			return err
		}
	}
	for _, rg := range r.Ranges {
		i, ok := AttributeIndex(rg.Attribute)
		if !ok || !slices.Contains(rangeAttributes[:], i) {
			return bad("ranges", "attribute %q cannot be range-checked (use birth_date, score, tier, issued_at, expires_at)", rg.Attribute)
		}
	}
	seen := map[string]bool{}
	for _, name := range r.Disclose {
		if _, ok := AttributeIndex(name); !ok {
			return bad("disclose", "unknown attribute %q", name)
		}
		if seen[name] {
			return bad("disclose", "attribute %q listed twice", name)
		}
		seen[name] = true
	}
	lo, hi := r.bounds()
	for i := range lo {
		if lo[i] > hi[i] {
			return bad("ranges", "empty range for %s: %d > %d", attributeNames[rangeAttributes[i]], lo[i], hi[i])
		}
	}
	return nil
}

// Expired reports whether the request's validity has passed at now.
func (r *Request) Expired(now time.Time) bool {
	return r.ValidUntil != 0 && now.Unix() > r.ValidUntil
}

// accepts reports whether issuer is one of the accepted issuers.
func (r *Request) accepts(issuer IssuerPublicKey) bool {
	for _, k := range r.AcceptedIssuers {
		if k.Equal(issuer) {
			return true
		}
	}
	return false
}

// countryTree returns the tree of CountrySet, nil when the statement is off or the set invalid.
func (r *Request) countryTree() *CountryTree {
	if len(r.CountrySet) == 0 {
		return nil
	}
	t, err := NewCountryTree(r.CountrySet)
	if err != nil {
		return nil
	}
	return t
}

// CountrySetRoot returns the Merkle root of the request's CountrySet (false when it has none).
func (r *Request) CountrySetRoot() (Scalar, bool) {
	if t := r.countryTree(); t != nil {
		return t.Root(), true
	}
	return Scalar{}, false
}

// nonceElement returns the nonce as a field element.
func (r *Request) nonceElement() fr.Element {
	e, _ := r.Nonce.element()
	return e
}

// MarshalRequest encodes r as JSON.
func MarshalRequest(r *Request) ([]byte, error) { return json.Marshal(r) }

// DecodeRequest parses and validates a JSON request.
func DecodeRequest(b []byte) (*Request, error) {
	if len(b) > MaxRequestSize {
		return nil, fmt.Errorf("%w: request larger than %d bytes", ErrMalformed, MaxRequestSize)
	}
	var r Request
	if err := strictUnmarshal(b, &r); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}
