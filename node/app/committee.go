package app

import (
	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/veid"
)

// EvidenceCommittee is the standard Committee: an envelope identity (X-Wing by default) that opens
// evidence sealed to the committee. The evidence plaintext is veid's evidence bundle
// (veid.Evidence: document, selfie, face-video frames, claimed fields), never features: the
// validator extracts the features itself with Options.Extractor and scores them with composite-v2
// (FEATURES.md §3.6: a score computed on the capturing device is not trusted).
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

// CommitteeKey names this committee key (its recipient), so extractions started for one key are not
// reused for another (tests play several validators on one App).
func (c EvidenceCommittee) CommitteeKey() string {
	if c.ID == nil {
		return ""
	}
	return c.ID.Recipient().String()
}

// Model is the scoring model version, pinned in Params.IdentityModel.
func (EvidenceCommittee) Model() string { return veid.CompositeV2Version }
