package tx

func init() {
	register(func() Msg { return &MsgRegisterVK{} })
	register(func() Msg { return &MsgVerifyPresentation{} })
}

// MsgRegisterVK registers a zk verifying key under ID (governance: the genesis account or an
// administrator). AllowUnsafe admits keys from zk.SetupUnsafe, for devnets only.
type MsgRegisterVK struct {
	ID          string `cbor:"1,keyasint"`
	Key         []byte `cbor:"2,keyasint"` // zk.VerifyingKey.MarshalBinary
	AllowUnsafe bool   `cbor:"3,keyasint"`
}

func (*MsgRegisterVK) Type() string { return "zk/register_vk" }
func (m *MsgRegisterVK) Validate() error {
	if len(m.Key) == 0 {
		return fieldErr(ErrInvalidMsg, "key", "empty")
	}
	return needID("id", m.ID)
}

// MsgVerifyPresentation verifies a zk presentation in consensus against a registered key, at block
// time, with its nonce spent in the chain's state (a presentation verifies once).
type MsgVerifyPresentation struct {
	KeyID        string `cbor:"1,keyasint"`
	Request      []byte `cbor:"2,keyasint"` // zk.MarshalRequest
	Presentation []byte `cbor:"3,keyasint"` // zk.MarshalPresentation
}

func (*MsgVerifyPresentation) Type() string { return "zk/verify" }
func (m *MsgVerifyPresentation) Validate() error {
	if len(m.Request) == 0 || len(m.Presentation) == 0 {
		return fieldErr(ErrInvalidMsg, "presentation", "request and presentation required")
	}
	return needID("key_id", m.KeyID)
}
