package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/biometrics/mrz"
	"github.com/virtengine/sdk/internal/assets"
)

func init() { addCommand(newBioCmd()) }

func newBioCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "bio",
		Short: "Biometrics: face detection and matching, liveness, capture quality, MRZ and PDF417",
		Long: `Biometric checks on images (JPEG or PNG), with the models of the data directory.

  virtengine bio detect IMAGE...             faces and landmarks
  virtengine bio match [--document] SELFIE REFERENCE   same person? (--document: the reference is a document photo)
  virtengine bio liveness IMAGE...           passive anti-spoofing
  virtengine bio liveness --challenge turn_left|turn_right|turn_either FRAME...
                                             active liveness: did the head turn as asked?
  virtengine bio quality [--document] IMAGE...   capture quality and reason codes
  virtengine bio mrz IMAGE | --text L1 L2 [L3]   machine-readable zone
  virtengine bio pdf417 IMAGE                AAMVA driving-licence barcode
  virtengine bio bench                       median latencies on the shared test images`,
	}
	c.AddCommand(bioDetectCmd(), bioMatchCmd(), bioLivenessCmd(), bioQualityCmd(), bioMRZCmd(), bioPDF417Cmd(), bioBenchCmd())
	return c
}

// openBio opens the engine, with a hint when the models are missing.
func openBio() (*biometrics.Engine, error) { return openBioConfig(biometrics.Config{}) }

func openBioConfig(cfg biometrics.Config) (*biometrics.Engine, error) {
	e, err := biometrics.Open(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w\nfetch the models with `go run ./internal/assets/fetch` (or scripts/setup.sh), or point --data-dir at a data directory", err)
	}
	return e, nil
}

func readImage(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w; pass the path of a JPEG or PNG image", err)
	}
	return b, nil
}

// bioErr adds what to do next to an error from the biometrics package.
func bioErr(err error) error {
	switch {
	case errors.Is(err, biometrics.ErrNoFace):
		return fmt.Errorf("%w: use a photo with one face, frontal and at least 15%% of the image height", err)
	case errors.Is(err, biometrics.ErrNotImage), errors.Is(err, biometrics.ErrEmptyImage):
		return fmt.Errorf("%w: pass a JPEG or PNG file", err)
	case errors.Is(err, biometrics.ErrTooLarge):
		return fmt.Errorf("%w: resize the image below %d px a side", err, biometrics.MaxImageSide)
	case errors.Is(err, biometrics.ErrTooSmall):
		return fmt.Errorf("%w: use a larger image", err)
	case errors.Is(err, biometrics.ErrNoMRZ):
		return fmt.Errorf("%w: photograph the whole data page, flat and sharp, or pass the zone with --text", err)
	case errors.Is(err, biometrics.ErrNoBarcode):
		return fmt.Errorf("%w: photograph the back of the card with the whole barcode in frame", err)
	}
	return err
}

func bioDetectCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "detect IMAGE...",
		Short: "Find faces (box, 5 landmarks, score)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := openBio()
			if err != nil {
				return err
			}
			defer e.Close()
			type out struct {
				Image string            `json:"image"`
				Faces []biometrics.Face `json:"faces"`
			}
			var res []out
			for _, p := range args {
				b, err := readImage(p)
				if err != nil {
					return err
				}
				faces, err := e.Detect(p, b)
				if err != nil {
					return bioErr(err)
				}
				if faces == nil {
					faces = []biometrics.Face{}
				}
				res = append(res, out{p, faces})
			}
			return emitBio(cmd, res, func(w io.Writer) {
				for _, r := range res {
					fmt.Fprintf(w, "%s: %d face(s)\n", r.Image, len(r.Faces))
					for _, f := range r.Faces {
						fmt.Fprintf(w, "  box %v score %.3f\n", f.Box, f.Score)
					}
				}
			})
		},
	}
}

func bioMatchCmd() *cobra.Command {
	var document bool
	c := &cobra.Command{
		Use:   "match [--document] SELFIE REFERENCE",
		Short: "Compare the faces of two images (a selfie against a selfie or, with --document, a document's portrait)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := readImage(args[0])
			if err != nil {
				return err
			}
			b, err := readImage(args[1])
			if err != nil {
				return err
			}
			e, err := openBio()
			if err != nil {
				return err
			}
			defer e.Close()
			match := e.MatchImages
			if document {
				match = e.MatchDocument
			}
			m, err := match(a, b)
			if err != nil {
				return bioErr(err)
			}
			return emitBio(cmd, m, func(w io.Writer) {
				fmt.Fprintf(w, "%s (similarity %d bp, distance %.3f; match ≤ %.3f, borderline < %.3f)\n", m.Decision, m.SimilarityBP,
					float64(m.DistanceMilli)/1000, float64(biometrics.MatchMaxDistanceMilli)/1000, float64(biometrics.BorderlineMaxDistanceMilli)/1000)
			})
		},
	}
	c.Flags().BoolVar(&document, "document", false, "the reference is a photo of an identity document: match its portrait (a plausible face scoring ≥ 0.8), not its largest detection")
	return c
}

func bioLivenessCmd() *cobra.Command {
	var challenge string
	c := &cobra.Command{
		Use:   "liveness IMAGE... | --challenge turn_left|turn_right|turn_either FRAME...",
		Short: "Passive liveness (anti-spoofing) of the largest face, or with --challenge active liveness over video frames",
		Long: `Without --challenge: passive liveness (two MiniFASNet anti-spoofing models) of each image's largest
face; the command succeeds whatever the verdict, which is in "live" and "score".

With --challenge: the arguments are the frames of one short selfie video, in order (` + fmt.Sprint(biometrics.MinFrames) + `–` + fmt.Sprint(biometrics.MaxFrames) + `
JPEG/PNG files), and the check is the head turn the verifier asked for: turn_left (the nose moves
toward the image's left edge), turn_right, or turn_either. The face must be in at least ` + fmt.Sprint(biometrics.MinFacePresentPct) + `% of the
frames, be the same person throughout, start from (or pass through) a frontal pose and turn by at
least ` + fmt.Sprint(biometrics.MinTurnPermille) + `‰ of the eye distance (about 12°) in the asked direction; consecutive frames must not be
identical. A still photo repeated or moved about fails with NO_MOTION, and so does a turn the other
way. The command exits 2 when the challenge is not met (the report is still printed). Pick the
challenge at random per session: a fixed one can be recorded in advance. Passive liveness on the
frames is a separate check (run it without --challenge).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if challenge != "" {
				return runActiveLiveness(cmd, biometrics.Challenge(challenge), args)
			}
			e, err := openBio()
			if err != nil {
				return err
			}
			defer e.Close()
			type out struct {
				Image string `json:"image"`
				*biometrics.LivenessResult
			}
			var res []out
			for _, p := range args {
				b, err := readImage(p)
				if err != nil {
					return err
				}
				l, err := e.Liveness(p, b)
				if err != nil {
					return bioErr(err)
				}
				res = append(res, out{p, l})
			}
			var v any = res
			if len(res) == 1 {
				v = res[0]
			}
			return emitBio(cmd, v, func(w io.Writer) {
				for _, r := range res {
					fmt.Fprintf(w, "%s: live=%v score %d bp\n", r.Image, r.Live, r.ScoreBP)
				}
			})
		},
	}
	c.Flags().StringVar(&challenge, "challenge", "", "active liveness: the head turn asked for (turn_left, turn_right or turn_either); the arguments are the video's frames in order")
	return c
}

// activeOut is the JSON of `bio liveness --challenge`.
type activeOut struct {
	Challenge biometrics.Challenge `json:"challenge"`
	*biometrics.ActiveResult
}

// runActiveLiveness checks the frames for the challenge's head turn; a challenge not met is exit
// code 2, with the report printed.
func runActiveLiveness(cmd *cobra.Command, ch biometrics.Challenge, paths []string) error {
	switch ch {
	case biometrics.TurnLeft, biometrics.TurnRight, biometrics.TurnEither:
	default:
		return fmt.Errorf("unknown challenge %q: use turn_left, turn_right or turn_either", ch)
	}
	if len(paths) < biometrics.MinFrames || len(paths) > biometrics.MaxFrames {
		return fmt.Errorf("%d frame(s): pass %d to %d frames of one selfie video, in order", len(paths), biometrics.MinFrames, biometrics.MaxFrames)
	}
	frames := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := readImage(p)
		if err != nil {
			return err
		}
		frames[i] = b
	}
	e, err := openBio()
	if err != nil {
		return err
	}
	defer e.Close()
	r, err := e.ActiveLiveness(frames, ch)
	if err != nil {
		return bioErr(err)
	}
	o := activeOut{Challenge: ch, ActiveResult: r}
	if err := emitBio(cmd, o, func(w io.Writer) {
		fmt.Fprintf(w, "%s: live=%v score %d bp\n  turn %d‰ of the eye distance (at least %d needed, negative is toward the image's left)\n  %d of %d frames with one face, same person %v, %d identical consecutive frame(s)\n",
			ch, r.Live, r.ScoreBP, r.TurnPermille, biometrics.MinTurnPermille, r.FacesFound, r.Frames, r.SamePerson, r.IdenticalFrames)
		if len(r.Reasons) > 0 {
			fmt.Fprintf(w, "  reasons %v\n", r.Reasons)
		}
	}); err != nil {
		return err
	}
	if !r.Live {
		return &exitError{code: 2, err: fmt.Errorf("challenge %s not met: %v", ch, r.Reasons), reported: true}
	}
	return nil
}

func bioQualityCmd() *cobra.Command {
	var document bool
	c := &cobra.Command{
		Use:   "quality IMAGE...",
		Short: "Capture quality with reason codes (selfie by default)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := openBio()
			if err != nil {
				return err
			}
			defer e.Close()
			kind := biometrics.Selfie
			if document {
				kind = biometrics.Document
			}
			type out struct {
				Image string `json:"image"`
				*biometrics.QualityResult
			}
			var res []out
			for _, p := range args {
				b, err := readImage(p)
				if err != nil {
					return err
				}
				q, err := e.Quality(p, b, kind)
				if err != nil {
					return bioErr(err)
				}
				res = append(res, out{p, q})
			}
			var v any = res
			if len(res) == 1 {
				v = res[0]
			}
			return emitBio(cmd, v, func(w io.Writer) {
				for _, r := range res {
					fmt.Fprintf(w, "%s: %d bp %v (%d×%d, sharpness %d, brightness %d)\n", r.Image, r.ScoreBP, r.Reasons, r.Width, r.Height, r.Sharpness, r.Brightness)
				}
			})
		},
	}
	c.Flags().BoolVar(&document, "document", false, "judge as a document photo (≥ 1024×768) instead of a selfie")
	return c
}

// mrzOut is the JSON of `bio mrz`: dates in ISO 8601 (the century chosen against today).
type mrzOut struct {
	Valid          bool             `json:"valid"`
	Format         mrz.Format       `json:"format"`
	DocumentCode   string           `json:"document_code"`
	IssuingState   string           `json:"issuing_state"`
	DocumentNumber string           `json:"document_number"`
	Surname        string           `json:"surname"`
	GivenNames     string           `json:"given_names"`
	Nationality    string           `json:"nationality"`
	BirthDate      string           `json:"birth_date"`
	ExpiryDate     string           `json:"expiry_date"`
	Sex            string           `json:"sex"`
	Lines          []string         `json:"lines"`
	Checks         []mrz.Check      `json:"checks"`
	Corrections    []mrz.Correction `json:"corrections"`
	Errors         []string         `json:"errors"`
	// VIZ cross-checks the zone against the printed text (image input only).
	VIZ []biometrics.VIZCheck `json:"viz,omitempty"`
}

func toMRZOut(r *mrz.Result, perr error, now time.Time) mrzOut {
	o := mrzOut{Valid: r.Valid, Format: r.Format, DocumentCode: r.DocumentCode, IssuingState: r.IssuingState,
		DocumentNumber: r.DocumentNumber, Surname: r.Surname, GivenNames: r.GivenNames, Nationality: r.Nationality,
		Sex: r.Sex, Lines: r.Lines, Checks: r.Checks, Corrections: r.Corrections, Errors: []string{}}
	if o.Corrections == nil {
		o.Corrections = []mrz.Correction{}
	}
	o.BirthDate, o.ExpiryDate = r.BirthDate, r.ExpiryDate
	if d, err := mrz.ISODate(r.BirthDate, false, now); err == nil {
		o.BirthDate = d
	}
	if d, err := mrz.ISODate(r.ExpiryDate, true, now); err == nil {
		o.ExpiryDate = d
	}
	var ie *mrz.InvalidError
	if errors.As(perr, &ie) {
		for _, p := range ie.Problems {
			o.Errors = append(o.Errors, p.Error())
		}
	}
	return o
}

func bioMRZCmd() *cobra.Command {
	var text bool
	c := &cobra.Command{
		Use:   "mrz IMAGE | --text LINE1 LINE2 [LINE3]",
		Short: "Read and check a machine-readable zone (ICAO 9303) from an image or from text",
		Args:  cobra.RangeArgs(1, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			var res *mrz.Result
			var perr error
			var vizChecks []biometrics.VIZCheck
			if text {
				res, perr = mrz.Parse(args)
				if res == nil {
					return fmt.Errorf("%w: give 2 lines of 44 (passport) or 36, or 3 lines of 30 (ID card), quoted", perr)
				}
			} else {
				if len(args) != 1 {
					return fmt.Errorf("one image, or --text with the zone's lines")
				}
				b, err := readImage(args[0])
				if err != nil {
					return err
				}
				e, err := openBio()
				if err != nil {
					return err
				}
				defer e.Close()
				r, viz, err := e.CrossCheck(args[0], b)
				if errors.Is(err, biometrics.ErrNoVIZModel) {
					r, err = e.ReadMRZ(args[0], b)
				}
				if r == nil {
					return bioErr(err)
				}
				res, perr, vizChecks = r.Result, err, viz
			}
			o := toMRZOut(res, perr, time.Now().UTC())
			o.VIZ = vizChecks
			if err := emitBio(cmd, o, func(w io.Writer) {
				fmt.Fprintf(w, "%s valid=%v\n  %s, %s  (%s)\n  document %s  born %s  expires %s  sex %s\n", o.Format, o.Valid, o.Surname, o.GivenNames, o.Nationality, o.DocumentNumber, o.BirthDate, o.ExpiryDate, o.Sex)
				for _, e := range o.Errors {
					fmt.Fprintln(w, "  error:", e)
				}
				for _, v := range o.VIZ {
					fmt.Fprintf(w, "  printed text has %s %q: %v\n", v.Field, v.Value, v.Found)
				}
				for _, c := range o.Corrections {
					fmt.Fprintf(w, "  corrected line %d col %d: %c → %c (proven by its check digit)\n", c.Line+1, c.Pos+1, c.From, c.To)
				}
			}); err != nil {
				return err
			}
			if !o.Valid {
				return &exitError{code: 2, err: fmt.Errorf("invalid zone: %v; retake the photo or check the typed lines", perr), reported: true}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&text, "text", false, "the arguments are the zone's lines (from NFC or the app's OCR)")
	return c
}

func bioPDF417Cmd() *cobra.Command {
	return &cobra.Command{
		Use:   "pdf417 IMAGE",
		Short: "Read the AAMVA PDF417 barcode of a driving licence",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := readImage(args[0])
			if err != nil {
				return err
			}
			e, err := openBio()
			if err != nil {
				return err
			}
			defer e.Close()
			r, err := e.ReadBarcode(args[0], b)
			if err != nil {
				return bioErr(err)
			}
			return emitBio(cmd, r.License, func(w io.Writer) {
				fmt.Fprintf(w, "AAMVA v%d %s (IIN %s)\n  %s, %s %s\n  document %s  born %s  expires %s  sex %s\n  %s, %s %s %s\n",
					r.Version, r.DocumentType, r.IIN, r.FamilyName, r.GivenName, r.MiddleName, r.DocumentNumber, r.BirthDate, r.ExpiryDate, r.Sex, r.Street, r.City, r.State, r.PostalCode)
			})
		},
	}
}

func bioBenchCmd() *cobra.Command {
	var runs, threads int
	c := &cobra.Command{
		Use:   "bench",
		Short: "Median latencies of detect, detect+align+embed, liveness and MRZ on the shared test images",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := func(rel string) ([]byte, error) {
				p, err := assets.TestdataPath(rel)
				if err != nil {
					return nil, err
				}
				return os.ReadFile(p)
			}
			f, err := load("faces/public_domain/obama.jpg")
			if err != nil {
				return err
			}
			d, err := load("documents/mrz/passport-td3.jpg")
			if err != nil {
				return err
			}
			e, err := openBioConfig(biometrics.Config{Threads: threads})
			if err != nil {
				return err
			}
			defer e.Close()
			r, err := e.Bench(f, d, runs)
			if err != nil {
				return bioErr(err)
			}
			return emitBio(cmd, r, func(w io.Writer) {
				fmt.Fprintf(w, "median over %d runs: detect %.1f ms, detect+align+embed %.1f ms, liveness %.1f ms, MRZ %.1f ms (RSS %d → %d KiB)\n",
					r.Runs, r.DetectMs, r.EmbedMs, r.LivenessMs, r.MRZMs, r.RSSStartKB, r.RSSEndKB)
				fmt.Fprintf(w, "CPU time per run: detect+align+embed %.1f ms, MRZ %.1f ms; %d thread(s) per call; load average %.2f → %.2f\n",
					r.EmbedCPUMs, r.MRZCPUMs, r.Threads, r.LoadAvg[0], r.LoadAvg[1])
				fmt.Fprintf(w, "embedding step: ONNX in OpenCV %.1f ms vs the reference Go forward pass %.1f ms (same run, same chip)\n", r.ONNXEmbedMs, r.ReferenceEmbedMs)
			})
		},
	}
	c.Flags().IntVar(&runs, "runs", 20, "runs per stage")
	c.Flags().IntVar(&threads, "threads", 1, "threads one call may use inside OpenCV and Tesseract")
	return c
}

// emitBio is emit with JSON that keeps '<', '>' and '&' as they are: machine-readable zones are full
// of '<' fillers, which encoding/json's default HTML escaping writes as \u003c.
func emitBio(cmd *cobra.Command, v any, human func(w io.Writer)) error {
	if !jsonOut {
		human(cmd.OutOrStdout())
		return nil
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
