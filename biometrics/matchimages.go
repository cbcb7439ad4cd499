package biometrics

// MatchResult compares the face of a probe (a selfie) with the face of a reference (a selfie or the
// portrait on an identity document).
type MatchResult struct {
	Comparison
	Probe     Face `json:"probe"`
	Reference Face `json:"reference"`
}

// MatchImages embeds the largest face of each image and compares them. For a document photo, the
// largest face is the portrait (a document may also carry a small ghost image).
func (e *Engine) MatchImages(probe, reference []byte) (*MatchResult, error) {
	a, err := e.EmbedImage("probe", probe)
	if err != nil {
		return nil, err
	}
	b, err := e.EmbedImage("reference", reference)
	if err != nil {
		return nil, err
	}
	c, err := Compare(a.Quantized, b.Quantized)
	if err != nil {
		return nil, err
	}
	return &MatchResult{Comparison: c, Probe: a.Face, Reference: b.Face}, nil
}
