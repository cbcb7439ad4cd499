package mfa

import "time"

// FactorFunc adapts a check done elsewhere into a Factor: a VEID face re-check by the identity
// module, a hardware key verified by another service. Check must return nil only on success.
type FactorFunc struct {
	Kind  FactorType
	Check func(account string, response []byte, now time.Time) error
}

// Type implements Factor.
func (f FactorFunc) Type() FactorType { return f.Kind }

// Verify implements Factor.
func (f FactorFunc) Verify(account string, response []byte, now time.Time) error {
	if f.Check == nil {
		return invalid("factor %s has no check", f.Kind)
	}
	return f.Check(account, response, now)
}
