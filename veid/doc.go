// Package veid is the identity core of VirtEngine: evidence scopes, capture binding, deterministic
// scoring, tiers, identity records, consensus helpers, web scopes and attestations.
//
// Most users want one of these flows:
//
//   - A capturing app builds a [Binding] for each upload, signs it with [SignUpload] (approved client
//     key, then the user's key over the client's signature) and sends the [Upload] bytes.
//   - A validator checks uploads with [Verifier.Verify] (client registry, salt rules, replay cache,
//     clock limits), turns evidence into integer [Features] and scores them with [CompositeV2]
//     ([Score] is the shortcut). [Tally] finalizes a score when validators holding more than 2/3 of
//     the voting power agree on score and input hash.
//   - After a pass, [IssueVC] issues a W3C Verifiable Credential 2.0 with an eddsa-jcs-2022 Data
//     Integrity proof, verified by [VerifyVC]; [IssueZKCredential] issues the zero-knowledge
//     credential of package zk.
//
// Everything that validators run in consensus is deterministic: integers in basis points
// (10000 = 100%), explicit byte encodings, no floats, no map order, and time passed in by the caller.
//
// The package is cgo-free and does not import net/http: biometric features arrive as plain integers
// (see [Features]), and the HTTPS well-known check and OIDC live in veid/veidhttp. The exact bytes of
// the capture binding are specified in PROTOCOL.md beside this file.
package veid
