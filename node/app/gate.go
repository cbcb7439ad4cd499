package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/virtengine/sdk/mfa"
	"github.com/virtengine/sdk/node/tx"
)

// gatePolicy is the MFA table every validator applies (FEATURES.md §4.3); its version and hash are
// reported by the /params query so operators can check they agree, and Params.MFAPolicy pins the
// version a network was started with.
var gatePolicy = mfa.DefaultPolicy()

// sensitive maps a message to the policy's transaction type and value; ok is false for messages the
// policy does not gate. signer is the account as it was before the message ran.
func sensitive(signer *Account, d *tx.Decoded) (mfa.TxType, uint64, bool) {
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
	case *tx.MsgWithdraw:
		return mfa.TxWithdrawal, m.Amount, true
	case *tx.MsgRegisterFactor:
		// Bootstrap: the first factor is enrolled with the account key alone; every later one
		// changes what protects the account, so it needs the key-rotation step-up.
		if len(signer.Factors) == 0 {
			return "", 0, false
		}
		return mfa.TxKeyRotation, 0, true
	case *tx.MsgReplaceFactor:
		return mfa.TxKeyRotation, 0, true
	case *tx.MsgRemoveFactor:
		return mfa.TxDisableFactor, 0, true
	}
	if o, ok := d.Msg.(orderValued); ok {
		return mfa.TxOrder, o.OrderValue(), true
	}
	return "", 0, false
}

// orderValued is implemented by messages that create orders, so the order rule can gate them by value.
type orderValued interface{ OrderValue() uint64 }

// gate enforces MFA step-up on sensitive transactions: the signer must hold the policy's minimum
// identity score and pass every factor of one of the rule's factor sets, exactly as the table says
// (mfaCheck). The genesis account, the network's bootstrap authority, is exempt.
func gate(c *execCtx, signer *Account, d *tx.Decoded) error {
	typ, value, ok := sensitive(signer, d)
	if !ok || signer.HasRole(tx.RoleGenesis) {
		return nil
	}
	rule, err := policyRule(c, typ, value)
	if errors.Is(err, mfa.ErrNotRequired) {
		return nil
	}
	if err != nil {
		return err
	}
	return mfaCheck(c, signer, d, rule)
}

// policyRule looks up the rule for typ and value in the policy table pinned by the network.
func policyRule(c *execCtx, typ mfa.TxType, value uint64) (mfa.Rule, error) {
	p, err := getParams(c.store)
	if err != nil {
		return mfa.Rule{}, err
	}
	if p.MFAPolicy != "" && p.MFAPolicy != gatePolicy.Version {
		return mfa.Rule{}, txErr(ErrMFARequired, "the network pins MFA policy %q but this node applies %q: run a node release with that policy", p.MFAPolicy, gatePolicy.Version)
	}
	rule, err := gatePolicy.Lookup(typ, value)
	if err != nil && !errors.Is(err, mfa.ErrNotRequired) {
		return mfa.Rule{}, txErr(ErrMFARequired, "%v", err)
	}
	return rule, err
}

// mfaCheck refuses the transaction unless the signer meets rule: an identity score of at least
// rule.MinScore and every factor of one of rule.AnyOf passed (mfaPassed).
func mfaCheck(c *execCtx, signer *Account, d *tx.Decoded, rule mfa.Rule) error {
	score, err := identityScore(c, signer.Address)
	if err != nil {
		return err
	}
	if score < uint32(rule.MinScore) {
		return txErr(ErrMFARequired, "%s needs an identity score of at least %d (have %d): verify your identity first (identity/submit)", rule.Name, rule.MinScore, score)
	}
	passed, err := mfaPassed(c, signer, d)
	if err != nil {
		return err
	}
	if !rule.SatisfiedBy(passed, false) {
		return txErr(ErrMFARequired, "%s needs %s (passed: %s); veid is your verified identity on chain, the other factors are signatures of factor keys registered to %s (virtengine tx --factor ID=KEY)",
			rule.Name, describeSets(rule.AnyOf), describeFactors(passed), signer.Address)
	}
	return nil
}

// mfaPassed lists the factors the transaction passes: each factor signature verified against the
// signer's registered key (fido2, totp), and veid when the signer's own identity record, final by
// validator consensus, is verified and unexpired. A veid factor is never a key: one registered
// before keys of that kind were refused counts for nothing.
func mfaPassed(c *execCtx, signer *Account, d *tx.Decoded) ([]mfa.FactorType, error) {
	var out []mfa.FactorType
	for _, fs := range d.Factors {
		var f *Factor
		for i := range signer.Factors {
			if signer.Factors[i].ID == fs.Factor {
				f = &signer.Factors[i]
			}
		}
		if f == nil {
			return nil, txErr(ErrMFARequired, "factor %q is not registered to %s: sign with a registered factor (query /account/%s)", fs.Factor, signer.Address, signer.Address)
		}
		if err := d.VerifyFactor(f.PubKey, fs.Sig); err != nil {
			return nil, txErr(ErrMFARequired, "factor %q: %v: sign with the key registered under that id", fs.Factor, fmt.Errorf("%w", err))
		}
		switch f.Kind {
		case tx.FactorFIDO2, tx.FactorTOTP:
			out = append(out, mfa.FactorType(f.Kind))
		}
	}
	score, err := identityScore(c, signer.Address)
	if err != nil {
		return nil, err
	}
	if score > 0 { // verified by consensus and not expired (identityScore)
		out = append(out, mfa.FactorVEID)
	}
	return out, nil
}

func describeSets(sets []mfa.FactorSet) string {
	alts := make([]string, len(sets))
	for i, s := range sets {
		alts[i] = describeFactors(s)
	}
	return strings.Join(alts, " or ")
}

func describeFactors(fs []mfa.FactorType) string {
	if len(fs) == 0 {
		return "none"
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = string(f)
	}
	return strings.Join(parts, "+")
}
