package mfa

import (
	"fmt"
	"io"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// PasskeyCredential describes a registered credential. Record is go-webauthn's credential record
// (public key, counter, flags, attestation) for storage.
type PasskeyCredential struct {
	Account           string              `json:"account"`
	ID                []byte              `json:"id"`
	AttestationFormat string              `json:"attestation_format"`
	AAGUID            []byte              `json:"aaguid"`
	SignCount         uint32              `json:"sign_count"`
	UserVerified      bool                `json:"user_verified"`
	BackupEligible    bool                `json:"backup_eligible"`
	BackupState       bool                `json:"backup_state"`
	CreatedAt         time.Time           `json:"created_at"`
	LastUsedAt        time.Time           `json:"last_used_at"`
	Record            webauthn.Credential `json:"-"` // marshal it yourself to store it; never sent to clients
}

func summarize(account string, c *webauthn.Credential, created, used time.Time) PasskeyCredential {
	return PasskeyCredential{
		Account: account, ID: append([]byte(nil), c.ID...), AttestationFormat: c.AttestationFormat,
		AAGUID: append([]byte(nil), c.Authenticator.AAGUID...), SignCount: c.Authenticator.SignCount,
		UserVerified: c.Flags.UserVerified, BackupEligible: c.Flags.BackupEligible, BackupState: c.Flags.BackupState,
		CreatedAt: created, LastUsedAt: used, Record: *c,
	}
}

// Credentials lists the passkeys of account in registration order.
func (p *Passkeys) Credentials(account string) []PasskeyCredential {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.users[account]
	if u == nil {
		return nil
	}
	out := make([]PasskeyCredential, len(u.creds))
	for i := range u.creds {
		out[i] = summarize(account, &u.creds[i], u.created[i], u.used[i])
	}
	return out
}

// RemoveCredential deletes one passkey of a store no Registry drives. A store driven by a Registry
// refuses it (ErrInvalidInput): Registry.Remove and Registry.Replace remove the credential after the
// step-up of FEATURES.md §4.5.
func (p *Passkeys) RemoveCredential(account string, id []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.registry != nil {
		return errManaged(FactorFIDO2)
	}
	return p.removeLocked(account, id)
}

// drop removes a credential for the registry; it is gone, so its assertions no longer verify.
func (p *Passkeys) drop(account string, id []byte) {
	p.mu.Lock()
	p.removeLocked(account, id)
	p.mu.Unlock()
}

// manage hands the store to r and returns each account's credentials (sorted by account) for r to
// record.
func (p *Passkeys) manage(r *Registry) (map[string][]PasskeyCredential, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.registry != nil && p.registry != r {
		return nil, invalid("the passkey store is already driven by another Registry")
	}
	p.registry = r
	out := map[string][]PasskeyCredential{}
	for acct, u := range p.users {
		for i := range u.creds {
			out[acct] = append(out[acct], summarize(acct, &u.creds[i], u.created[i], u.used[i]))
		}
	}
	return out, nil
}

// removeLocked deletes one credential. Called with p.mu held.
func (p *Passkeys) removeLocked(account string, id []byte) error {
	u := p.users[account]
	if u == nil {
		return ErrFactorNotFound
	}
	for i := range u.creds {
		if string(u.creds[i].ID) == string(id) {
			u.creds = append(u.creds[:i], u.creds[i+1:]...)
			u.created = append(u.created[:i], u.created[i+1:]...)
			u.used = append(u.used[:i], u.used[i+1:]...)
			delete(p.owners, string(id))
			return nil
		}
	}
	return ErrFactorNotFound
}

// passkeyUser is the webauthn.User of an account: a random user handle (never the account name, so
// the authenticator stores no identifier, §14.6.1) and its credentials.
type passkeyUser struct {
	account string
	handle  []byte
	creds   []webauthn.Credential
	created []time.Time
	used    []time.Time
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.handle }
func (u *passkeyUser) WebAuthnName() string                       { return u.account }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.account }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// user returns the account's user, or a new one with a fresh handle that is stored only once its
// first credential registers (so registrations begun and abandoned leave nothing behind). Called
// with p.mu held.
func (p *Passkeys) user(account string) (*passkeyUser, error) {
	if u := p.users[account]; u != nil {
		return u, nil
	}
	h := make([]byte, 32)
	if _, err := io.ReadFull(p.cfg.Rand, h); err != nil {
		return nil, fmt.Errorf("mfa: read user handle: %w", err)
	}
	return &passkeyUser{account: account, handle: h}, nil
}

// putCeremony stores a ceremony under its challenge, pruning expired ones. Called with p.mu held.
func (p *Passkeys) putCeremony(c *ceremony, now time.Time) error {
	if len(p.ceremonies) >= MaxOpenCeremonies {
		for k, v := range p.ceremonies { // order does not matter: every expired entry goes
			if !now.Before(v.expires) {
				delete(p.ceremonies, k)
			}
		}
		if len(p.ceremonies) >= MaxOpenCeremonies {
			return fmt.Errorf("%w: %d webauthn ceremonies open", ErrTooManyChallenges, len(p.ceremonies))
		}
	}
	p.ceremonies[c.session.Challenge] = c
	return nil
}

// takeCeremony removes and returns the ceremony of challenge: a challenge answers once, whatever
// the outcome (§13.4.3). Called with p.mu held.
func (p *Passkeys) takeCeremony(challenge, account string, create bool, now time.Time) (*ceremony, error) {
	c := p.ceremonies[challenge]
	if c == nil {
		return nil, webauthnErr(ErrCeremonyNotFound, nil)
	}
	delete(p.ceremonies, challenge)
	if c.account != account || c.create != create {
		return nil, webauthnErr(ErrCeremonyNotFound, fmt.Errorf("challenge was issued for another account or ceremony"))
	}
	if !now.Before(c.expires) {
		return nil, webauthnErr(ErrCeremonyNotFound, fmt.Errorf("challenge expired at %s", c.expires.UTC().Format(time.RFC3339)))
	}
	return c, nil
}
