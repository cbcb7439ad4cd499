package tx

// Roles of FEATURES.md §9.2. Who may grant which role is decided by the node (node/app/roles.go).
const (
	RoleGenesis       = "genesis"
	RoleAdministrator = "administrator"
	RoleValidator     = "validator"
	RoleModerator     = "moderator"
	RoleProvider      = "provider"
	RoleSupport       = "support"
	RoleCustomer      = "customer"
)

// Account states.
const (
	StateActive     = "active"
	StateSuspended  = "suspended"
	StateTerminated = "terminated"
)

// KnownRole reports whether r is one of the roles above.
func KnownRole(r string) bool {
	switch r {
	case RoleGenesis, RoleAdministrator, RoleValidator, RoleModerator, RoleProvider, RoleSupport, RoleCustomer:
		return true
	}
	return false
}

func init() {
	register(func() Msg { return &MsgGrantRole{} })
	register(func() Msg { return &MsgRevokeRole{} })
	register(func() Msg { return &MsgSetAccountState{} })
}

// MsgGrantRole gives Role to Account.
type MsgGrantRole struct {
	Account Address `cbor:"1,keyasint"`
	Role    string  `cbor:"2,keyasint"`
}

func (*MsgGrantRole) Type() string { return "roles/grant" }

func (m *MsgGrantRole) Validate() error { return validateRole(m.Account, m.Role) }

// MsgRevokeRole removes Role from Account.
type MsgRevokeRole struct {
	Account Address `cbor:"1,keyasint"`
	Role    string  `cbor:"2,keyasint"`
}

func (*MsgRevokeRole) Type() string { return "roles/revoke" }

func (m *MsgRevokeRole) Validate() error { return validateRole(m.Account, m.Role) }

func validateRole(a Address, r string) error {
	if a.IsZero() {
		return fieldErr(ErrInvalidMsg, "account", "zero address")
	}
	if !KnownRole(r) || r == RoleGenesis {
		return fieldErr(ErrInvalidMsg, "role", "unknown or not grantable role")
	}
	return nil
}

// MsgSetAccountState suspends, reactivates or terminates an account.
type MsgSetAccountState struct {
	Account Address `cbor:"1,keyasint"`
	State   string  `cbor:"2,keyasint"`
}

func (*MsgSetAccountState) Type() string { return "roles/set_state" }

func (m *MsgSetAccountState) Validate() error {
	if m.Account.IsZero() {
		return fieldErr(ErrInvalidMsg, "account", "zero address")
	}
	switch m.State {
	case StateActive, StateSuspended, StateTerminated:
		return nil
	}
	return fieldErr(ErrInvalidMsg, "state", "active, suspended or terminated")
}
