package mfa

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// Persistence. The factor stores keep their state in memory; Export and Import move it to and from
// storage as JSON-ready values, accounts sorted so the same state always encodes the same way.
// Open ceremonies and pending codes are not exported: they expire within minutes anyway.

// PasskeyState is the persistent state of a Passkeys relying party.
type PasskeyState struct {
	Accounts []PasskeyAccount `json:"accounts"`
}

// PasskeyAccount is one account's user handle and credential records.
type PasskeyAccount struct {
	Account     string             `json:"account"`
	Handle      []byte             `json:"handle"`
	Credentials []StoredCredential `json:"credentials"`
}

// StoredCredential is a credential record (public key, counter, flags, attestation) with its dates.
type StoredCredential struct {
	Record     webauthn.Credential `json:"record"`
	CreatedAt  time.Time           `json:"created_at"`
	LastUsedAt time.Time           `json:"last_used_at"`
}

// Export returns the registered passkeys of every account.
func (p *Passkeys) Export() PasskeyState {
	p.mu.Lock()
	defer p.mu.Unlock()
	var st PasskeyState
	for _, u := range p.users {
		a := PasskeyAccount{Account: u.account, Handle: append([]byte(nil), u.handle...)}
		for i := range u.creds {
			a.Credentials = append(a.Credentials, StoredCredential{Record: u.creds[i], CreatedAt: u.created[i], LastUsedAt: u.used[i]})
		}
		st.Accounts = append(st.Accounts, a)
	}
	slices.SortFunc(st.Accounts, func(a, b PasskeyAccount) int { return strings.Compare(a.Account, b.Account) })
	return st
}

// Import replaces the registered passkeys with st. It refuses a state with a duplicated account,
// a credential ID used twice, or more than MaxFactorsPerAccount credentials on an account.
func (p *Passkeys) Import(st PasskeyState) error {
	users := map[string]*passkeyUser{}
	owners := map[string]string{}
	for _, a := range st.Accounts {
		if err := checkIDs(a.Account, ""); err != nil {
			return err
		}
		if users[a.Account] != nil {
			return invalid("account %q appears twice", a.Account)
		}
		if len(a.Handle) == 0 || len(a.Handle) > 64 { // §5.4.3: a user handle is 1–64 bytes
			return invalid("account %q: user handle of %d bytes", a.Account, len(a.Handle))
		}
		if len(a.Credentials) > MaxFactorsPerAccount {
			return fmt.Errorf("%w: account %q has %d passkeys", ErrFactorLimit, a.Account, len(a.Credentials))
		}
		u := &passkeyUser{account: a.Account, handle: append([]byte(nil), a.Handle...)}
		for _, c := range a.Credentials {
			if len(c.Record.ID) == 0 || len(c.Record.PublicKey) == 0 {
				return invalid("account %q: credential without ID or public key", a.Account)
			}
			if _, dup := owners[string(c.Record.ID)]; dup {
				return invalid("credential ID used twice")
			}
			owners[string(c.Record.ID)] = a.Account
			u.creds = append(u.creds, c.Record)
			u.created = append(u.created, c.CreatedAt)
			u.used = append(u.used, c.LastUsedAt)
		}
		users[a.Account] = u
	}
	p.mu.Lock()
	p.users, p.owners = users, owners
	p.mu.Unlock()
	return nil
}

// TOTPState is the persistent state of a TOTP store: each account's key and the last time step
// (or HOTP counter) it used, which keeps replay protection across restarts.
type TOTPState struct {
	Accounts []TOTPAccount `json:"accounts"`
}

// TOTPAccount is one account's key and replay state.
type TOTPAccount struct {
	Account  string `json:"account"`
	Key      OTPKey `json:"key"`
	LastStep uint64 `json:"last_step"`
	Used     bool   `json:"used"`
}

// Export returns every enrolled key with its replay state.
func (t *TOTP) Export() TOTPState {
	t.mu.Lock()
	defer t.mu.Unlock()
	var st TOTPState
	for acct, s := range t.keys {
		k := s.key
		k.Secret = append([]byte(nil), s.key.Secret...)
		st.Accounts = append(st.Accounts, TOTPAccount{Account: acct, Key: k, LastStep: s.lastStep, Used: s.used})
	}
	slices.SortFunc(st.Accounts, func(a, b TOTPAccount) int { return strings.Compare(a.Account, b.Account) })
	return st
}

// Import replaces the enrolled keys with st after validating each.
func (t *TOTP) Import(st TOTPState) error {
	keys := map[string]*otpState{}
	for _, a := range st.Accounts {
		if err := checkIDs(a.Account, ""); err != nil {
			return err
		}
		if keys[a.Account] != nil {
			return invalid("account %q appears twice", a.Account)
		}
		if err := a.Key.validate(); err != nil {
			return fmt.Errorf("account %q: %w", a.Account, err)
		}
		k := a.Key
		k.Secret = append([]byte(nil), a.Key.Secret...)
		keys[a.Account] = &otpState{key: k, lastStep: a.LastStep, used: a.Used}
	}
	t.mu.Lock()
	t.keys = keys
	t.mu.Unlock()
	return nil
}
