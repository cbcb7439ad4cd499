package app

// Limits and fixed parameters of the state machine, with the reason for each. Values every validator
// must agree on are consensus rules: changing one is a network upgrade.
const (
	// maxSigCache bounds the node-local cache of signatures CheckTx verified (64 Ki hashes, 2 MiB).
	maxSigCache = 1 << 16
	// maxPendingScan bounds the identity requests a block's votes and expiry look at, so a flood of
	// submissions cannot make ExtendVote or FinalizeBlock unbounded; the rest wait their turn.
	maxPendingScan = 64
	// maxVotesPerExtension bounds what VerifyVoteExtension accepts: one vote per scanned request.
	maxVotesPerExtension = maxPendingScan
	// attestationValidity is how long a biometric attestation is valid (FEATURES.md §3.8: 30 days).
	attestationValidity = 30 * 24 * 3600
	// minJobScore is FEATURES.md §8.2: submitting an HPC job needs an identity score of at least 50.
	minJobScore = 50
	// maxFactors bounds the second-factor keys of one account.
	maxFactors = 16
	// rewardInterval: the validator fee pool is paid out every 10 blocks.
	rewardInterval = 10
	// snapshotChunkBytes bounds a state-sync chunk (CometBFT's own limit is 16 MiB).
	snapshotChunkBytes = 1 << 20
	// snapshotsKept is how many recent snapshots a node serves.
	snapshotsKept = 2
	// defaultSnapInterval: a snapshot every 100 blocks unless Options.SnapshotInterval says otherwise.
	defaultSnapInterval = 100
)
