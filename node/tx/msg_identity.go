package tx

func init() {
	register(func() Msg { return &MsgSubmitEvidence{} })
}

// MsgSubmitEvidence submits identity evidence for scoring: an envelope sealed to the identity
// committee's keys (every validator), never plaintext. The validators open it in their vote
// extensions and the score is final when more than 2/3 of voting power agree.
type MsgSubmitEvidence struct {
	Envelope []byte `cbor:"1,keyasint"`
}

func (*MsgSubmitEvidence) Type() string { return "identity/submit" }

func (m *MsgSubmitEvidence) Validate() error {
	if len(m.Envelope) == 0 {
		return fieldErr(ErrInvalidMsg, "envelope", "empty")
	}
	return nil
}
