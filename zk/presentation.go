package zk

import (
	"encoding/json"
	"fmt"
)

// DisclosedAttribute is one attribute revealed in a presentation.
type DisclosedAttribute struct {
	Name  string `json:"name"`
	Value Scalar `json:"value"` // the attribute as a field element (integers big-endian)
}

// Presentation is the holder's answer to a Request: a proof and its public inputs, plus the values
// the verifier needs in the clear. It is plain JSON so a wallet on any platform can produce it
// (CIRCUITS.md §4).
type Presentation struct {
	Version   string               `json:"version"` // CircuitVersion
	Backend   Backend              `json:"backend"`
	Issuer    *IssuerPublicKey     `json:"issuer,omitempty"`    // when the request accepts issuers
	Disclosed []DisclosedAttribute `json:"disclosed,omitempty"` // in attribute order
	Nullifier *Scalar              `json:"nullifier,omitempty"` // when the request asks for one
	// PublicInputs is the full public-input vector in circuit order (NumPublicInputs values). The
	// verifier recomputes it from the request and refuses any difference.
	PublicInputs []Scalar `json:"public_inputs"`
	Proof        []byte   `json:"proof"` // Groth16: 128 bytes; PLONK: gnark encoding
}

// DisclosedValue returns the disclosed value of the named attribute as an integer (for every
// attribute but holder_key).
func (p *Presentation) DisclosedValue(name string) (uint64, bool) {
	for _, d := range p.Disclosed {
		if d.Name == name {
			e, err := d.Value.element()
			if err != nil || !e.IsUint64() {
				return 0, false
			}
			return e.Uint64(), true
		}
	}
	return 0, false
}

// MarshalPresentation encodes p as JSON.
func MarshalPresentation(p *Presentation) ([]byte, error) { return json.Marshal(p) }

// DecodePresentation parses a JSON presentation strictly: bounded size, no unknown fields, canonical
// scalars, known version and backend, the right number of public inputs, a proof of plausible size.
// It checks structure only; Verifier.Verify checks meaning.
func DecodePresentation(b []byte) (*Presentation, error) {
	if len(b) > MaxPresentationSize {
		return nil, fmt.Errorf("%w: presentation larger than %d bytes", ErrMalformed, MaxPresentationSize)
	}
	var p Presentation
	if err := strictUnmarshal(b, &p); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *Presentation) validate() error {
	if p.Version != CircuitVersion {
		return fmt.Errorf("%w: presentation is %q, want %q", ErrVersion, p.Version, CircuitVersion)
	}
	if err := p.Backend.valid(); err != nil {
		return err
	}
	if len(p.PublicInputs) != NumPublicInputs {
		return fmt.Errorf("%w: %d public inputs, want %d", ErrMalformed, len(p.PublicInputs), NumPublicInputs)
	}
	for i, s := range p.PublicInputs {
		if _, err := s.element(); err != nil {
			return fmt.Errorf("%w: public input %s", err, publicNames[i])
		}
	}
	if len(p.Proof) == 0 || len(p.Proof) > MaxProofSize {
		return fmt.Errorf("%w: proof size %d", ErrMalformed, len(p.Proof))
	}
	if p.Backend == Groth16 && len(p.Proof) != Groth16ProofSize {
		return fmt.Errorf("%w: Groth16 proof must be %d bytes", ErrMalformed, Groth16ProofSize)
	}
	last := -1
	for _, d := range p.Disclosed {
		i, ok := AttributeIndex(d.Name)
		if !ok {
			return fmt.Errorf("%w: unknown disclosed attribute %q", ErrMalformed, d.Name)
		}
		if i <= last {
			return fmt.Errorf("%w: disclosed attributes must be in attribute order, once each", ErrMalformed)
		}
		last = i
	}
	return nil
}
