// Package veid is the identity core of VirtEngine: evidence scopes, capture binding, deterministic
// scoring, tiers, identity records, consensus helpers, web scopes and attestations.
//
// Most users want one of these flows:
//
//   - A capturing app seals the evidence to the validators ([SealEvidence]), builds a [Binding] with
//     a fresh salt ([NewSalt]) and signs the upload with [SignUpload]: the approved client key, then
//     the user's key over the client's signature. The bytes are [Upload.MarshalBinary].
//   - The network checks an upload with [ParseUpload] and [Verifier.Verify]: client registry with
//     key rotation ([ClientRegistry]), salt rules, replay cache ([ReplayCache]), clock limits.
//   - Each validator runs [ScoreEvidence]: open the envelope, extract integer [Features] with an
//     [Extractor] (the biometrics pipeline), score with [CompositeV2] ([Score] is the shortcut),
//     sign a [Vote]. [Tally] finalizes when more than 2/3 of the voting power agree on score and
//     input hash, and names the dissenters.
//   - The record ([Record], [Record.ApplyResult]) moves through an explicit transition table;
//     [TierFor] and [RequirementFor] say what the identity may do.
//   - After a pass, [IssueVC] issues a W3C Verifiable Credential 2.0 with an eddsa-jcs-2022 Data
//     Integrity proof ([VerifyVC] checks it; [Canonicalize] is RFC 8785 JCS), and
//     [IssueZKCredential] issues the zero-knowledge credential of package zk.
//   - Web scopes: [OTP] for email and SMS codes ([SMTPSender] sends email), [VerifyDomainTXT] for
//     DNS; the HTTPS well-known file and OpenID Connect are in veid/veidhttp.
//   - Scope evidence is accepted ([Scopes.Add]) only as a named envelope sealed to every recipient
//     key of the network the store was made with ([NewScopes], [NetworkKeyIDs],
//     [CheckEvidenceRecipients]).
//   - The person's [Wallet] binds a key ([BindWallet]) and grants or revokes consent per scope
//     ([ConsentChange]); revoking rewraps the evidence away from the network ([NetworkAccess]).
//
// Everything that validators run in consensus is deterministic: integers in basis points
// (10000 = 100%), explicit byte encodings, no floats, no map order, and time passed in by the caller.
// Limits are named constants in limits.go; errors are sentinels wrapped in *Error with a stable Code.
//
// The package is cgo-free and does not import net/http: biometric features arrive as plain integers.
// The exact bytes of the capture binding, the evidence bundle, votes and consent messages are
// specified in PROTOCOL.md beside this file, with test vectors in testdata/.
package veid
