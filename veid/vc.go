package veid

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// W3C Verifiable Credentials Data Model 2.0 (§4) for VEID attestations.
const (
	ContextCredentialsV2 = "https://www.w3.org/ns/credentials/v2"
	// ContextVEID defines the terms of the VEID credential subject.
	ContextVEID = "https://virtengine.network/ns/veid/v1"
	// TypeVEIDCredential is the credential type of a VEID attestation.
	TypeVEIDCredential = "VEIDIdentityCredential"
)

// Issuer is the identity network's attestation key.
type Issuer struct {
	ID                 string // did:key of the key
	VerificationMethod string
	Key                ed25519.PrivateKey
}

// NewIssuer returns an Issuer named by the did:key of key. A key that is not an Ed25519 private key
// gives an unnamed Issuer that IssueVC refuses (ErrBadProof).
func NewIssuer(key ed25519.PrivateKey) Issuer {
	if len(key) != ed25519.PrivateKeySize {
		return Issuer{Key: key}
	}
	did, vm := DIDKey(key.Public().(ed25519.PublicKey))
	return Issuer{ID: did, VerificationMethod: vm, Key: key}
}

// Attestation is what the network attests after a passed verification.
type Attestation struct {
	ID        string      // credential id, e.g. "urn:uuid:…"
	Subject   string      // the holder: account or DID
	Result    Result      // the consensus score
	Scopes    []ScopeKind // scope kinds that were verified
	IssuedAt  time.Time
	ValidDays int // 0: ValidityFor(Scopes)
	// ValidUntil, when set, is the end of validity instead of IssuedAt plus the validity period.
	ValidUntil time.Time
}

// ValidityFor returns the attestation validity for evidence of these kinds: the shortest of
// 30 days for biometric evidence, 90 for email/SMS/SSO, one year for document/domain (§3.8).
func ValidityFor(kinds []ScopeKind) time.Duration {
	v := ValidityDocument
	for _, k := range kinds {
		switch k {
		case KindSelfie, KindFaceVideo, KindBiometricHardware:
			v = min(v, ValidityBiometric)
		case KindEmail, KindSMS, KindSSO, KindSocial, KindDeviceAttestation:
			v = min(v, ValidityContact)
		}
	}
	return v
}

// IssueVC issues a VEID attestation as a W3C VC 2.0 with an eddsa-jcs-2022 proof. It refuses a
// result that did not pass (ErrNotPassed).
func IssueVC(iss Issuer, a Attestation) ([]byte, error) {
	if len(iss.Key) != ed25519.PrivateKeySize {
		return nil, newErr("BAD_PROOF", ErrBadProof, "signing key is not an Ed25519 private key")
	}
	pub := iss.Key.Public().(ed25519.PublicKey)
	h, err := VCSigningHash(pub, a)
	if err != nil {
		return nil, err
	}
	return AssembleVC(pub, a, ed25519.Sign(iss.Key, h))
}

// attestationDoc is the unsecured credential of a and its proof options, issued by the did:key of
// pub (IssueVC's document).
func attestationDoc(pub ed25519.PublicKey, a Attestation) (map[string]any, map[string]any, error) {
	if !a.Result.Passed {
		return nil, nil, newErr("NOT_PASSED", ErrNotPassed, "score %d with %v", a.Result.Score, a.Result.Reasons)
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, nil, newErr("BAD_PROOF", ErrBadProof, "issuer key is not an Ed25519 public key")
	}
	did, vm := DIDKey(pub)
	validity := ValidityFor(a.Scopes)
	if a.ValidDays > 0 {
		validity = time.Duration(a.ValidDays) * 24 * time.Hour
	}
	until := a.IssuedAt.Add(validity)
	if !a.ValidUntil.IsZero() {
		until = a.ValidUntil
	}
	scopes := make([]any, len(a.Scopes))
	for i, k := range a.Scopes {
		scopes[i] = string(k)
	}
	ctx := []any{ContextCredentialsV2, ContextVEID}
	doc := map[string]any{
		"@context":   ctx,
		"id":         a.ID,
		"type":       []any{"VerifiableCredential", TypeVEIDCredential},
		"issuer":     did,
		"validFrom":  a.IssuedAt.UTC().Format(time.RFC3339),
		"validUntil": until.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id":        a.Subject,
			"score":     a.Result.Score,
			"tier":      TierFor(a.Result.Score, true).String(),
			"model":     a.Result.Model,
			"inputHash": hex.EncodeToString(a.Result.InputHash[:]),
			"scopes":    scopes,
		},
	}
	// Round-trip through JSON so the document is what a verifier parses (numbers as float64).
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	m, err := decodeObject(raw)
	if err != nil {
		return nil, nil, err
	}
	proof := map[string]any{
		"type":               ProofTypeDataIntegrity,
		"cryptosuite":        CryptosuiteEdDSAJCS2022,
		"created":            a.IssuedAt.UTC().Format(time.RFC3339),
		"verificationMethod": vm,
		"proofPurpose":       ProofPurposeAssertion,
		"@context":           m["@context"],
	}
	return m, proof, nil
}

// VCSigningHash returns the bytes an eddsa-jcs-2022 proof of the attestation a by the key pub signs
// (the hash data of eddsa-jcs-2022 §3.3.4). The document is deterministic: every holder of pub's
// private key produces the same signature (Ed25519), and anyone can rebuild the document from a
// and check a signature without the signed VC (the network stores only signatures).
func VCSigningHash(pub ed25519.PublicKey, a Attestation) ([]byte, error) {
	doc, proof, err := attestationDoc(pub, a)
	if err != nil {
		return nil, err
	}
	return hashData(proof, doc)
}

// AssembleVC returns the secured VC of the attestation a by pub with the Ed25519 signature sig over
// VCSigningHash(pub, a). It does not check sig: VerifyVC does.
func AssembleVC(pub ed25519.PublicKey, a Attestation, sig []byte) ([]byte, error) {
	doc, proof, err := attestationDoc(pub, a)
	if err != nil {
		return nil, err
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, newErr("BAD_PROOF", ErrBadProof, "signature is not an Ed25519 signature")
	}
	proof["proofValue"] = MultibaseEncode(sig)
	doc["proof"] = proof
	return json.Marshal(doc)
}

// VerifyVCSignature checks that sig is pub's eddsa-jcs-2022 signature of the attestation a.
func VerifyVCSignature(pub ed25519.PublicKey, a Attestation, sig []byte) error {
	h, err := VCSigningHash(pub, a)
	if err != nil {
		return err
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, h, sig) {
		return newErr("BAD_PROOF", ErrBadProof, "")
	}
	return nil
}

// Credential is the parsed form of a VC 2.0 document with one Data Integrity proof.
type Credential struct {
	Context    []string
	ID         string
	Type       []string
	Issuer     string
	ValidFrom  time.Time
	ValidUntil time.Time // zero if absent
	Subject    map[string]any
	Proof      map[string]any
}

// ParseVC checks the structure of a VC 2.0 document (§4 of the data model): @context starting
// with the v2 context, type including VerifiableCredential, an issuer (URL string or object with id),
// a credentialSubject object, dates in XML Schema dateTime form, and one proof object. It does not
// verify the proof. Malformed input returns ErrMalformedVC (wrapped), never a panic.
func ParseVC(data []byte) (*Credential, error) {
	m, err := decodeObject(data)
	if err != nil {
		return nil, err
	}
	bad := func(what string) (*Credential, error) {
		return nil, newErr("MALFORMED_VC", ErrMalformedVC, "%s", what)
	}
	c := &Credential{}
	ctx, ok := m["@context"].([]any)
	if !ok || len(ctx) == 0 {
		return bad("@context must be a non-empty array")
	}
	for _, v := range ctx {
		s, ok := v.(string)
		if !ok {
			return bad("@context entries must be URLs")
		}
		c.Context = append(c.Context, s)
	}
	if c.Context[0] != ContextCredentialsV2 {
		return bad("the first @context must be " + ContextCredentialsV2)
	}
	types, ok := m["type"].([]any)
	if !ok {
		return bad("type must be an array")
	}
	for _, v := range types {
		s, ok := v.(string)
		if !ok {
			return bad("type entries must be strings")
		}
		c.Type = append(c.Type, s)
	}
	if !slices.Contains(c.Type, "VerifiableCredential") {
		return bad("type must include VerifiableCredential")
	}
	c.ID, _ = m["id"].(string)
	switch is := m["issuer"].(type) {
	case string:
		c.Issuer = is
	case map[string]any:
		c.Issuer, _ = is["id"].(string)
	}
	if c.Issuer == "" {
		return bad("issuer is required")
	}
	if c.Subject, ok = m["credentialSubject"].(map[string]any); !ok {
		return bad("credentialSubject must be an object")
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"validFrom", &c.ValidFrom}, {"validUntil", &c.ValidUntil}} {
		v, present := m[f.name]
		if !present {
			continue
		}
		s, ok := v.(string)
		t, err := time.Parse(time.RFC3339, s)
		if !ok || err != nil {
			return bad(f.name + " is not a dateTime")
		}
		*f.dst = t
	}
	if c.Proof, ok = m["proof"].(map[string]any); !ok {
		return bad("proof must be one object")
	}
	return c, nil
}

// VerifyVC parses a credential, verifies its proof under the issuer's public key, and checks its
// validity period at now (ErrVCExpired).
func VerifyVC(data []byte, issuer ed25519.PublicKey, now time.Time) (*Credential, error) {
	c, err := ParseVC(data)
	if err != nil {
		return nil, err
	}
	info, err := VerifyProof(data, issuer)
	if err != nil {
		return nil, err
	}
	// The proof must be an assertion by the credential's issuer (VC Data Model 2.0 §4.7, Data
	// Integrity §4.3): its verification method belongs to the issuer.
	if info.ProofPurpose != ProofPurposeAssertion || !strings.HasPrefix(info.VerificationMethod, c.Issuer+"#") {
		return nil, newErr("BAD_PROOF", ErrBadProof, "proof by %q for %q is not the issuer's assertion", info.VerificationMethod, info.ProofPurpose)
	}
	if (!c.ValidFrom.IsZero() && now.Before(c.ValidFrom)) || (!c.ValidUntil.IsZero() && !now.Before(c.ValidUntil)) {
		return nil, newErr("VC_EXPIRED", ErrVCExpired, "valid %s to %s", c.ValidFrom.Format(time.RFC3339), c.ValidUntil.Format(time.RFC3339))
	}
	return c, nil
}
