package app

import (
	"github.com/virtengine/sdk/node/tx"
)

// grantable says which roles a holder of each role may grant and revoke (FEATURES.md §9.2): the
// genesis account may grant every role, administrators every role but administrator, moderators
// support and customer; the other roles grant nothing.
var grantable = map[string][]string{
	tx.RoleGenesis:       {tx.RoleAdministrator, tx.RoleValidator, tx.RoleModerator, tx.RoleProvider, tx.RoleSupport, tx.RoleCustomer},
	tx.RoleAdministrator: {tx.RoleValidator, tx.RoleModerator, tx.RoleProvider, tx.RoleSupport, tx.RoleCustomer},
	tx.RoleModerator:     {tx.RoleSupport, tx.RoleCustomer},
}

// CanGrant reports whether an account holding roles may grant role.
func CanGrant(roles []string, role string) bool {
	for _, r := range roles {
		for _, g := range grantable[r] {
			if g == role {
				return true
			}
		}
	}
	return false
}

// canSetState: administrators (and genesis) may set any state; moderators may suspend and reactivate.
func canSetState(a *Account, state string) bool {
	if a.HasRole(tx.RoleGenesis) || a.HasRole(tx.RoleAdministrator) {
		return true
	}
	return a.HasRole(tx.RoleModerator) && state != tx.StateTerminated
}

func init() {
	handle("roles/grant", func(c *execCtx, signer *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgGrantRole)
		if !CanGrant(signer.Roles, m.Role) {
			return txErr(ErrUnauthorized, "roles %v may not grant %q", signer.Roles, m.Role)
		}
		return updateAccount(c, m.Account, func(a *Account) error {
			a.addRole(m.Role)
			c.emit("role_granted", "account", a.Address.String(), "role", m.Role, "by", signer.Address.String())
			return nil
		})
	})
	handle("roles/revoke", func(c *execCtx, signer *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgRevokeRole)
		if !CanGrant(signer.Roles, m.Role) {
			return txErr(ErrUnauthorized, "roles %v may not revoke %q", signer.Roles, m.Role)
		}
		return updateAccount(c, m.Account, func(a *Account) error {
			if !a.HasRole(m.Role) {
				return txErr(ErrNotFound, "%s does not hold %q", a.Address, m.Role)
			}
			a.removeRole(m.Role)
			c.emit("role_revoked", "account", a.Address.String(), "role", m.Role)
			return nil
		})
	})
	handle("roles/set_state", func(c *execCtx, signer *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgSetAccountState)
		if !canSetState(signer, m.State) {
			return txErr(ErrUnauthorized, "roles %v may not set an account %s", signer.Roles, m.State)
		}
		if m.Account == signer.Address {
			return txErr(ErrUnauthorized, "an account cannot change its own state")
		}
		return updateAccount(c, m.Account, func(a *Account) error {
			if a.State == tx.StateTerminated {
				return txErr(ErrInvalidState, "%s is terminated", a.Address)
			}
			a.State = m.State
			c.emit("account_state", "account", a.Address.String(), "state", m.State)
			return nil
		})
	})
	// Factor changes: the first factor is free (bootstrap); adding another, replacing or removing
	// one is gated by the MFA policy (gate.go: key rotation, disable a factor), verified against the
	// factors registered before the change.
	handle("mfa/register_factor", func(c *execCtx, signer *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgRegisterFactor)
		if m.Kind == tx.FactorVEID { // refused by Validate too; kept so no path registers a veid key
			return txErr(ErrUnauthorized, "veid is your verified identity on chain, not a key: submit evidence with identity/submit")
		}
		return updateAccount(c, signer.Address, func(a *Account) error {
			if a.factor(m.ID) >= 0 {
				return txErr(ErrInvalidState, "factor %q already registered: replace it with mfa/replace_factor or choose another id", m.ID)
			}
			if len(a.Factors) >= maxFactors {
				return txErr(ErrInvalidState, "at most %d factors: remove one first (mfa/remove_factor)", maxFactors)
			}
			a.Factors = append(a.Factors, Factor{ID: m.ID, Kind: m.Kind, PubKey: m.PubKey})
			c.emit("factor_registered", "account", a.Address.String(), "kind", m.Kind)
			return nil
		})
	})
	handle("mfa/replace_factor", func(c *execCtx, signer *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgReplaceFactor)
		return updateAccount(c, signer.Address, func(a *Account) error {
			i := a.factor(m.ID)
			if i < 0 {
				return txErr(ErrNotFound, "no factor %q on %s: register it with mfa/register_factor", m.ID, a.Address)
			}
			a.Factors[i].PubKey = m.PubKey
			c.emit("factor_replaced", "account", a.Address.String(), "kind", a.Factors[i].Kind)
			return nil
		})
	})
	handle("mfa/remove_factor", func(c *execCtx, signer *Account, d *tx.Decoded) error {
		m := d.Msg.(*tx.MsgRemoveFactor)
		return updateAccount(c, signer.Address, func(a *Account) error {
			i := a.factor(m.ID)
			if i < 0 {
				return txErr(ErrNotFound, "no factor %q on %s", m.ID, a.Address)
			}
			kind := a.Factors[i].Kind
			a.Factors = append(a.Factors[:i], a.Factors[i+1:]...)
			if len(a.Factors) == 0 {
				a.Factors = nil
			}
			c.emit("factor_removed", "account", a.Address.String(), "kind", kind)
			return nil
		})
	})
}

// factor returns the index of the registered factor id, or -1.
func (a *Account) factor(id string) int {
	for i := range a.Factors {
		if a.Factors[i].ID == id {
			return i
		}
	}
	return -1
}

func updateAccount(c *execCtx, addr tx.Address, f func(*Account) error) error {
	a, err := getAccount(c.store, addr)
	if err != nil {
		return err
	}
	if a == nil {
		return txErr(ErrUnknownAccount, "%s", addr)
	}
	if err := f(a); err != nil {
		return err
	}
	return putAccount(c.store, a)
}
