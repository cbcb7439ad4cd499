// Package app is VirtEngine's ABCI 2.0 application: accounts and roles, identity scoring by validator
// consensus, zk proofs, MFA gating, market, settlement and HPC, as deterministic state machines over
// one key-value store. Most users never call it directly: package node embeds it in CometBFT.
//
// # Execution
//
// CheckTx admits a transaction after the checks of FinalizeBlock plus a dry run of its message
// against the mempool's view. FinalizeBlock runs each transaction in a cache: the ante step
// (signature, chain id, account number, sequence, account state, fee) always sticks; the message's
// writes stick only if it succeeds. End of block: identity requests expire, fees go to the
// validators that signed, unprovisioned orders are cancelled, settlements past their dispute window
// are paid, and the validator pool is paid by contribution.
//
// # Identity by consensus (FEATURES.md §3.6)
//
// Evidence arrives as an envelope sealed to every validator's committee key; its plaintext is veid's
// evidence bundle (document, selfie, face-video frames, claimed fields), never device-computed
// features. When the block holding it is committed, each validator opens it and extracts the
// features itself (Options.Extractor: the biometrics models in a node) in a goroutine, at the
// evaluation time of that block (EvaluationTime), then scores them with veid's integer model; it
// abstains, and logs why, if its model or model files differ from the pinned parameters
// (Params.IdentityModel, Params.ModelHashes). ExtendVote puts the votes of finished extractions in
// the vote extension, waiting at most Options.VoteWait for one in progress (extract.go);
// VerifyVoteExtension accepts well-formed votes on requests pending in the committed state only.
// The next proposer puts the signed extensions first in its block (a tally, checked in
// ProcessProposal against the validators' keys), and FinalizeBlock makes a score final when one
// (score, input hash) holds more than 2/3 of the total voting power; other votes are recorded as
// dissent. Evidence leaves the state once scored.
//
// # MFA gating (FEATURES.md §4.3)
//
// Sensitive transactions (gate.go) must meet their rule of mfa.DefaultPolicy, whose version
// Params.MFAPolicy pins: the signer's identity score and every factor of one factor set. fido2 and
// totp are registered keys whose signatures travel in the transaction; veid is the signer's own
// identity record, final by consensus, never a key. The first factor is enrolled freely; adding,
// replacing (key rotation) or removing (disable a factor) one afterwards is gated, against the
// factors held before the change. Offerings that require MFA ask for the policy's order rule.
//
// # State and app hash
//
// Keys are prefixed by module (a/ accounts, id/ identity, m/ market and settlement, j/ jobs, zk/
// proofs, v/ validators, s/ singletons); values are canonical CBOR. The app hash is
// SHA-256("virtengine/apphash/v2" || height || SHA-256(LtHash(state))), an incremental homomorphic
// digest of the whole state (lthash.go), so state-sync snapshots are verified against it. The
// block's writes, the height, the app hash and the digest are committed in one synced batch: a
// kill at any moment leaves the previous or the new state, and CometBFT replays what is missing.
//
// Determinism: block time only, integers only, no map order reaches the state (every loop over a
// map sorts its keys first).
package app
