package tx

func init() {
	register(func() Msg { return &MsgRegisterFactor{} })
	register(func() Msg { return &MsgReplaceFactor{} })
	register(func() Msg { return &MsgRemoveFactor{} })
}

// Factor kinds (FEATURES.md §4.1). Only fido2 and totp are keys an account registers (their level
// decides which policies they satisfy: fido2 high, totp medium). FactorVEID names the identity
// factor of the MFA policy: it is never registered and never signs; the node counts it as passed
// when the signer's own identity record, final by validator consensus, is verified and unexpired.
const (
	FactorFIDO2 = "fido2"
	FactorVEID  = "veid"
	FactorTOTP  = "totp"
)

// MsgRegisterFactor registers a second-factor public key for the signer. The key signs the same sign
// bytes as the account key (an authenticator's or a companion device's key). The account's first
// factor is enrolled freely; once it has any, adding one needs the MFA policy's key-rotation step-up.
type MsgRegisterFactor struct {
	ID     string `cbor:"1,keyasint"`
	Kind   string `cbor:"2,keyasint"`
	PubKey PubKey `cbor:"3,keyasint"`
}

func (*MsgRegisterFactor) Type() string { return "mfa/register_factor" }

func (m *MsgRegisterFactor) Validate() error {
	if err := validFactorID(m.ID); err != nil {
		return err
	}
	switch m.Kind {
	case FactorFIDO2, FactorTOTP:
	case FactorVEID:
		return fieldErr(ErrInvalidMsg, "kind", "veid is not a registrable key: it is your account's verified identity on chain (submit evidence with identity/submit); register fido2 or totp")
	default:
		return fieldErr(ErrInvalidMsg, "kind", "fido2 or totp")
	}
	if _, err := m.PubKey.comet(); err != nil {
		return fieldErr(ErrInvalidMsg, "pubkey", err.Error())
	}
	return nil
}

// MsgReplaceFactor replaces the public key of the signer's registered factor ID (same id, same
// kind), e.g. a new authenticator. It needs the MFA policy's key-rotation step-up, signed by the
// factors registered before the change.
type MsgReplaceFactor struct {
	ID     string `cbor:"1,keyasint"`
	PubKey PubKey `cbor:"2,keyasint"`
}

func (*MsgReplaceFactor) Type() string { return "mfa/replace_factor" }

func (m *MsgReplaceFactor) Validate() error {
	if err := validFactorID(m.ID); err != nil {
		return err
	}
	if _, err := m.PubKey.comet(); err != nil {
		return fieldErr(ErrInvalidMsg, "pubkey", err.Error())
	}
	return nil
}

// MsgRemoveFactor removes the signer's registered factor ID. It needs the MFA policy's
// disable-a-factor step-up, signed by the factors registered before the change.
type MsgRemoveFactor struct {
	ID string `cbor:"1,keyasint"`
}

func (*MsgRemoveFactor) Type() string { return "mfa/remove_factor" }

func (m *MsgRemoveFactor) Validate() error { return validFactorID(m.ID) }

func validFactorID(id string) error {
	if id == "" || len(id) > MaxTypeLen {
		return fieldErr(ErrInvalidMsg, "id", "1 to 64 bytes")
	}
	return nil
}
