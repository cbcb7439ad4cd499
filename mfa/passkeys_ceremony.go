package mfa

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// BeginRegistration starts registering a passkey for account (W3C WebAuthn §7.1). The result is the
// CredentialCreationOptions to pass (as JSON) to navigator.credentials.create; it excludes the
// account's existing credentials and asks for a discoverable credential with the configured user
// verification. A store driven by a Registry refuses it (ErrInvalidInput): register with
// Registry.BeginPasskey and Registry.FinishPasskey, which apply the factor limit and step-up rules.
func (p *Passkeys) BeginRegistration(account string, now time.Time) (*protocol.CredentialCreation, error) {
	return p.beginRegistration(account, nil, now)
}

func (p *Passkeys) beginRegistration(account string, pend *pendingPasskey, now time.Time) (*protocol.CredentialCreation, error) {
	if err := checkIDs(account, ""); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pend == nil && p.registry != nil {
		return nil, errManaged(FactorFIDO2)
	}
	u, err := p.user(account)
	if err != nil {
		return nil, err
	}
	if len(u.creds) >= MaxFactorsPerAccount {
		return nil, fmt.Errorf("%w: %d passkeys registered; remove one first", ErrFactorLimit, len(u.creds))
	}
	exclude := make([]protocol.CredentialDescriptor, len(u.creds))
	for i := range u.creds {
		exclude[i] = u.creds[i].Descriptor()
	}
	opts, session, err := p.wa.BeginRegistration(u, webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, webauthnErr(ErrWebAuthn, err)
	}
	if err := p.putCeremony(&ceremony{create: true, account: account, session: *session, expires: now.Add(WebAuthnCeremonyTTL), enroll: pend}, now); err != nil {
		return nil, err
	}
	return opts, nil
}

// FinishRegistration verifies the browser's answer to a BeginRegistration challenge and stores the
// credential (W3C WebAuthn §7.1 steps 5–27). A store driven by a Registry refuses it
// (ErrInvalidInput): use Registry.FinishPasskey.
func (p *Passkeys) FinishRegistration(account string, response []byte, now time.Time) (PasskeyCredential, error) {
	return p.finishRegistration(account, response, now, nil)
}

// finishRegistration verifies a registration. admit, for the Registry, is called with the ceremony's
// pending change once the credential verified and before it is stored; an error from it refuses the
// credential. Without admit, a ceremony begun by a Registry is refused.
func (p *Passkeys) finishRegistration(account string, response []byte, now time.Time, admit func(*pendingPasskey) error) (PasskeyCredential, error) {
	if admit == nil {
		p.mu.Lock()
		managed := p.registry != nil
		p.mu.Unlock()
		if managed {
			return PasskeyCredential{}, errManaged(FactorFIDO2)
		}
	}
	if len(response) == 0 || len(response) > MaxWebAuthnResponse {
		return PasskeyCredential{}, webauthnErr(ErrMalformedResponse, fmt.Errorf("response of %d bytes", len(response)))
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return PasskeyCredential{}, webauthnErr(ErrMalformedResponse, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// §7.1 step 8: the challenge must be one we issued; taking it makes it single use.
	c, err := p.takeCeremony(parsed.Response.CollectedClientData.Challenge, account, true, now)
	if err != nil {
		return PasskeyCredential{}, err
	}
	if (admit == nil) != (c.enroll == nil) {
		return PasskeyCredential{}, webauthnErr(ErrCeremonyNotFound, errors.New("registration was begun through another path (Registry.BeginPasskey or BeginRegistration)"))
	}
	auth := parsed.Response.AttestationObject.AuthData
	if err := p.precheck(parsed.Response.CollectedClientData.Origin, auth); err != nil {
		return PasskeyCredential{}, err
	}
	// §7.1 step 21: the attestation format must be one the relying party accepts.
	if f := parsed.Response.AttestationObject.Format; !p.formats[f] {
		return PasskeyCredential{}, webauthnErr(ErrAttestation, fmt.Errorf("attestation format %q not accepted", f))
	}
	// §7.1 step 18 (Level 3): BS = 1 with BE = 0 is invalid.
	if auth.Flags.HasBackupState() && !auth.Flags.HasBackupEligible() {
		return PasskeyCredential{}, webauthnErr(ErrBackupFlags, errors.New("backup state set on a credential that is not backup eligible"))
	}
	u := p.users[account]
	if u == nil { // the account's first passkey: the user handle is the one sent in the options
		u = &passkeyUser{account: account, handle: append([]byte(nil), c.session.UserID...)}
	}
	session := c.session
	session.Expires = time.Time{} // expiry was checked against now above; go-webauthn would read the clock
	cred, err := p.wa.CreateCredential(u, session, parsed)
	if err != nil {
		return PasskeyCredential{}, mapWebAuthnErr(err)
	}
	// §7.1 step 25: a credential ID registered to any account is refused.
	if owner, dup := p.owners[string(cred.ID)]; dup {
		return PasskeyCredential{}, webauthnErr(ErrWebAuthn, fmt.Errorf("credential already registered (to %s)", redactIf(owner != account, owner)))
	}
	if len(u.creds) >= MaxFactorsPerAccount {
		return PasskeyCredential{}, fmt.Errorf("%w: %d passkeys registered", ErrFactorLimit, len(u.creds))
	}
	if admit != nil {
		if err := admit(c.enroll); err != nil {
			return PasskeyCredential{}, err
		}
	}
	u.creds = append(u.creds, *cred)
	u.created = append(u.created, now)
	u.used = append(u.used, time.Time{})
	p.owners[string(cred.ID)] = account
	p.users[account] = u
	return summarize(account, cred, now, time.Time{}), nil
}

func redactIf(hide bool, s string) string {
	if hide {
		return "another account"
	}
	return "this account"
}

// BeginLogin starts an authentication of account (W3C WebAuthn §7.2) listing its credentials. Its
// assertion answers FinishLogin (or Verify); it does not count towards a step-up challenge: use
// BeginStepUp for that.
func (p *Passkeys) BeginLogin(account string, now time.Time) (*protocol.CredentialAssertion, error) {
	return p.beginLogin(account, nil, now)
}

// BeginStepUp starts an authentication that answers step-up challenge c (from Engine.Begin). The
// assertion is bound to c: Engine.Submit accepts it for c only, not for another challenge of the
// account, whatever its transaction type, and FinishLogin refuses it.
func (p *Passkeys) BeginStepUp(c Challenge, now time.Time) (*protocol.CredentialAssertion, error) {
	if c.ID == "" {
		return nil, invalid("step-up challenge without an ID")
	}
	return p.beginLogin(c.Account, bindingOf(c), now)
}

func (p *Passkeys) beginLogin(account string, bind *stepUpBinding, now time.Time) (*protocol.CredentialAssertion, error) {
	if err := checkIDs(account, ""); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[account]
	if u == nil || len(u.creds) == 0 {
		return nil, fmt.Errorf("%w: no passkey registered for %q; register one first", ErrFactorNotFound, account)
	}
	opts, session, err := p.wa.BeginLogin(u, webauthn.WithUserVerification(protocol.UserVerificationRequirement(p.cfg.UserVerification)))
	if err != nil {
		return nil, webauthnErr(ErrWebAuthn, err)
	}
	if err := p.putCeremony(&ceremony{account: account, session: *session, expires: now.Add(WebAuthnCeremonyTTL), stepUp: bind}, now); err != nil {
		return nil, err
	}
	return opts, nil
}

// FinishLogin verifies an assertion answering a BeginLogin challenge (W3C WebAuthn §7.2 steps
// 5–24) and records the new signature counter and backup state. An assertion answering a
// BeginStepUp challenge is refused (ErrCeremonyNotFound): it counts only for its step-up.
func (p *Passkeys) FinishLogin(account string, response []byte, now time.Time) (PasskeyCredential, error) {
	return p.finishLogin(account, response, nil, now)
}

// finishLogin verifies an assertion whose ceremony must carry binding bind (nil: a plain login).
func (p *Passkeys) finishLogin(account string, response []byte, bind *stepUpBinding, now time.Time) (PasskeyCredential, error) {
	if len(response) == 0 || len(response) > MaxWebAuthnResponse {
		return PasskeyCredential{}, webauthnErr(ErrMalformedResponse, fmt.Errorf("response of %d bytes", len(response)))
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return PasskeyCredential{}, webauthnErr(ErrMalformedResponse, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.takeCeremony(parsed.Response.CollectedClientData.Challenge, account, false, now)
	if err != nil {
		return PasskeyCredential{}, err
	}
	if err := checkBinding(c.stepUp, bind); err != nil {
		return PasskeyCredential{}, err
	}
	u := p.users[account]
	if u == nil {
		return PasskeyCredential{}, webauthnErr(ErrUnknownCredential, nil)
	}
	idx := -1
	for i := range u.creds {
		if bytes.Equal(u.creds[i].ID, parsed.RawID) {
			idx = i
			break
		}
	}
	// §7.2 steps 6–7: the credential must belong to this account.
	if idx < 0 {
		return PasskeyCredential{}, webauthnErr(ErrUnknownCredential, nil)
	}
	auth := parsed.Response.AuthenticatorData
	if err := p.precheck(parsed.Response.CollectedClientData.Origin, auth); err != nil {
		return PasskeyCredential{}, err
	}
	stored := &u.creds[idx]
	// §6.3.3: backup eligibility is fixed when a credential is created; BS = 1 needs BE = 1.
	if auth.Flags.HasBackupEligible() != stored.Flags.BackupEligible {
		return PasskeyCredential{}, webauthnErr(ErrBackupFlags, errors.New("backup eligibility changed since registration"))
	}
	if auth.Flags.HasBackupState() && !auth.Flags.HasBackupEligible() {
		return PasskeyCredential{}, webauthnErr(ErrBackupFlags, errors.New("backup state set on a credential that is not backup eligible"))
	}
	session := c.session
	session.Expires = time.Time{}
	cred, err := p.wa.ValidateLogin(u, session, parsed)
	if err != nil {
		return PasskeyCredential{}, mapWebAuthnErr(err)
	}
	// §7.2 step 22 / §6.1.1: a counter that did not increase means two copies of the private key
	// may exist. go-webauthn only flags it; we refuse the login and keep the stored counter.
	if cred.Authenticator.CloneWarning {
		return PasskeyCredential{}, webauthnErr(ErrCounterRollback,
			fmt.Errorf("stored counter %d, authenticator sent %d", stored.Authenticator.SignCount, auth.Counter))
	}
	*stored = *cred
	u.used[idx] = now
	return summarize(account, stored, u.created[idx], now), nil
}

// checkBinding compares the step-up a login ceremony was begun for (have) with the one its
// assertion is submitted to (want); nil on either side means a plain login.
func checkBinding(have, want *stepUpBinding) error {
	switch {
	case have == nil && want == nil:
		return nil
	case have == nil:
		return webauthnErr(ErrCeremonyNotFound, errors.New("challenge was issued for a login, not for this step-up; begin it with BeginStepUp"))
	case want == nil:
		return webauthnErr(ErrCeremonyNotFound, errors.New("challenge was issued for a step-up; submit it to that step-up challenge"))
	case *have != *want:
		return webauthnErr(ErrCeremonyNotFound, errors.New("challenge was issued for another step-up challenge or transaction"))
	}
	return nil
}
