package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/biometrics/features"
	"github.com/virtengine/sdk/veid"
)

// ExtractorVersion names this mapping from biometrics features to veid features; the full version
// adds the biometrics features version and the engine's model hash.
const ExtractorVersion = "demo-extractor-v3"

// Names of the evidence items the capture app puts in the bundle.
const (
	itemDocument = "document.jpg"
	itemClaimed  = "claimed.json" // the fields the person typed (biometrics.ClaimedFields)
	itemSelfie   = "selfie.jpg"
)

// AccountSignals are the features the network computes from the account's on-chain state (every
// validator reads the same state), not from the evidence.
type AccountSignals struct {
	History uint32 // basis points
	Risk    uint32 // basis points
}

// BioExtractor is a veid.Extractor over biometrics.Engine.Evidence, the validator entry point of
// package biometrics: document validity and consistency from the MRZ, document portrait vs selfie,
// passive liveness and the head turn of the face-video frames. BlockTime is the only clock (it
// decides whether the document has expired); Challenge is the head turn the session asked for.
type BioExtractor struct {
	Engine    *biometrics.Engine
	Account   AccountSignals
	BlockTime time.Time
	Challenge biometrics.Challenge
}

// Version implements veid.Extractor: this mapping, the biometrics features version and the sha256
// of every model file, as the network parameters pin it (FEATURES.md §3.6).
func (b *BioExtractor) Version() string {
	return ExtractorVersion + "+" + features.Version + "+" + b.Engine.ModelHash()
}

// Extract implements veid.Extractor. It copies the consensus levels of the biometrics features
// (features package documentation: face match, liveness, document validity, consistency), never the
// measurements (similarity, live probability, head turn) or the embedding, which differ slightly
// from one CPU to another. The biometric reason codes (SPOOF_SUSPECTED, NO_MOTION, …) stay with the
// biometrics result; scoring sees the integers.
func (b *BioExtractor) Extract(ctx context.Context, ev *veid.Evidence) (veid.Features, error) {
	f, _, err := b.ExtractDocument(ctx, ev)
	return f, err
}

// ExtractDocument is Extract that also returns what the document's machine-readable zone says
// (birth date, nationality, expiry) when its check digits passed; nil otherwise.
func (b *BioExtractor) ExtractDocument(_ context.Context, ev *veid.Evidence) (veid.Features, *features.Document, error) {
	f, bf, err := b.extract(ev)
	if bf == nil {
		return f, nil, err
	}
	return f, bf.Document, err
}

func (b *BioExtractor) extract(ev *veid.Evidence) (veid.Features, *features.Features, error) {
	in := biometrics.EvidenceInput{Challenge: b.Challenge, Now: b.BlockTime}
	for _, it := range ev.Items {
		switch {
		case it.Kind == veid.KindIDDocument && it.Name == itemDocument:
			in.Document = it.Data
		case it.Kind == veid.KindIDDocument && it.Name == itemClaimed:
			if err := json.Unmarshal(it.Data, &in.Claimed); err != nil {
				return veid.Features{}, nil, fmt.Errorf("claimed fields: %w", err)
			}
		case it.Kind == veid.KindSelfie:
			in.Selfie = it.Data
		case it.Kind == veid.KindFaceVideo:
			in.Frames = append(in.Frames, it.Data)
		}
	}
	f := veid.Features{HasDocument: in.Document != nil, HasSelfie: in.Selfie != nil, History: b.Account.History, Risk: b.Account.Risk}
	if !f.HasSelfie {
		return f, nil, nil
	}
	bf, err := b.Engine.Evidence(in)
	if err != nil {
		return f, nil, fmt.Errorf("biometrics: %w", err)
	}
	f.Document, f.FaceMatch, f.Liveness, f.Consistency = bf.DocumentValidityBP, bf.FaceMatchBP, bf.LivenessBP, bf.ConsistencyBP
	return f, bf, nil
}
