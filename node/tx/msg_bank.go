package tx

func init() {
	register(func() Msg { return &MsgSend{} })
}

// MsgSend moves Amount of Denom from the signer to To; To's account is created if it is new.
type MsgSend struct {
	To     Address `cbor:"1,keyasint"`
	Amount uint64  `cbor:"2,keyasint"`
}

func (*MsgSend) Type() string { return "bank/send" }

func (m *MsgSend) Validate() error {
	if m.To.IsZero() {
		return fieldErr(ErrInvalidMsg, "to", "zero address")
	}
	if m.Amount == 0 {
		return fieldErr(ErrInvalidMsg, "amount", "must be positive")
	}
	return nil
}
