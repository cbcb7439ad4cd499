package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/veid"
)

// ExtractorVersion names this feature extractor; the full version adds the engine's model hash.
const ExtractorVersion = "demo-extractor-v1"

// minYawRangePermille is how much the head must turn across the frames of a face video for active
// liveness: the spread of the nose's offset from the eye midpoint, in ‰ of the eye distance.
const minYawRangePermille = 60

// AccountSignals are the features the network computes from the account's on-chain state (every
// validator reads the same state), not from the evidence.
type AccountSignals struct {
	History uint32 // basis points
	Risk    uint32 // basis points
}

// BioExtractor turns an evidence bundle into veid.Features with the biometrics engine: MRZ check
// digits (document, consistency), document portrait vs selfie (face match), passive liveness on
// the selfie and head motion across face-video frames (liveness). Validators running the same
// model files on the same evidence get the same integers.
type BioExtractor struct {
	Engine  *biometrics.Engine
	Account AccountSignals
}

// Version implements veid.Extractor: the extractor and the hash of every model file.
func (b *BioExtractor) Version() string { return ExtractorVersion + "+" + b.Engine.ModelHash()[:16] }

// Extract implements veid.Extractor.
func (b *BioExtractor) Extract(_ context.Context, ev *veid.Evidence) (veid.Features, error) {
	docs, selfies, frames := ev.Of(veid.KindIDDocument), ev.Of(veid.KindSelfie), ev.Of(veid.KindFaceVideo)
	f := veid.Features{HasDocument: len(docs) > 0, HasSelfie: len(selfies) > 0, History: b.Account.History, Risk: b.Account.Risk}
	var portrait []byte
	if f.HasDocument {
		doc := docs[0]
		if r, err := b.Engine.ReadMRZ(doc.Name, doc.Data); err == nil && r.Result != nil {
			ok := 0
			for _, c := range r.Checks {
				if c.OK {
					ok++
				}
			}
			if len(r.Checks) > 0 {
				f.Document = uint32(ok * veid.BasisPoints / len(r.Checks))
			}
			// Consistency: a structurally valid zone read without OCR corrections scores full;
			// each correction the parser had to make costs 10%.
			if r.Valid {
				f.Consistency = uint32(max(0, veid.BasisPoints-1000*len(r.Corrections)))
			}
		}
		var err error
		if portrait, err = b.documentPortrait(doc); err != nil {
			return f, err
		}
	}
	if f.HasSelfie {
		selfie := selfies[0]
		if portrait != nil {
			m, err := b.Engine.MatchImages(selfie.Data, portrait)
			if err != nil {
				return f, fmt.Errorf("face match: %w", err)
			}
			f.FaceMatch = m.SimilarityBP
		}
		l, err := b.Engine.Liveness(selfie.Name, selfie.Data)
		if err != nil {
			return f, fmt.Errorf("liveness: %w", err)
		}
		f.Liveness = uint32(min(max(l.ScoreBP, 0), veid.BasisPoints))
		if len(frames) > 0 {
			yaw, err := b.yawRange(frames)
			if err != nil {
				return f, err
			}
			if yaw < minYawRangePermille {
				f.Liveness = 0 // a replayed still image does not move
			}
		}
	}
	return f, nil
}

// documentPortrait crops the document around its best-scored face: the detector also reports
// large low-confidence regions on text, so the largest face is not always the portrait.
func (b *BioExtractor) documentPortrait(doc veid.EvidenceItem) ([]byte, error) {
	faces, err := b.Engine.Detect(doc.Name, doc.Data)
	if err != nil {
		return nil, fmt.Errorf("document portrait: %w", err)
	}
	if len(faces) == 0 {
		return nil, nil
	}
	img, err := jpeg.Decode(bytes.NewReader(doc.Data))
	if err != nil {
		return nil, fmt.Errorf("document portrait: %w", err)
	}
	crop := expand(faces[0].Box, 18, 10, img.Bounds())
	sub, ok := img.(interface {
		SubImage(r image.Rectangle) image.Image
	})
	if !ok {
		return nil, errors.New("document portrait: image type cannot be cropped")
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, sub.SubImage(crop), &jpeg.Options{Quality: 95}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// yawRange returns the spread, over the frames, of the nose's horizontal offset from the eye
// midpoint in ‰ of the eye distance. Every frame must show a face.
func (b *BioExtractor) yawRange(frames []veid.EvidenceItem) (int, error) {
	lo, hi := math.MaxInt, math.MinInt
	for _, fr := range frames {
		faces, err := b.Engine.Detect(fr.Name, fr.Data)
		if err != nil {
			return 0, fmt.Errorf("face video %s: %w", fr.Name, err)
		}
		if len(faces) == 0 {
			return 0, nil
		}
		l := faces[0].Landmarks
		re, le, nose := l[biometrics.RightEye], l[biometrics.LeftEye], l[biometrics.NoseTip]
		dist := float64(le.X - re.X)
		if dist <= 0 {
			return 0, nil
		}
		yaw := int(math.Round((float64(nose.X) - float64(re.X+le.X)/2) * 1000 / dist))
		lo, hi = min(lo, yaw), max(hi, yaw)
	}
	return hi - lo, nil
}
