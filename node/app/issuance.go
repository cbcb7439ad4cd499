package app

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/virtengine/sdk/node/tx"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// Credential issuance by the network (FEATURES.md §3.8, §2.1).
//
// Attributes. Every committee validator derives the credential's attributes from the evidence it
// decrypted, next to the score: birth date and nationality from the document's machine-readable
// zone (Claims, read by the extractor), the verification flags and scopes from the kinds of evidence
// actually present, the issue day from the block time that committed the evidence, the expiry from
// the scopes' validity (§3.8) capped by the document's remaining validity. They go into its identity
// vote (IdentityVote.Issue), and the tally groups votes by score, input hash AND these attributes: a
// request is final only when more than 2/3 of the voting power agree on all of them.
//
// Hiding. The holder puts a credential request item (CredentialRequestItem) into the sealed evidence
// bundle: its zk holder key and a fresh 32-byte secret seed. Only the validators (who decrypt the
// bundle) and the holder know the seed. From it and the request id, every validator derives the same
// commitment randomness (blindingScalar) and the same symmetric key, and votes:
//   - Commitment: the zk commitment C = Poseidon2(attributes, randomness) (zk.Credential.Commitment);
//     it is hiding, so C on chain does not let anyone test candidate birth dates without the seed;
//   - Sealed: the private attributes (birth date, country) under AES-256-GCM with the seed-derived key,
//     so the holder learns exactly what the validators read, without running the models.
//
// The chain stores C, Sealed and the public attributes (score, tier, flags, dates), never the birth
// date, the country, the seed or the randomness in clear.
//
// Signatures. Once a request is final, every validator with issuer keys signs in its vote extensions
// at the next heights (VoteExtension.Issuance): the W3C VC (eddsa-jcs-2022 over the deterministic
// document IssuedCredential.Attestation, by its Ed25519 attestation key) and C (EdDSA on BN254, by
// its zk issuer key). VerifyVoteExtension rejects an extension whose signatures do not verify under
// the signer's registered keys; the tally re-checks them deterministically and stores one proof per
// validator. The credential is "issued" once the signers hold more than 2/3 of the voting power. The
// holder fetches the record (/identity/credential/<request>), rebuilds its zk credential with any
// validator's signature (HolderCredentials) and shows the VCs (VCs). A relying party accepts a zk
// credential when its issuer key is a registered validator issuer key (/identity/issuers).

// CredentialRequestItem names the evidence item that carries the holder's CredentialRequest.
const CredentialRequestItem = "credential-request.json"

// CredentialRequest is the holder's part of the evidence bundle for a zk credential.
type CredentialRequest struct {
	HolderKey zk.Scalar `json:"holder_key"` // zk.HolderSecret.PublicKey()
	Seed      string    `json:"seed"`       // 32 random bytes, hex; secret: it derives the blinding
}

// NewCredentialRequestItem returns the evidence item asking for a zk credential for holderKey; seed
// must be 32 fresh random bytes that the holder keeps (HolderCredentials needs it).
func NewCredentialRequestItem(holderKey zk.Scalar, seed []byte) (veid.EvidenceItem, error) {
	if len(seed) != 32 {
		return veid.EvidenceItem{}, errors.New("app: the credential seed must be 32 bytes")
	}
	b, err := json.Marshal(CredentialRequest{HolderKey: holderKey, Seed: hex.EncodeToString(seed)})
	if err != nil {
		return veid.EvidenceItem{}, err
	}
	return veid.EvidenceItem{Kind: veid.KindIDDocument, Name: CredentialRequestItem, Data: b}, nil
}

func credentialRequest(ev *veid.Evidence) (*CredentialRequest, []byte, bool) {
	for _, it := range ev.Items {
		if it.Name != CredentialRequestItem {
			continue
		}
		var cr CredentialRequest
		if err := json.Unmarshal(it.Data, &cr); err != nil {
			return nil, nil, false
		}
		seed, err := hex.DecodeString(cr.Seed)
		if err != nil || len(seed) != 32 {
			return nil, nil, false
		}
		return &cr, seed, true
	}
	return nil, nil, false
}

// Claims are the identity facts an extractor read from the evidence's document; zero when unknown.
type Claims struct {
	BirthDate      uint32 // zk.Day
	Country        uint16 // ISO 3166-1 numeric
	DocumentExpiry uint32 // zk.Day
}

// ClaimsExtractor is a veid.Extractor that also reads Claims from the document. Validators whose
// extractor does not implement it vote without a zk commitment (no zk credential is issued unless
// more than 2/3 agree on one).
type ClaimsExtractor interface {
	ExtractClaims(ctx context.Context, ev *veid.Evidence) (veid.Features, Claims, error)
}

// IssueVote is what a validator derived for the credential; part of what the tally agrees on.
type IssueVote struct {
	Scopes     []string `cbor:"1,keyasint"`           // kinds present, in veid's order
	Flags      uint8    `cbor:"2,keyasint"`           // zk verification flags of Scopes
	IssuedAt   uint32   `cbor:"3,keyasint"`           // zk.Day of the block that committed the evidence
	ExpiresAt  uint32   `cbor:"4,keyasint"`           // zk.Day, first day no longer valid
	Commitment []byte   `cbor:"5,keyasint,omitempty"` // zk commitment (32 bytes), when the holder asked and the document was read
	Sealed     []byte   `cbor:"6,keyasint,omitempty"` // birth date and country for the holder (AES-256-GCM)
}

const maxIssueScopes = 16

func (v *IssueVote) check() error {
	if len(v.Scopes) == 0 || len(v.Scopes) > maxIssueScopes || v.ExpiresAt <= v.IssuedAt {
		return errors.New("issue attributes out of range")
	}
	for _, s := range v.Scopes {
		if len(s) > 32 {
			return errors.New("issue scope too long")
		}
	}
	if (len(v.Commitment) == 0) != (len(v.Sealed) == 0) || (len(v.Commitment) != 0 && (len(v.Commitment) != 32 || len(v.Sealed) != sealedLen)) {
		return errors.New("issue commitment malformed")
	}
	return nil
}

// digest identifies the attributes in the tally's grouping.
func (v *IssueVote) digest() string {
	if v == nil {
		return ""
	}
	b, err := tx.Marshal(v)
	if err != nil {
		return "!"
	}
	return string(b)
}

// scopesOf lists the scope kinds present in the bundle (the credential request item aside), in
// veid's kind order.
func scopesOf(ev *veid.Evidence) []veid.ScopeKind {
	has := map[veid.ScopeKind]bool{}
	for _, it := range ev.Items {
		if it.Name != CredentialRequestItem {
			has[it.Kind] = true
		}
	}
	var out []veid.ScopeKind
	for _, k := range veid.Kinds() {
		if has[k] {
			out = append(out, k)
		}
	}
	return out
}

const sealedLen = 6 + 16 // birth date u32, country u16, GCM tag

func sealKey(seed, request []byte) cipher.AEAD {
	h := sha256.New()
	h.Write([]byte("virtengine/credential-attrs/v1\x00"))
	h.Write(seed)
	h.Write(request)
	blk, _ := aes.NewCipher(h.Sum(nil)) // 32-byte key: cannot fail
	g, _ := cipher.NewGCM(blk)
	return g
}

// sealClaims encrypts birth date and country under a key unique to (seed, request), so the fixed
// nonce is never reused and every validator produces the same bytes.
func sealClaims(seed, request []byte, birth uint32, country uint16) []byte {
	pt := binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint32(nil, birth), country)
	return sealKey(seed, request).Seal(nil, make([]byte, 12), pt, request)
}

func openClaims(seed, request, sealed []byte) (uint32, uint16, error) {
	pt, err := sealKey(seed, request).Open(nil, make([]byte, 12), sealed, request)
	if err != nil || len(pt) != 6 {
		return 0, 0, errors.New("app: sealed attributes do not open with this seed")
	}
	return binary.BigEndian.Uint32(pt), binary.BigEndian.Uint16(pt[4:]), nil
}

// issueVote derives the credential attributes of an extraction: ev the opened bundle, claims what
// the extractor read, score and tier the validator's result, reqTime the block time that committed
// the evidence and evalAt the evaluation time.
func issueVote(ev *veid.Evidence, claims Claims, request []byte, score uint32, tier int, passed bool, reqTime, evalAt time.Time) *IssueVote {
	kinds := scopesOf(ev)
	if len(kinds) == 0 {
		return nil
	}
	v := &IssueVote{Flags: veid.ZKFlags(kinds), IssuedAt: zk.DayOf(reqTime)}
	for _, k := range kinds {
		v.Scopes = append(v.Scopes, string(k))
	}
	days := uint32(veid.ValidityFor(kinds) / (24 * time.Hour))
	// The document's remaining validity at the evaluation time caps the credential's.
	if ev := zk.DayOf(evalAt); claims.DocumentExpiry > ev && claims.DocumentExpiry-ev < days {
		days = claims.DocumentExpiry - ev
	}
	v.ExpiresAt = v.IssuedAt + max(days, 1)
	cr, seed, ok := credentialRequest(ev)
	if !ok || !passed || claims.BirthDate == 0 || claims.Country == 0 {
		return v
	}
	attrs := zk.Attributes{BirthDate: claims.BirthDate, Country: claims.Country, Score: uint8(score), Tier: uint8(tier), Flags: v.Flags,
		IssuedAt: v.IssuedAt, ExpiresAt: v.ExpiresAt, HolderKey: cr.HolderKey}
	c := zk.Credential{Version: zk.CredentialVersion, Attributes: attrs, Randomness: blindingScalar(seed, request)}
	cm, err := c.Commitment()
	if err != nil {
		return v // attributes out of range (a birth date after the issue day, …): no zk credential
	}
	v.Commitment = cm[:]
	v.Sealed = sealClaims(seed, request, claims.BirthDate, claims.Country)
	return v
}

// Credential statuses.
const (
	CredSigning  = "signing"  // final; validators are signing it
	CredIssued   = "issued"   // signed by more than 2/3 of the voting power
	CredUnissued = "unissued" // the signing window closed without enough signatures
)

// ZKPublic is the public part of the zk credential: the commitment and the public attributes.
type ZKPublic struct {
	Flags           uint8  `cbor:"1,keyasint" json:"flags"`
	IssuedAt        uint32 `cbor:"2,keyasint" json:"issued_at"`  // zk.Day
	ExpiresAt       uint32 `cbor:"3,keyasint" json:"expires_at"` // zk.Day
	RevocationIndex uint32 `cbor:"4,keyasint" json:"revocation_index"`
	Commitment      []byte `cbor:"5,keyasint" json:"commitment"`
	Sealed          []byte `cbor:"6,keyasint" json:"sealed"` // birth date and country, for the holder only
}

// IssuerProof is one validator's signatures of a credential.
type IssuerProof struct {
	Validator      []byte `cbor:"1,keyasint" json:"validator"` // consensus address
	Power          int64  `cbor:"2,keyasint" json:"power"`
	AttestationKey []byte `cbor:"3,keyasint" json:"attestation_key"`
	VCSig          []byte `cbor:"4,keyasint" json:"vc_signature"`
	ZKIssuerKey    []byte `cbor:"5,keyasint,omitempty" json:"zk_issuer_key,omitempty"`
	ZKSig          []byte `cbor:"6,keyasint,omitempty" json:"zk_signature,omitempty"`
}

// IssuedCredential is the network's credential for one final, passed identity request.
type IssuedCredential struct {
	Request     []byte        `cbor:"1,keyasint" json:"request"`
	Account     tx.Address    `cbor:"2,keyasint" json:"account"`
	Status      string        `cbor:"3,keyasint" json:"status"`
	Score       uint32        `cbor:"4,keyasint" json:"score"`
	Tier        int           `cbor:"5,keyasint" json:"tier"`
	Model       string        `cbor:"6,keyasint" json:"model"`
	InputHash   []byte        `cbor:"7,keyasint" json:"input_hash"`
	Scopes      []string      `cbor:"8,keyasint" json:"scopes"`
	ValidFrom   int64         `cbor:"9,keyasint" json:"valid_from"`   // Unix s
	ValidUntil  int64         `cbor:"10,keyasint" json:"valid_until"` // Unix s
	ZK          *ZKPublic     `cbor:"11,keyasint,omitempty" json:"zk,omitempty"`
	FinalHeight int64         `cbor:"12,keyasint" json:"final_height"`
	Proofs      []IssuerProof `cbor:"13,keyasint,omitempty" json:"proofs,omitempty"` // sorted by validator
	SignedPower int64         `cbor:"14,keyasint" json:"signed_power"`
	TotalPower  int64         `cbor:"15,keyasint" json:"total_power"`
}

// Attestation is the VC content every validator signs: deterministic from the record.
func (c *IssuedCredential) Attestation() veid.Attestation {
	var ih [32]byte
	copy(ih[:], c.InputHash)
	kinds := make([]veid.ScopeKind, len(c.Scopes))
	for i, s := range c.Scopes {
		kinds[i] = veid.ScopeKind(s)
	}
	return veid.Attestation{
		ID:         "urn:virtengine:identity:" + hex.EncodeToString(c.Request),
		Subject:    "urn:virtengine:account:" + c.Account.String(),
		Result:     veid.Result{Model: c.Model, Score: int(c.Score), TotalBP: c.Score * 100, Passed: true, InputHash: ih},
		Scopes:     kinds,
		IssuedAt:   time.Unix(c.ValidFrom, 0).UTC(),
		ValidUntil: time.Unix(c.ValidUntil, 0).UTC(),
	}
}

// VCs returns the credential as W3C VCs, one per signing validator (its issuer is the did:key of
// the validator's attestation key), in validator order.
func (c *IssuedCredential) VCs() ([][]byte, error) {
	var out [][]byte
	for _, p := range c.Proofs {
		vc, err := veid.AssembleVC(ed25519.PublicKey(p.AttestationKey), c.Attestation(), p.VCSig)
		if err != nil {
			return nil, err
		}
		out = append(out, vc)
	}
	return out, nil
}

// HolderCredentials rebuilds the holder's zk credentials from the record, the seed it put in its
// credential request and its holder key: one per validator whose signature verifies (each with that
// validator's issuer key). It fails when the seed does not open the sealed attributes.
func (c *IssuedCredential) HolderCredentials(seed []byte, holderKey zk.Scalar) ([]*zk.Credential, error) {
	if c.ZK == nil {
		return nil, errors.New("app: this credential has no zk part (no credential request or no readable document)")
	}
	birth, country, err := openClaims(seed, c.Request, c.ZK.Sealed)
	if err != nil {
		return nil, err
	}
	attrs := zk.Attributes{BirthDate: birth, Country: country, Score: uint8(c.Score), Tier: uint8(c.Tier), Flags: c.ZK.Flags,
		IssuedAt: c.ZK.IssuedAt, ExpiresAt: c.ZK.ExpiresAt, RevocationIndex: c.ZK.RevocationIndex, HolderKey: holderKey}
	var out []*zk.Credential
	for _, p := range c.Proofs {
		iss, err := zk.ParseIssuerPublicKey(p.ZKIssuerKey)
		if err != nil {
			continue
		}
		cred := &zk.Credential{Version: zk.CredentialVersion, Attributes: attrs, Randomness: blindingScalar(seed, c.Request), Issuer: iss, Signature: p.ZKSig}
		if cred.Verify() == nil {
			out = append(out, cred)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("app: no validator signature verifies for these attributes (wrong holder key?)")
	}
	return out, nil
}

// IssuerKeys are a validator's registered credential issuer keys.
type IssuerKeys struct {
	Validator      []byte `json:"validator"` // consensus address
	Name           string `json:"name,omitempty"`
	Power          int64  `json:"power"`
	AttestationKey []byte `json:"attestation_key,omitempty"` // Ed25519, VC proofs
	ZKIssuerKey    []byte `json:"zk_issuer_key,omitempty"`   // EdDSA on BN254, zk credentials
}

// ZKIssuers returns the registered zk issuer keys, to put into a presentation request's accepted
// issuers.
func ZKIssuers(keys []IssuerKeys) []zk.IssuerPublicKey {
	var out []zk.IssuerPublicKey
	for _, k := range keys {
		if p, err := zk.ParseIssuerPublicKey(k.ZKIssuerKey); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// ErrNotValidatorIssuer reports an issuer key that is not a registered validator issuer key.
var ErrNotValidatorIssuer = errors.New("app: issuer key is not a registered validator issuer key")

// CheckZKIssuer reports whether the zk issuer key is one of the registered keys.
func CheckZKIssuer(keys []IssuerKeys, issuer zk.IssuerPublicKey) error {
	for _, k := range keys {
		if bytes.Equal(k.ZKIssuerKey, issuer.Bytes()) {
			return nil
		}
	}
	return ErrNotValidatorIssuer
}

// Issuance state keys.
const (
	pfxCred        = "cr/" // cr/<request id> → IssuedCredential
	pfxCredSigning = "cs/" // cs/<request id> → empty: credentials validators are signing
)

func getCredential(s kv, id []byte) (*IssuedCredential, error) {
	var c IssuedCredential
	ok, err := getObj(s, pfxCred+string(id), &c)
	if err != nil || !ok {
		return nil, err
	}
	return &c, nil
}

// createCredential records the credential of a final, passed request; validators sign it next.
func createCredential(c *execCtx, r *IdentityRequest, id *Identity, iv *IssueVote, total int64) error {
	if iv == nil {
		return nil
	}
	cred := IssuedCredential{Request: r.ID, Account: r.Account, Status: CredSigning, Score: id.Score, Tier: id.Tier, Model: id.Model,
		InputHash: id.InputHash, Scopes: iv.Scopes, ValidFrom: r.Time, ValidUntil: zk.DayDate(iv.ExpiresAt).Unix(), FinalHeight: c.height, TotalPower: total}
	if cred.ValidUntil <= cred.ValidFrom {
		return nil
	}
	if len(iv.Commitment) == 32 {
		cred.ZK = &ZKPublic{Flags: iv.Flags, IssuedAt: iv.IssuedAt, ExpiresAt: iv.ExpiresAt, Commitment: iv.Commitment, Sealed: iv.Sealed}
	}
	if err := putObj(c.store, pfxCred+string(r.ID), &cred); err != nil {
		return err
	}
	c.store.set(pfxCredSigning+string(r.ID), []byte{})
	c.emit("credential_signing", "account", r.Account.String(), "request", hex.EncodeToString(r.ID))
	return nil
}

// IssueSig is one validator's signatures of one credential, in its vote extension.
type IssueSig struct {
	Request []byte `cbor:"1,keyasint"`
	VCSig   []byte `cbor:"2,keyasint"`
	ZKSig   []byte `cbor:"3,keyasint,omitempty"`
}

// checkIssueSig verifies a validator's signatures of cred against its registered keys.
func checkIssueSig(cred *IssuedCredential, val *Validator, sig IssueSig) error {
	if len(val.AttestationKey) != ed25519.PublicKeySize {
		return errors.New("validator has no registered attestation key")
	}
	if err := veid.VerifyVCSignature(ed25519.PublicKey(val.AttestationKey), cred.Attestation(), sig.VCSig); err != nil {
		return fmt.Errorf("VC signature: %w", err)
	}
	if cred.ZK == nil {
		if len(sig.ZKSig) != 0 {
			return errors.New("zk signature for a credential without a zk part")
		}
		return nil
	}
	if !verifyZKCommitment(val.ZKIssuerKey, cred.ZK.Commitment, sig.ZKSig) {
		return errors.New("zk signature does not verify under the registered zk issuer key")
	}
	return nil
}

// signingCredentials lists the credentials being signed (committed state), by request id.
func (a *App) signingCredentials(s kv) ([]*IssuedCredential, error) {
	it, err := a.db.Iterator([]byte(pfxCredSigning), []byte("ct"))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*IssuedCredential
	for ; it.Valid() && len(out) < maxVotesPerExtension; it.Next() {
		cred, err := getCredential(s, it.Key()[len(pfxCredSigning):])
		if err != nil {
			return nil, err
		}
		if cred != nil {
			out = append(out, cred)
		}
	}
	return out, it.Error()
}

// issuanceSigs signs every credential being signed that this validator has not signed yet.
func (a *App) issuanceSigs(st kv) []IssueSig {
	att, zkKey := a.opts.AttestationKey, a.opts.IssuerKey
	if len(att) != ed25519.PrivateKeySize {
		return nil
	}
	creds, err := a.signingCredentials(st)
	if err != nil {
		return nil
	}
	pub := att.Public().(ed25519.PublicKey)
	var out []IssueSig
	for _, c := range creds {
		signed := false
		for _, p := range c.Proofs {
			signed = signed || bytes.Equal(p.AttestationKey, pub)
		}
		if signed {
			continue
		}
		h, err := veid.VCSigningHash(pub, c.Attestation())
		if err != nil {
			continue
		}
		s := IssueSig{Request: c.Request, VCSig: ed25519.Sign(att, h)}
		if c.ZK != nil {
			if zkKey == nil {
				continue
			}
			if s.ZKSig, err = signZKCommitment(zkKey, c.ZK.Commitment); err != nil {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// verifyIssuance checks the issuance signatures of an extension by validator consAddr against the
// committed state (VerifyVoteExtension).
func (a *App) verifyIssuance(ext *VoteExtension, consAddr []byte) error {
	if len(ext.Issuance) == 0 {
		return nil
	}
	st := dbView{a.db}
	val, err := getValidator(st, consAddr)
	if err != nil || val == nil {
		return fmt.Errorf("%w: issuance signatures from unknown validator %X", errBadExtension, consAddr)
	}
	for _, s := range ext.Issuance {
		_, ok, err := st.get(pfxCredSigning + string(s.Request))
		if err != nil || !ok {
			return fmt.Errorf("%w: signature of a credential not being signed", errBadExtension)
		}
		cred, err := getCredential(st, s.Request)
		if err != nil || cred == nil {
			return fmt.Errorf("%w: unknown credential", errBadExtension)
		}
		if err := checkIssueSig(cred, val, s); err != nil {
			return fmt.Errorf("%w: %v", errBadExtension, err)
		}
	}
	return nil
}

// applyIssuance records a tallied validator's issuance signatures that verify.
func applyIssuance(c *execCtx, consAddr []byte, power int64, sigs []IssueSig, total int64) error {
	if len(sigs) == 0 {
		return nil
	}
	val, err := getValidator(c.store, consAddr)
	if err != nil || val == nil {
		return err
	}
	for _, s := range sigs {
		_, ok, err := c.store.get(pfxCredSigning + string(s.Request))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		cred, err := getCredential(c.store, s.Request)
		if err != nil {
			return err
		}
		if cred == nil || checkIssueSig(cred, val, s) != nil {
			continue
		}
		dup := false
		for _, p := range cred.Proofs {
			dup = dup || bytes.Equal(p.Validator, consAddr)
		}
		if dup {
			continue
		}
		cred.Proofs = append(cred.Proofs, IssuerProof{Validator: consAddr, Power: power, AttestationKey: val.AttestationKey, VCSig: s.VCSig, ZKIssuerKey: val.ZKIssuerKey, ZKSig: s.ZKSig})
		sort.Slice(cred.Proofs, func(i, j int) bool { return bytes.Compare(cred.Proofs[i].Validator, cred.Proofs[j].Validator) < 0 })
		cred.SignedPower += power
		cred.TotalPower = total
		if cred.Status == CredSigning && 3*cred.SignedPower > 2*total {
			cred.Status = CredIssued
			c.emit("credential_issued", "account", cred.Account.String(), "request", hex.EncodeToString(cred.Request),
				"signers", strconv.Itoa(len(cred.Proofs)))
		}
		if err := putObj(c.store, pfxCred+string(cred.Request), cred); err != nil {
			return err
		}
	}
	return nil
}

// closeIssuance ends the signing window of credentials final more than IdentityVoteWindow blocks
// ago: they keep the signatures they have; one without enough becomes unissued.
func closeIssuance(c *execCtx) error {
	p, err := getParams(c.store)
	if err != nil {
		return err
	}
	creds, err := c.app.signingCredentials(c.store)
	if err != nil {
		return err
	}
	for _, cred := range creds {
		if uint64(c.height-cred.FinalHeight) <= p.IdentityVoteWindow {
			continue
		}
		c.store.del(pfxCredSigning + string(cred.Request))
		if cred.Status == CredSigning {
			cred.Status = CredUnissued
			if err := putObj(c.store, pfxCred+string(cred.Request), cred); err != nil {
				return err
			}
			c.emit("credential_unissued", "account", cred.Account.String(), "request", hex.EncodeToString(cred.Request))
		}
	}
	return nil
}

// issuerKeys lists every validator's registered issuer keys, by consensus address.
func (a *App) issuerKeys(s kv) ([]IssuerKeys, error) {
	vals, err := a.validators(s)
	if err != nil {
		return nil, err
	}
	var out []IssuerKeys
	for _, v := range vals {
		if len(v.AttestationKey) > 0 || len(v.ZKIssuerKey) > 0 {
			out = append(out, IssuerKeys{Validator: v.Address(), Name: v.Name, Power: v.Power, AttestationKey: v.AttestationKey, ZKIssuerKey: v.ZKIssuerKey})
		}
	}
	return out, nil
}
