package app

import (
	"encoding/json"
	"fmt"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/veid"
)

// EvidenceCommittee is the standard Committee: an envelope identity (X-Wing by default) that opens
// evidence sealed to the committee, and veid's composite-v2 integer scoring of the features inside.
// The evidence plaintext is the JSON of veid.Features, produced on the capturing device by the
// biometrics pipeline (FEATURES.md §5.6: features, never raw images, reach scoring).
type EvidenceCommittee struct {
	ID *envelope.HPKEIdentity
	// Files are the sha256 (hex) of the model files this validator runs (its biometrics models);
	// compared with the network's pinned Params.ModelHashes.
	Files []string
}

// ModelHashes returns Files.
func (c EvidenceCommittee) ModelHashes() []string { return c.Files }

// Open decrypts and authenticates an evidence envelope.
func (c EvidenceCommittee) Open(env []byte) ([]byte, error) {
	pt, _, err := envelope.Open(env, c.ID, nil)
	return pt, err
}

// Score runs composite-v2 on the features in the evidence.
func (c EvidenceCommittee) Score(evidence []byte) (uint32, [32]byte, int, bool, error) {
	var f veid.Features
	if err := json.Unmarshal(evidence, &f); err != nil {
		return 0, [32]byte{}, 0, false, fmt.Errorf("evidence is not veid features: %w", err)
	}
	r, err := veid.Score(f)
	if err != nil {
		return 0, [32]byte{}, 0, false, err
	}
	return uint32(r.Score), r.InputHash, int(veid.TierFor(r.Score, r.Passed)), r.Passed, nil
}

// Model is the scoring model version, pinned in Params.IdentityModel.
func (EvidenceCommittee) Model() string { return veid.CompositeV2Version }
