package biometrics

import "math"

// Which detection is the subject. YuNet also fires, with a lower score, on patterns that are not
// faces: on the ICAO specimen passport-td3.jpg, run at 480 or 640 px, it reports a 0.71–0.77 box over
// the printed text (about (555,0)–(1249,880)), larger than the portrait, with "eyes" 67–82% of the
// box width apart and landmarks above the image. Taking the largest box there compares the selfie
// with the text. Faces are therefore checked for a face's geometry first (plausible), and a document's
// portrait must also clear DocumentMinFaceScore.
const (
	// FaceMinAspectPct and FaceMaxAspectPct bound a face box's width in percent of its height. YuNet's
	// boxes of the test faces and portraits measure 70–85%.
	FaceMinAspectPct, FaceMaxAspectPct = 50, 120
	// FaceMinEyePct and FaceMaxEyePct bound the distance between the eyes in percent of the box width:
	// 45–50% for a frontal face, less when the head turns.
	FaceMinEyePct, FaceMaxEyePct = 25, 60
	// FaceLandmarkMarginPct is how far (percent of the box side) a landmark may lie outside the box.
	FaceLandmarkMarginPct = 5
	// DocumentMinFaceScore is the least YuNet score of a document's portrait. The portraits of the
	// specimen documents score 0.88–1.00 at every input size from 160 to 1024 px; the text-area
	// false detections 0.71–0.77.
	DocumentMinFaceScore = 0.8
	// DocumentScoreTie: portraits scoring within this of the best count as equally sure, and the
	// largest of them is taken (a document's secondary "ghost" portrait is smaller).
	DocumentScoreTie = 0.15
)

// plausible reports whether a detection has a face's geometry: box proportions, every landmark in
// the box (within FaceLandmarkMarginPct), the image-left eye left of the other, the eyes above the
// mouth corners and the eye distance in proportion to the box width.
func plausible(f Face) bool {
	w, h := f.Box.Dx(), f.Box.Dy()
	if w <= 0 || h <= 0 || w*100 < h*FaceMinAspectPct || w*100 > h*FaceMaxAspectPct {
		return false
	}
	mx, my := float32(w*FaceLandmarkMarginPct)/100, float32(h*FaceLandmarkMarginPct)/100
	for _, p := range f.Landmarks {
		if p.X < float32(f.Box.Min.X)-mx || p.X > float32(f.Box.Max.X)+mx || p.Y < float32(f.Box.Min.Y)-my || p.Y > float32(f.Box.Max.Y)+my {
			return false
		}
	}
	re, le := f.Landmarks[RightEye], f.Landmarks[LeftEye]
	if re.X >= le.X || re.Y+le.Y >= f.Landmarks[RightMouth].Y+f.Landmarks[LeftMouth].Y {
		return false
	}
	eye := math.Hypot(float64(le.X-re.X), float64(le.Y-re.Y))
	return eye*100 >= float64(w*FaceMinEyePct) && eye*100 <= float64(w*FaceMaxEyePct)
}

// selectFace picks the subject among detections. A selfie's subject is the largest plausible face
// (the person nearest the camera), or the largest face when none is plausible (a strong head turn,
// a face cut by the frame). A document's portrait is a plausible face scoring at least
// DocumentMinFaceScore: the best-scoring one, or the largest of those within DocumentScoreTie of it;
// a document with no such face has no portrait (false).
func selectFace(faces []Face, kind CaptureKind) (Face, bool) {
	var cands []Face
	for _, f := range faces {
		if plausible(f) && (kind != Document || f.Score >= DocumentMinFaceScore) {
			cands = append(cands, f)
		}
	}
	if kind == Document && len(cands) > 0 {
		best := cands[0].Score
		for _, f := range cands[1:] {
			best = max(best, f.Score)
		}
		tied := cands[:0]
		for _, f := range cands {
			if f.Score >= best-DocumentScoreTie {
				tied = append(tied, f)
			}
		}
		cands = tied
	}
	if len(cands) == 0 {
		if kind == Document || len(faces) == 0 {
			return Face{}, false
		}
		cands = faces
	}
	return largest(cands), true
}

// largest returns the face with the largest box.
func largest(faces []Face) Face {
	best := faces[0]
	for _, f := range faces[1:] {
		if f.Box.Dx()*f.Box.Dy() > best.Box.Dx()*best.Box.Dy() {
			best = f
		}
	}
	return best
}
