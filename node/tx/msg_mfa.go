package tx

func init() {
	register(func() Msg { return &MsgRegisterFactor{} })
}

// Factor kinds a key-based factor may declare (FEATURES.md §4.1). Their level decides which policies
// they satisfy: fido2 and veid are high, totp medium.
const (
	FactorFIDO2 = "fido2"
	FactorVEID  = "veid"
	FactorTOTP  = "totp"
)

// MsgRegisterFactor registers a second-factor public key for the signer. The key signs the same sign
// bytes as the account key (an authenticator's or a companion device's key).
type MsgRegisterFactor struct {
	ID     string `cbor:"1,keyasint"`
	Kind   string `cbor:"2,keyasint"`
	PubKey PubKey `cbor:"3,keyasint"`
}

func (*MsgRegisterFactor) Type() string { return "mfa/register_factor" }

func (m *MsgRegisterFactor) Validate() error {
	if m.ID == "" || len(m.ID) > MaxTypeLen {
		return fieldErr(ErrInvalidMsg, "id", "1 to 64 bytes")
	}
	switch m.Kind {
	case FactorFIDO2, FactorVEID, FactorTOTP:
	default:
		return fieldErr(ErrInvalidMsg, "kind", "fido2, veid or totp")
	}
	if _, err := m.PubKey.comet(); err != nil {
		return fieldErr(ErrInvalidMsg, "pubkey", err.Error())
	}
	return nil
}
