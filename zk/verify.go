package zk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/frontend"
)

// Reason is a stable code for why a presentation was rejected.
type Reason string

// Rejection reasons, in the order Verify checks them.
const (
	ReasonNone              Reason = ""
	ReasonMalformed         Reason = "malformed"           // the presentation or request is not well formed
	ReasonVersion           Reason = "version"             // another circuit version
	ReasonUnsafeKey         Reason = "unsafe_key"          // the verifying key is from the UNSAFE development setup
	ReasonBackend           Reason = "backend_mismatch"    // proof and key use different backends
	ReasonRequestExpired    Reason = "request_expired"     // the request's ValidUntil has passed
	ReasonIssuerNotAccepted Reason = "issuer_not_accepted" // issuer missing or not in AcceptedIssuers
	ReasonDisclosure        Reason = "disclosure_mismatch" // disclosed attributes differ from those requested
	ReasonNullifier         Reason = "nullifier_mismatch"  // nullifier missing, or present when not requested
	ReasonNonce             Reason = "nonce_mismatch"      // the proof is for another nonce (another session)
	ReasonAudience          Reason = "audience_mismatch"   // the proof is for another verifier
	ReasonRevocationRoot    Reason = "revocation_root_mismatch"
	// ReasonExpired: the request checks NotExpired and the proof shows the credential unexpired only
	// before an earlier day than the request's Today (lo[expires_at] is lower than the request
	// implies): the proof cannot vouch for the credential today, because the credential has expired
	// since or the proof is stale.
	ReasonExpired   Reason = "expired"
	ReasonStatement Reason = "statement_mismatch" // a public input differs from what the request implies
	ReasonProof     Reason = "proof_invalid"      // the proof does not verify
	ReasonReplay    Reason = "nonce_replayed"     // a valid presentation for this nonce was already accepted
	// ReasonNonceStore: the presentation verified but the nonce store failed (I/O, lock, corrupt
	// file), so it could not be recorded and is not accepted.
	ReasonNonceStore Reason = "nonce_store_error"
)

// Result is the outcome of Verify. When Valid, Issuer, Disclosed and Nullifier are what the relying
// party learned; otherwise Reason says which check failed and Detail explains it.
type Result struct {
	Valid     bool                 `json:"valid"`
	Reason    Reason               `json:"reason,omitempty"`
	Detail    string               `json:"detail,omitempty"`
	Issuer    *IssuerPublicKey     `json:"issuer,omitempty"`
	Disclosed []DisclosedAttribute `json:"disclosed,omitempty"`
	Nullifier *Scalar              `json:"nullifier,omitempty"`
}

// Err returns nil for a valid result, else a *VerifyError.
func (r Result) Err() error {
	if r.Valid {
		return nil
	}
	return &VerifyError{Reason: r.Reason, Detail: r.Detail}
}

// VerifyError is a rejected presentation. It wraps ErrVerificationFailed, and ErrNonceReplayed for
// ReasonReplay.
type VerifyError struct {
	Reason Reason
	Detail string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("zk: presentation rejected (%s): %s", e.Reason, e.Detail)
}

// Unwrap lets errors.Is find ErrVerificationFailed (and ErrNonceReplayed on replay).
func (e *VerifyError) Unwrap() []error {
	if e.Reason == ReasonReplay {
		return []error{ErrVerificationFailed, ErrNonceReplayed}
	}
	return []error{ErrVerificationFailed}
}

// Verifier checks presentations offline against one verifying key.
type Verifier struct {
	Key *VerifyingKey
	// Nonces, when set, makes every nonce single-use: a second valid presentation for the same
	// (audience, nonce) is rejected with ReasonReplay.
	Nonces NonceStore
	// AllowUnsafeSetup accepts keys from SetupUnsafe. Leave it false outside tests and development.
	AllowUnsafeSetup bool
}

func reject(r Reason, format string, args ...any) Result {
	return Result{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// Verify checks p against req at time now: structure, version, key, request validity, accepted
// issuer, disclosures, nullifier, every public input against what req implies (naming the first that
// differs), the proof, and finally the nonce store. It never panics on malformed input.
func (v *Verifier) Verify(req *Request, p *Presentation, now time.Time) Result {
	if v == nil || !v.Key.ready() {
		return reject(ReasonMalformed, "verifier has no verifying key")
	}
	if req == nil || p == nil {
		return reject(ReasonMalformed, "nil request or presentation")
	}
	if err := req.Validate(); err != nil {
		if errors.Is(err, ErrVersion) {
			return reject(ReasonVersion, "%v", err)
		}
		return reject(ReasonMalformed, "request: %v", err)
	}
	if err := p.validate(); err != nil {
		if errors.Is(err, ErrVersion) {
			return reject(ReasonVersion, "%v", err)
		}
		return reject(ReasonMalformed, "%v", err)
	}
	if v.Key.Unsafe && !v.AllowUnsafeSetup {
		return reject(ReasonUnsafeKey, "the verifying key comes from the UNSAFE development setup; use ceremony keys or set AllowUnsafeSetup for development")
	}
	if p.Backend != v.Key.Backend {
		return reject(ReasonBackend, "proof is %s, key is %s", p.Backend, v.Key.Backend)
	}
	if req.Expired(now) {
		return reject(ReasonRequestExpired, "request valid until %d, now %d", req.ValidUntil, now.Unix())
	}

	rv := &revealed{}
	if req.statements()&StmtSignature != 0 {
		if p.Issuer == nil || !req.accepts(*p.Issuer) {
			return reject(ReasonIssuerNotAccepted, "the credential's issuer is not one the request accepts")
		}
		rv.issuer = p.Issuer
	} else if p.Issuer != nil {
		return reject(ReasonIssuerNotAccepted, "issuer given but the request accepts none")
	}

	mask := req.discloseMask()
	var got uint64
	for _, d := range p.Disclosed {
		i, _ := AttributeIndex(d.Name)
		got |= 1 << i
		rv.disclosed[i], _ = d.Value.element()
	}
	if got != mask {
		return reject(ReasonDisclosure, "disclosed attributes %#x, requested %#x", got, mask)
	}

	if req.Nullifier != (p.Nullifier != nil) {
		return reject(ReasonNullifier, "nullifier requested: %v, present: %v", req.Nullifier, p.Nullifier != nil)
	}
	if p.Nullifier != nil {
		rv.nullifier, _ = p.Nullifier.element()
	}

	want := publicInputs(req, rv)
	for i := range want {
		if scalarOf(want[i]) != p.PublicInputs[i] {
			name := publicNames[i]
			switch name {
			case "nonce":
				return reject(ReasonNonce, "the proof was made for another nonce")
			case "audience":
				return reject(ReasonAudience, "the proof was made for another audience")
			case "revocation_root":
				return reject(ReasonRevocationRoot, "the proof uses another revocation root")
			case expiresLoName:
				w := scalarOf(want[i])
				if got := p.PublicInputs[i]; req.NotExpired && bytes.Compare(got[:], w[:]) < 0 {
					// got < want ≤ MaxRangeValue, so it fits in its last 8 bytes.
					if lo := binary.BigEndian.Uint64(got[24:]); lo > 0 {
						return reject(ReasonExpired, "the proof shows the credential unexpired on day %d, not on the request's day %d", lo-1, req.Today)
					}
					return reject(ReasonExpired, "the proof does not show the credential unexpired on the request's day %d", req.Today)
				}
			}
			return reject(ReasonStatement, "public input %s does not match the request", name)
		}
	}

	if err := verifyProof(v.Key, p.Proof, want); err != nil {
		return reject(ReasonProof, "%v", err)
	}

	if v.Nonces != nil {
		expiry := now.Add(DefaultNonceTTL)
		if req.ValidUntil != 0 {
			expiry = time.Unix(req.ValidUntil, 0)
		}
		if err := v.Nonces.Use(req.Audience, req.Nonce, now, expiry); err != nil {
			if errors.Is(err, ErrNonceReplayed) {
				return reject(ReasonReplay, "%v", err)
			}
			return reject(ReasonNonceStore, "%v", err)
		}
	}
	return Result{Valid: true, Issuer: p.Issuer, Disclosed: p.Disclosed, Nullifier: p.Nullifier}
}

// expiresLoName is the public input holding the lower bound of expires_at (Today+1 under NotExpired).
var expiresLoName = "lo[" + attributeNames[AttrExpiresAt] + "]"

// verifyProof checks an encoded proof against the public-input vector.
func verifyProof(vk *VerifyingKey, proof []byte, pub []fr.Element) error {
	var c Circuit
	assignPublic(&c, pub)
	w, err := frontend.NewWitness(&c, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		return fmt.Errorf("%w: public witness: %v", ErrProofInvalid, err)
	}
	switch vk.Backend {
	case Groth16:
		pr, err := decodeGroth16Proof(proof)
		if err != nil {
			return err
		}
		if err := groth16.Verify(pr, vk.g16, w); err != nil {
			return fmt.Errorf("%w: %v", ErrProofInvalid, err)
		}
		return nil
	case PLONK:
		pr, err := decodePlonkProof(proof)
		if err != nil {
			return err
		}
		if err := plonk.Verify(pr, vk.plonk, w); err != nil {
			return fmt.Errorf("%w: %v", ErrProofInvalid, err)
		}
		return nil
	}
	return ErrUnknownBackend
}
