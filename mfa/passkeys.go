package mfa

import (
	"crypto/rand"
	"crypto/sha256"
	"io"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// DefaultAttestationFormats are the attestation statement formats accepted at registration
// (W3C WebAuthn Level 3 §8: packed, tpm, android-key, fido-u2f, none, apple).
var DefaultAttestationFormats = []string{"packed", "fido-u2f", "none", "tpm", "apple", "android-key"}

// PasskeyConfig configures the WebAuthn relying party.
type PasskeyConfig struct {
	// RPID is the relying party identifier: a registrable domain of the origins ("example.com",
	// "localhost"). W3C WebAuthn §5.1.3 step 8, §7.1 step 14.
	RPID string
	// RPDisplayName is shown by the browser during registration.
	RPDisplayName string
	// Origins are the exact origins pages may run the ceremonies from ("https://example.com",
	// "http://localhost:8080"). §7.1 step 9, §7.2 step 13.
	Origins []string
	// UserVerification is "required" (default: a PIN or biometric on the authenticator, §7.1
	// step 16), "preferred" or "discouraged".
	UserVerification string
	// Attestation is the conveyance preference: "none" (default) or "direct"/"indirect"/"enterprise"
	// to receive and verify an attestation statement.
	Attestation string
	// Formats lists the attestation formats accepted; nil means DefaultAttestationFormats.
	Formats []string
	// Rand supplies user handles; nil means crypto/rand.
	Rand io.Reader
}

// Passkeys is the WebAuthn factor (FEATURES.md §4.2): registration and authentication ceremonies as
// a core with no transport, on top of go-webauthn. Begin* returns the options for
// navigator.credentials.create/get as JSON-ready values; Finish* takes the JSON the browser returned
// (PublicKeyCredential.toJSON()) and the time. Each challenge is single use and expires after
// WebAuthnCeremonyTTL. It implements Factor: Verify finishes a login.
//
// Beyond go-webauthn's checks it refuses, each with its own error: an origin or RP ID of another
// site, a missing user presence or verification, a signature counter that did not increase
// (a cloned authenticator, §6.1.1), a backup-eligible flag that changed (§6.3.3) and attestation
// formats outside the configured list. A backup state that changes between logins is accepted and
// recorded: synced passkeys move between backed-up and not as providers sync them.
type Passkeys struct {
	wa      *webauthn.WebAuthn
	cfg     PasskeyConfig
	rpHash  [32]byte
	uvReq   bool
	formats map[string]bool

	mu         sync.Mutex
	registry   *Registry // set by Registry.SetStores: registration and removal go through it only
	users      map[string]*passkeyUser
	ceremonies map[string]*ceremony
	owners     map[string]string // credential ID → account
}

type ceremony struct {
	create  bool
	account string
	session webauthn.SessionData
	expires time.Time
	// stepUp, for a login begun by BeginStepUp, is the step-up challenge its assertion answers; nil
	// for a login begun by BeginLogin.
	stepUp *stepUpBinding
	// enroll, for a registration begun by Registry.BeginPasskey, is the factor change it completes.
	enroll *pendingPasskey
}

// pendingPasskey is a passkey enrollment authorized by a Registry at BeginPasskey and completed by
// FinishPasskey: the lost enrollment it replaces (empty to add one), its label and whether it was
// the account's first factor (enrolled without a step-up).
type pendingPasskey struct {
	registry *Registry
	lostID   string
	label    string
	device   string
	first    bool
}

// stepUpBinding ties a WebAuthn login ceremony to one step-up challenge: the assertion counts only
// when submitted to the challenge of this ID, account, transaction type and value.
type stepUpBinding struct {
	id      string
	account string
	tx      TxType
	value   uint64
}

func bindingOf(c Challenge) *stepUpBinding {
	return &stepUpBinding{id: c.ID, account: c.Account, tx: c.Tx, value: c.Value}
}

// NewPasskeys validates cfg and returns an empty relying party.
func NewPasskeys(cfg PasskeyConfig) (*Passkeys, error) {
	if cfg.UserVerification == "" {
		cfg.UserVerification = string(protocol.VerificationRequired)
	}
	switch protocol.UserVerificationRequirement(cfg.UserVerification) {
	case protocol.VerificationRequired, protocol.VerificationPreferred, protocol.VerificationDiscouraged:
	default:
		return nil, invalid("user verification %q: use required, preferred or discouraged", cfg.UserVerification)
	}
	if cfg.Attestation == "" {
		cfg.Attestation = string(protocol.PreferNoAttestation)
	}
	if cfg.Formats == nil {
		cfg.Formats = DefaultAttestationFormats
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.RPDisplayName == "" {
		cfg.RPDisplayName = cfg.RPID
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  cfg.RPID,
		RPDisplayName:         cfg.RPDisplayName,
		RPOrigins:             cfg.Origins,
		AttestationPreference: protocol.ConveyancePreference(cfg.Attestation),
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementRequired,
			UserVerification: protocol.UserVerificationRequirement(cfg.UserVerification),
		},
	})
	if err != nil {
		return nil, invalid("webauthn config: %v", err)
	}
	if cfg.RPID == "" {
		return nil, invalid("webauthn config: RPID is required")
	}
	p := &Passkeys{
		wa: wa, cfg: cfg, rpHash: sha256.Sum256([]byte(cfg.RPID)),
		uvReq:   cfg.UserVerification == string(protocol.VerificationRequired),
		formats: map[string]bool{},
		users:   map[string]*passkeyUser{}, ceremonies: map[string]*ceremony{}, owners: map[string]string{},
	}
	for _, f := range cfg.Formats {
		p.formats[f] = true
	}
	return p, nil
}

// Type implements Factor.
func (p *Passkeys) Type() FactorType { return FactorFIDO2 }

// Verify implements Factor: response is the JSON of an assertion answering a BeginLogin challenge.
// An assertion answering a BeginStepUp challenge is refused here: Engine.Submit checks it with
// VerifyChallenge against the step-up challenge it was made for.
func (p *Passkeys) Verify(account string, response []byte, now time.Time) error {
	_, err := p.FinishLogin(account, response, now)
	return err
}

// VerifyChallenge implements ChallengeFactor: response is the JSON of an assertion answering the
// BeginStepUp of step-up challenge c. An assertion made for another step-up challenge (of this or
// another transaction type), or for a plain BeginLogin, is refused with ErrCeremonyNotFound, and its
// WebAuthn challenge is used up.
func (p *Passkeys) VerifyChallenge(c Challenge, response []byte, now time.Time) error {
	_, err := p.finishLogin(c.Account, response, bindingOf(c), now)
	return err
}

var _ ChallengeFactor = (*Passkeys)(nil)
