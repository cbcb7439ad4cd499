package biometrics

// MatchResult compares the face of a probe (a selfie) with the face of a reference (a selfie or the
// portrait on an identity document).
type MatchResult struct {
	Comparison
	Probe     Face `json:"probe"`
	Reference Face `json:"reference"`
}

// MatchImages compares the subjects of two selfies (EmbedImage).
func (e *Engine) MatchImages(probe, reference []byte) (*MatchResult, error) {
	return e.match(probe, reference, Selfie)
}

// MatchDocument compares the subject of a selfie with the portrait of an identity document
// (EmbedDocument: the document's plausible, confident face, not merely its largest detection).
func (e *Engine) MatchDocument(selfie, document []byte) (*MatchResult, error) {
	return e.match(selfie, document, Document)
}

func (e *Engine) match(probe, reference []byte, kind CaptureKind) (*MatchResult, error) {
	a, err := e.embedImage("probe", probe, Selfie)
	if err != nil {
		return nil, err
	}
	b, err := e.embedImage("reference", reference, kind)
	if err != nil {
		return nil, err
	}
	c, err := Compare(a.Quantized, b.Quantized)
	if err != nil {
		return nil, err
	}
	return &MatchResult{Comparison: c, Probe: a.Face, Reference: b.Face}, nil
}
