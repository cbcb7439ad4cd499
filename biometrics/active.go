package biometrics

import (
	"fmt"

	"github.com/virtengine/sdk/biometrics/features"
)

// Challenge is the motion an active-liveness check asks for. Directions are in image coordinates:
// TurnLeft means the nose moves toward the image's left edge.
type Challenge string

// Challenges. The verifier should pick one at random per session (a fixed challenge can be
// pre-recorded).
const (
	TurnLeft   Challenge = "turn_left"
	TurnRight  Challenge = "turn_right"
	TurnEither Challenge = "turn_either"
)

// Active-liveness bounds.
const (
	// MinTurnPermille is the least change of yaw (nose offset from the eyes' midpoint, ‰ of the eye
	// distance; see pose) between the most frontal frame and the most turned one. With the nose tip
	// about 0.6 eye distances in front of the eyes' plane, 120‰ is a turn of about 12°.
	MinTurnPermille = 120
	// MaxFrontalPermille bounds the yaw of the most frontal frame: the sequence must start from, or
	// pass through, a frontal pose.
	MaxFrontalPermille = 120
	// MinFacePresentPct is the share of frames that must show exactly one face.
	MinFacePresentPct = 80
	// MinFrames is the fewest frames of a sequence.
	MinFrames = 3
)

// ActiveResult is the outcome of an active-liveness check.
type ActiveResult struct {
	Live            bool              `json:"live"`
	ScoreBP         uint32            `json:"score"`
	Frames          int               `json:"frames"`
	FacesFound      int               `json:"faces_found"`
	TurnPermille    int               `json:"turn_permille"` // signed: negative toward the image's left
	IdenticalFrames int               `json:"identical_frames"`
	SamePerson      bool              `json:"same_person"`
	Reasons         []features.Reason `json:"reasons"`
}

// ActiveLiveness checks a frame sequence (JPEG/PNG frames of a short selfie video) for the requested
// head turn: the face is present in most frames, the yaw moves from a frontal frame by at least
// MinTurnPermille in the requested direction, consecutive frames are not byte-identical, and the
// frames show one person: every frame with a face matches the previous one (identity continuity, which
// follows a turning head better than comparing the first and last frames). A still image repeated, or
// moved about as a whole, has a constant yaw and fails with NO_MOTION.
//
// Blink is not offered: YuNet's 5 landmarks do not include the eyelids.
//
// What it does not show: that the frames come from a live camera (bind them to a capture salt, see
// veid), or that a screen replaying a recorded turn is not in front of the camera (run passive
// liveness on the frames too).
//
// It has been tested only on head turns synthesised by warping still photos, not on real videos:
// README.md ("Active liveness") says what those tests show and what they do not.
func (e *Engine) ActiveLiveness(frames [][]byte, ch Challenge) (*ActiveResult, error) {
	if len(frames) < MinFrames || len(frames) > MaxFrames {
		return nil, &InputError{Input: "frames", Err: ErrFrames, Detail: fmt.Sprintf("%d frames, want %d–%d", len(frames), MinFrames, MaxFrames)}
	}
	switch ch {
	case TurnLeft, TurnRight, TurnEither:
	default:
		return nil, &InputError{Input: "challenge", Err: ErrFrames, Detail: fmt.Sprintf("unknown challenge %q", ch)}
	}
	res := &ActiveResult{Frames: len(frames), Reasons: []features.Reason{}}
	err := e.use(func() error {
		var yaws []int
		var prev *FaceResult
		res.SamePerson = true
		for i, data := range frames {
			name := fmt.Sprintf("frame %d", i)
			if i > 0 && string(data) == string(frames[i-1]) {
				res.IdenticalFrames++
			}
			img, err := DecodeImage(name, data)
			if err != nil {
				return err
			}
			faces := e.det.Detect(img)
			if len(faces) == 1 {
				res.FacesFound++
				f := e.det.Refine(img, faces[0])
				y, _ := pose(f)
				yaws = append(yaws, y)
				if fr, err := e.embedFace(img, f, 1); err == nil {
					if prev != nil {
						if c, err := Compare(prev.Quantized, fr.Quantized); err != nil || c.Decision != Match {
							res.SamePerson = false
						}
					}
					prev = fr
				}
			}
			img.Close()
		}
		if res.FacesFound*100 < MinFacePresentPct*len(frames) {
			res.Reasons = append(res.Reasons, features.NoFace)
		}
		if !res.SamePerson || prev == nil {
			res.SamePerson = false
			res.Reasons = append(res.Reasons, features.LowFaceMatch)
		}
		res.TurnPermille = turn(yaws, ch)
		moved := abs(res.TurnPermille) >= MinTurnPermille
		if !moved || res.IdenticalFrames > 0 {
			res.Reasons = append(res.Reasons, features.NoMotion)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	f := features.Features{Reasons: res.Reasons}
	f.Normalize()
	res.Reasons = f.Reasons
	res.Live = len(res.Reasons) == 0
	// Score: the turn achieved relative to what is required, capped, zero when any check failed.
	if res.Live {
		res.ScoreBP = features.BP(int64(5000 + abs(res.TurnPermille)*5000/(2*MinTurnPermille)))
	}
	return res, nil
}

// turn returns the largest signed yaw change, in the challenge's direction, from a frontal frame
// (|yaw| ≤ MaxFrontalPermille) to any later frame. 0 when no frame is frontal.
func turn(yaws []int, ch Challenge) int {
	best := 0
	for i, y0 := range yaws {
		if abs(y0) > MaxFrontalPermille {
			continue
		}
		for _, y := range yaws[i+1:] {
			d := y - y0
			ok := ch == TurnEither || (ch == TurnLeft && d < 0) || (ch == TurnRight && d > 0)
			if ok && abs(d) > abs(best) {
				best = d
			}
		}
	}
	return best
}
