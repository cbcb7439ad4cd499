package veid

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"time"
)

// W3C Data Integrity with the eddsa-jcs-2022 cryptosuite (W3C Data Integrity EdDSA Cryptosuites
// v1.0, §3.3): JCS (RFC 8785) canonicalization, SHA-256, Ed25519.
const (
	ProofTypeDataIntegrity  = "DataIntegrityProof"
	CryptosuiteEdDSAJCS2022 = "eddsa-jcs-2022"
	ProofPurposeAssertion   = "assertionMethod"
)

// ProofOptions are the options of a new proof (Data Integrity §4.2 "Add Proof").
type ProofOptions struct {
	VerificationMethod string
	ProofPurpose       string    // default assertionMethod
	Created            time.Time // required; encoded as an XML Schema dateTime in UTC, seconds
	Expires            time.Time // optional
	Challenge, Domain  string    // optional
}

func decodeObject(doc []byte) (map[string]any, error) {
	if len(doc) > MaxVCLen {
		return nil, newErr("MALFORMED_VC", ErrMalformedVC, "over %d bytes", MaxVCLen)
	}
	// I-JSON: no duplicate names, valid UTF-8, bounded depth (RFC 8785 §3.1 requires it).
	v, err := parseIJSON(doc)
	if err != nil {
		return nil, &Error{Code: "MALFORMED_VC", Err: ErrMalformedVC, Detail: err.Error()}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, newErr("MALFORMED_VC", ErrMalformedVC, "not a JSON object")
	}
	return m, nil
}

// hashData implements eddsa-jcs-2022 §3.3.4 "Hashing": SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document)).
func hashData(proofConfig, unsecured map[string]any) ([]byte, error) {
	pc, err := CanonicalizeValue(proofConfig)
	if err != nil {
		return nil, err
	}
	doc, err := CanonicalizeValue(unsecured)
	if err != nil {
		return nil, err
	}
	a, b := sha256.Sum256(pc), sha256.Sum256(doc)
	return append(a[:], b[:]...), nil
}

// AddProof signs a JSON document with an eddsa-jcs-2022 Data Integrity proof and returns the
// secured document (eddsa-jcs-2022 §3.3.1 "Create Proof"). The document must not carry a proof, and
// the secured document must stay within what VerifyProof accepts (MaxVCLen, MaxJSONDepth).
func AddProof(doc []byte, opts ProofOptions, key ed25519.PrivateKey) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, newErr("BAD_PROOF", ErrBadProof, "signing key is not an Ed25519 private key")
	}
	m, err := decodeObject(doc)
	if err != nil {
		return nil, err
	}
	if _, ok := m["proof"]; ok {
		return nil, newErr("MALFORMED_VC", ErrMalformedVC, "document already has a proof")
	}
	if opts.ProofPurpose == "" {
		opts.ProofPurpose = ProofPurposeAssertion
	}
	proof := map[string]any{
		"type":               ProofTypeDataIntegrity,
		"cryptosuite":        CryptosuiteEdDSAJCS2022,
		"created":            opts.Created.UTC().Format(time.RFC3339),
		"verificationMethod": opts.VerificationMethod,
		"proofPurpose":       opts.ProofPurpose,
	}
	if !opts.Expires.IsZero() {
		proof["expires"] = opts.Expires.UTC().Format(time.RFC3339)
	}
	if opts.Challenge != "" {
		proof["challenge"] = opts.Challenge
	}
	if opts.Domain != "" {
		proof["domain"] = opts.Domain
	}
	// §3.3.5 "Proof Configuration": the proof carries the document's @context.
	if c, ok := m["@context"]; ok {
		proof["@context"] = c
	}
	h, err := hashData(proof, m)
	if err != nil {
		return nil, err
	}
	proof["proofValue"] = MultibaseEncode(ed25519.Sign(key, h))
	m["proof"] = proof
	out, err := json.Marshal(m)
	if err != nil {
		return nil, newErr("MALFORMED_VC", ErrMalformedVC, "%v", err)
	}
	// The proof adds bytes and copies @context one level deeper: a document near MaxVCLen or
	// MaxJSONDepth would be signed into one that VerifyProof refuses. Refuse it here instead.
	if _, err := decodeObject(out); err != nil {
		return nil, err
	}
	return out, nil
}

// ProofInfo is what a verified proof said.
type ProofInfo struct {
	VerificationMethod string
	ProofPurpose       string
	Created            string
}

// VerifyProof checks the eddsa-jcs-2022 proof of a secured document under pub
// (eddsa-jcs-2022 §3.3.2 "Verify Proof"). It returns ErrBadProof for a signature that does not
// verify, ErrUnsupported for another proof type or cryptosuite, ErrMalformedVC for malformed input.
func VerifyProof(doc []byte, pub ed25519.PublicKey) (*ProofInfo, error) {
	m, err := decodeObject(doc)
	if err != nil {
		return nil, err
	}
	proof, ok := m["proof"].(map[string]any)
	if !ok {
		return nil, newErr("UNSUPPORTED", ErrUnsupported, "proof must be one object (proof sets are not supported)")
	}
	if proof["type"] != ProofTypeDataIntegrity || proof["cryptosuite"] != CryptosuiteEdDSAJCS2022 {
		return nil, newErr("UNSUPPORTED", ErrUnsupported, "%v / %v", proof["type"], proof["cryptosuite"])
	}
	pv, _ := proof["proofValue"].(string)
	sig, err := MultibaseDecode(pv)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, newErr("BAD_PROOF", ErrBadProof, "proofValue is not a base58btc Ed25519 signature")
	}
	delete(m, "proof")
	opts := make(map[string]any, len(proof))
	for k, v := range proof {
		if k != "proofValue" {
			opts[k] = v
		}
	}
	// Step 4: the proof's @context must be a prefix of the document's, and replaces it.
	if pc, ok := opts["@context"]; ok {
		if !contextPrefix(pc, m["@context"]) {
			return nil, newErr("BAD_PROOF", ErrBadProof, "proof @context is not a prefix of the document's")
		}
		m["@context"] = pc
	}
	h, err := hashData(opts, m)
	if err != nil {
		return nil, err
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, h, sig) {
		return nil, newErr("BAD_PROOF", ErrBadProof, "")
	}
	info := &ProofInfo{}
	info.VerificationMethod, _ = opts["verificationMethod"].(string)
	info.ProofPurpose, _ = opts["proofPurpose"].(string)
	info.Created, _ = opts["created"].(string)
	return info, nil
}

func contextPrefix(prefix, full any) bool {
	asList := func(v any) []any {
		if l, ok := v.([]any); ok {
			return l
		}
		if v == nil {
			return nil
		}
		return []any{v}
	}
	p, f := asList(prefix), asList(full)
	if len(p) > len(f) {
		return false
	}
	for i := range p {
		a, _ := json.Marshal(p[i])
		b, _ := json.Marshal(f[i])
		if !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}
