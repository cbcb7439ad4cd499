package app

import (
	"errors"
	"fmt"

	"github.com/virtengine/sdk/mfa"
	"github.com/virtengine/sdk/node/tx"
)

// gatePolicy is the MFA table every validator applies (FEATURES.md §4.3); its version and hash are
// reported by the /params query so operators can check they agree.
var gatePolicy = mfa.DefaultPolicy()

// sensitive maps a message to the policy's transaction type and value; ok is false for messages the
// policy does not gate.
func sensitive(c *execCtx, signer *Account, d *tx.Decoded) (mfa.TxType, uint64, bool) {
	switch m := d.Msg.(type) {
	case *tx.MsgGrantRole:
		switch m.Role {
		case tx.RoleValidator:
			return mfa.TxValidatorRegistration, 0, true
		case tx.RoleProvider:
			return mfa.TxProviderRegistration, 0, true
		}
		return mfa.TxRoleAssignment, 0, true
	case *tx.MsgSend:
		return mfa.TxWithdrawal, m.Amount, true
	}
	if o, ok := d.Msg.(orderValued); ok {
		return mfa.TxOrder, o.OrderValue(), true
	}
	return "", 0, false
}

// orderValued is implemented by messages that create orders, so the order rule can gate them by value.
type orderValued interface{ OrderValue() uint64 }

// gate enforces MFA step-up on sensitive transactions: the signer must hold the policy's minimum
// identity score and the transaction must carry signatures from registered factors satisfying one of
// the rule's factor sets. The genesis account, the network's bootstrap authority, is exempt.
func gate(c *execCtx, signer *Account, d *tx.Decoded) error {
	typ, value, ok := sensitive(c, signer, d)
	if !ok || signer.HasRole(tx.RoleGenesis) {
		return nil
	}
	rule, err := gatePolicy.Lookup(typ, value)
	if errors.Is(err, mfa.ErrNotRequired) {
		return nil
	}
	if err != nil {
		return txErr(ErrMFARequired, "%v", err)
	}
	score, err := identityScore(c, signer.Address)
	if err != nil {
		return err
	}
	if score < uint32(rule.MinScore) {
		return txErr(ErrMFARequired, "%s needs an identity score of at least %d (have %d): verify your identity first", rule.Name, rule.MinScore, score)
	}
	passed, err := passedFactors(signer, d)
	if err != nil {
		return err
	}
	if !rule.SatisfiedBy(passed, false) {
		return txErr(ErrMFARequired, "%s needs factors %v; sign with registered factor keys (virtengine tx --factor)", rule.Name, rule.AnyOf)
	}
	return nil
}

// passedFactors verifies each factor signature against the signer's registered keys.
func passedFactors(signer *Account, d *tx.Decoded) ([]mfa.FactorType, error) {
	var out []mfa.FactorType
	for _, fs := range d.Factors {
		var f *Factor
		for i := range signer.Factors {
			if signer.Factors[i].ID == fs.Factor {
				f = &signer.Factors[i]
			}
		}
		if f == nil {
			return nil, txErr(ErrMFARequired, "factor %q is not registered to %s", fs.Factor, signer.Address)
		}
		if err := d.VerifyFactor(f.PubKey, fs.Sig); err != nil {
			return nil, txErr(ErrMFARequired, "factor %q: %v", fs.Factor, fmt.Errorf("%w", err))
		}
		out = append(out, mfa.FactorType(f.Kind))
	}
	return out, nil
}
