package mfa

// DefaultPolicyVersion names the default table below. Change it whenever a row changes: nodes pin it.
const DefaultPolicyVersion = "mfa-policy-v1"

// Session lengths of the default table, in seconds (0 = single use).
const (
	sessionSingleUse = 0
	session15m       = 15 * 60
	session30m       = 30 * 60
	cooldown48h      = 48 * 60 * 60
)

var (
	veidFIDO2      = FactorSet{FactorVEID, FactorFIDO2}
	fido2OrTOTP    = []FactorSet{{FactorFIDO2}, {FactorTOTP}}
	recoverySets   = []FactorSet{{FactorVEID, FactorFIDO2, FactorSMS}, {FactorVEID, FactorFIDO2, FactorEmail}}
	veidFIDO2Sets  = []FactorSet{veidFIDO2}
	disableFactors = []FactorSet{{FactorVEID, FactorFIDO2, FactorTOTP}}
)

// DefaultPolicy returns a fresh copy of the default table of FEATURES.md §4.3:
//
//	transaction                 min score  factors                           session
//	account recovery            50         VEID + FIDO2 + (SMS or email)     single use
//	key rotation                50         VEID + FIDO2                      single use
//	account deletion            50         as recovery, 48 h cooldown        single use
//	disable a factor            50         VEID + FIDO2 + TOTP               single use
//	provider registration       70         VEID + FIDO2                      15 min
//	validator registration      85         VEID + FIDO2                      single use
//	role assignment             85         VEID + FIDO2                      single use
//	withdrawal > 10,000         70         VEID + FIDO2                      15 min
//	withdrawal 1,000–10,000     50         FIDO2 or TOTP                     15 min
//	order > 1,000               70         VEID + FIDO2                      30 min
//	transfer to a new address   50         FIDO2 or TOTP                     15 min
//	API key creation            50         FIDO2 or TOTP                     15 min
//	governance proposal         70         VEID + FIDO2                      15 min
//	governance vote             70         FIDO2 or TOTP                     30 min
//
// Withdrawals below 1,000 and orders up to 1,000 need no step-up (Lookup returns ErrNotRequired).
// Values are in the chain's base unit; ranges are inclusive.
func DefaultPolicy() *Policy {
	p := &Policy{
		Version: DefaultPolicyVersion,
		Rules: []Rule{
			{Tx: TxAccountRecovery, Name: "account recovery", MinScore: 50, AnyOf: recoverySets, SessionSeconds: sessionSingleUse},
			{Tx: TxKeyRotation, Name: "key rotation", MinScore: 50, AnyOf: veidFIDO2Sets, SessionSeconds: sessionSingleUse},
			{Tx: TxAccountDeletion, Name: "account deletion", MinScore: 50, AnyOf: recoverySets, SessionSeconds: sessionSingleUse, CooldownSeconds: cooldown48h},
			{Tx: TxDisableFactor, Name: "disable a factor", MinScore: 50, AnyOf: disableFactors, SessionSeconds: sessionSingleUse},
			{Tx: TxProviderRegistration, Name: "provider registration", MinScore: 70, AnyOf: veidFIDO2Sets, SessionSeconds: session15m},
			{Tx: TxValidatorRegistration, Name: "validator registration", MinScore: 85, AnyOf: veidFIDO2Sets, SessionSeconds: sessionSingleUse},
			{Tx: TxRoleAssignment, Name: "role assignment", MinScore: 85, AnyOf: veidFIDO2Sets, SessionSeconds: sessionSingleUse},
			{Tx: TxWithdrawal, Name: "withdrawal > 10,000", MinValue: 10_001, MinScore: 70, AnyOf: veidFIDO2Sets, SessionSeconds: session15m},
			{Tx: TxWithdrawal, Name: "withdrawal 1,000-10,000", MinValue: 1_000, MaxValue: 10_000, MinScore: 50, AnyOf: fido2OrTOTP, SessionSeconds: session15m},
			{Tx: TxOrder, Name: "order > 1,000", MinValue: 1_001, MinScore: 70, AnyOf: veidFIDO2Sets, SessionSeconds: session30m},
			{Tx: TxTransferNewAddress, Name: "transfer to a new address", MinScore: 50, AnyOf: fido2OrTOTP, SessionSeconds: session15m},
			{Tx: TxAPIKeyCreation, Name: "API key creation", MinScore: 50, AnyOf: fido2OrTOTP, SessionSeconds: session15m},
			{Tx: TxGovernanceProposal, Name: "governance proposal", MinScore: 70, AnyOf: veidFIDO2Sets, SessionSeconds: session15m},
			{Tx: TxGovernanceVote, Name: "governance vote", MinScore: 70, AnyOf: fido2OrTOTP, SessionSeconds: session30m},
		},
	}
	return p.Clone()
}
