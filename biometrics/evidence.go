package biometrics

import (
	"errors"
	"strings"
	"time"

	"github.com/virtengine/sdk/biometrics/features"
	"github.com/virtengine/sdk/biometrics/mrz"
)

// EvidenceInput is what a person submitted, decrypted inside the validator. Selfie and Document are
// JPEG/PNG; Frames (optional) is a selfie video's frames for ActiveLiveness with Challenge; Barcode
// (optional) is a photo of the back of a driving licence. Claimed holds the fields the person typed
// (optional; compared with the document). Now is the block time: the only clock used.
type EvidenceInput struct {
	Selfie    []byte
	Document  []byte
	Frames    [][]byte
	Challenge Challenge
	Barcode   []byte
	Claimed   ClaimedFields
	Now       time.Time
}

// ClaimedFields are what the person says; empty fields are not compared.
type ClaimedFields struct {
	Surname   string
	BirthDate string // ISO 8601
}

// Evidence runs the whole pipeline and returns integer features for scoring. Missing or unreadable
// parts lower the features and add reason codes rather than failing: only a closed engine, an
// undecodable selfie or a selfie without a face return an error.
//
// The consensus fields are levels (package features): FaceMatchBP from the comparison's decision,
// LivenessBP from the passive and active verdicts, DocumentValidityBP and ConsistencyBP from the
// characters read. The fine measurements (similarity, distance, live probability, head turn) are
// reported beside them; they differ slightly across CPUs and are not for consensus.
func (e *Engine) Evidence(in EvidenceInput) (*features.Features, error) {
	f := &features.Features{Version: features.Version, ModelHash: e.ModelHash(), QualityBP: features.MaxBP, FaceDistanceMilli: -1}
	passiveLive := false
	var m *MRZResult
	var merr error
	var viz []VIZCheck
	// Each image is decoded once; the stages share the decoded Mats.
	err := e.use(func() error {
		sImg, err := DecodeImage("selfie", in.Selfie)
		if err != nil {
			return err
		}
		defer sImg.Close()
		selfie, err := e.embedMat("selfie", sImg, Selfie)
		if err != nil {
			return err
		}
		f.Embedding = selfie.Quantized

		// Passive liveness on the selfie's face.
		live := e.live.ScoreBP(sImg, selfie.Face)
		f.PassiveLivenessBP = features.BP(int64(live))
		passiveLive = live > LivenessThresholdBP
		if !passiveLive {
			f.Reasons = append(f.Reasons, features.SpoofSuspected)
		}
		e.addQuality(f, e.quality(sImg, Selfie))

		dImg, err := DecodeImage("document", in.Document)
		if err != nil {
			f.QualityBP = 0
			f.Reasons = append(f.Reasons, features.NoDocumentFace, features.MRZNotFound)
			return nil
		}
		defer dImg.Close()
		// Face match against the document's portrait (selectFace).
		if doc, err := e.embedMat("document", dImg, Document); err == nil {
			c, _ := Compare(selfie.Quantized, doc.Quantized)
			f.FaceSimilarityBP, f.FaceDistanceMilli = c.SimilarityBP, c.DistanceMilli
			f.FaceMatchBP = FaceMatchLevel(c.Decision)
			switch c.Decision {
			case Borderline:
				f.Reasons = append(f.Reasons, features.BorderlineMatch)
			case Reject:
				f.Reasons = append(f.Reasons, features.LowFaceMatch)
			}
		} else {
			f.Reasons = append(f.Reasons, features.NoDocumentFace)
		}
		e.addQuality(f, e.quality(dImg, Document))
		m, merr = e.mrz.ReadMRZ("document", dImg)
		if m != nil {
			viz, _ = e.vizChecks(dImg, m.Result) // none without the eng model
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// Active liveness when frames were given: live only when every check that ran passed.
	activeLive := true
	if len(in.Frames) > 0 {
		a, err := e.ActiveLiveness(in.Frames, in.Challenge)
		if err != nil {
			activeLive = false
			f.Reasons = append(f.Reasons, features.NoMotion)
		} else {
			activeLive = a.Live
			f.ActiveTurnPermille = a.TurnPermille
			f.Reasons = append(f.Reasons, a.Reasons...)
		}
	}
	if passiveLive && activeLive {
		f.LivenessBP = features.MaxBP
	}

	// Document validity and consistency from the MRZ (and the barcode when given).
	var fields []fieldPair
	switch {
	case m == nil:
		f.Reasons = append(f.Reasons, features.MRZNotFound)
	case merr != nil:
		f.Reasons = append(f.Reasons, features.MRZCheckDigit)
	default:
		f.DocumentValidityBP = features.MaxBP
		if len(m.Corrections) > 0 {
			f.DocumentValidityBP -= 1000
			f.Reasons = append(f.Reasons, features.MRZCorrected)
		}
		if exp, err := mrz.ISODate(m.ExpiryDate, true, in.Now); err == nil && exp < in.Now.UTC().Format("2006-01-02") {
			f.DocumentValidityBP = 0
			f.Reasons = append(f.Reasons, features.DocumentExpired)
		}
		birth, _ := mrz.ISODate(m.BirthDate, false, in.Now)
		exp, _ := mrz.ISODate(m.ExpiryDate, true, in.Now)
		f.Document = &features.Document{BirthDate: birth, Nationality: m.Nationality, IssuingState: m.IssuingState, ExpiryDate: exp}
		fields = append(fields, fieldPair{claimed: in.Claimed.Surname, read: m.Surname}, fieldPair{claimed: in.Claimed.BirthDate, read: birth})
	}
	if len(in.Barcode) > 0 {
		b, err := e.ReadBarcode("barcode", in.Barcode)
		switch {
		case errors.Is(err, ErrNoBarcode):
			f.Reasons = append(f.Reasons, features.BarcodeNotFound)
		case err != nil:
			f.Reasons = append(f.Reasons, features.BarcodeMalformed)
		default:
			if m == nil {
				f.DocumentValidityBP = features.MaxBP
			}
			fields = append(fields, fieldPair{claimed: in.Claimed.Surname, read: b.FamilyName}, fieldPair{claimed: in.Claimed.BirthDate, read: b.BirthDate})
		}
	}
	// Consistency: the claimed fields against the zone and the barcode, and the zone against the
	// printed text (ICAO 9303-3 §2: the MRZ repeats the visual zone).
	for _, c := range viz {
		fields = append(fields, fieldPair{claimed: c.Value, read: c.Value, viz: true, found: c.Found})
	}
	f.ConsistencyBP = consistency(fields)
	if f.ConsistencyBP < features.MaxBP && compared(fields) > 0 {
		f.Reasons = append(f.Reasons, features.FieldMismatch)
	}
	f.Normalize()
	return f, nil
}

// addQuality lowers f.QualityBP to q's score and adds its reasons.
func (e *Engine) addQuality(f *features.Features, q *QualityResult) {
	f.QualityBP = min(f.QualityBP, q.ScoreBP)
	f.Reasons = append(f.Reasons, q.Reasons...)
}

// fieldPair is one comparison: a claimed value against what a document says, or (viz) a zone field
// looked for in the printed text.
type fieldPair struct {
	claimed, read string
	viz, found    bool
}

func (p fieldPair) ok() bool {
	if p.viz {
		return p.found
	}
	return norm(p.claimed) == norm(p.read)
}

func norm(s string) string { return strings.Join(strings.Fields(strings.ToUpper(s)), " ") }

func compared(ps []fieldPair) int {
	n := 0
	for _, p := range ps {
		if p.claimed != "" {
			n++
		}
	}
	return n
}

// consistency is the share of comparisons that agree, in basis points; 0 when nothing was compared.
func consistency(ps []fieldPair) uint32 {
	n, ok := 0, 0
	for _, p := range ps {
		if p.claimed == "" {
			continue
		}
		n++
		if p.ok() {
			ok++
		}
	}
	if n == 0 {
		return 0
	}
	return uint32(ok * features.MaxBP / n)
}
