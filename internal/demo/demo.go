package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/biometrics/mrz"
	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/internal/assets"
	"github.com/virtengine/sdk/mfa"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

// DefaultBlockTime is the demo's simulated block time. The only documents in the test data are
// ICAO and US specimens, all past their expiry (the Utopia passports expired on 2012-04-15), and
// validators check expiry against the block time; so the demo runs on a day the specimen was valid.
var DefaultBlockTime = time.Date(2011, 6, 1, 12, 0, 0, 0, time.UTC)

// Options change the demo; the zero value is the standard run.
type Options struct {
	Now        time.Time // block time; zero: DefaultBlockTime
	Validators int       // default 3
}

// Step is one printed step.
type Step struct {
	Name   string `json:"name"`
	Millis int64  `json:"ms"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Rejection is one attack the flow must refuse, and how it was refused.
type Rejection struct {
	Case string `json:"case"`
	Code string `json:"code"`
	Err  string `json:"error"`
}

// Report is what RunSDK did.
type Report struct {
	Steps       []Step      `json:"steps"`
	Score       int         `json:"score"`
	Tier        string      `json:"tier"`
	Final       bool        `json:"final"`
	Agreeing    []string    `json:"agreeing"`
	VCBytes     int         `json:"vc_bytes"`
	ProofBytes  int         `json:"proof_bytes"`
	ProofValid  bool        `json:"proof_valid"`
	Rejections  []Rejection `json:"rejections"`
	TotalMillis int64       `json:"total_ms"`
}

type validator struct {
	info veid.ValidatorInfo
	id   *envelope.HPKEIdentity
	vote ed25519.PrivateKey
}

type runner struct {
	w   io.Writer
	rep *Report
	n   int
}

func (r *runner) step(name string, fn func() (string, error)) error {
	r.n++
	start := time.Now()
	detail, err := fn()
	d := time.Since(start)
	ok := err == nil
	if err != nil {
		detail = err.Error()
	}
	r.rep.Steps = append(r.rep.Steps, Step{Name: name, Millis: d.Milliseconds(), OK: ok, Detail: detail})
	mark := "ok"
	if !ok {
		mark = "FAILED"
	}
	fmt.Fprintf(r.w, "%2d. %-66s %8s  %-6s %s\n", r.n, name, d.Round(time.Millisecond), mark, detail)
	return err
}

func readTestdata(rel string) ([]byte, error) {
	p, err := assets.TestdataPath(rel)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// countryNumeric maps the ICAO 9303 alpha-3 codes the demo meets to ISO 3166-1 numeric codes.
// "UTO" (Utopia, ICAO's specimen state) takes 999 from ISO 3166-1's user-assigned range.
var countryNumeric = map[string]uint16{"UTO": 999, "USA": 840, "FRA": 250, "CHE": 756, "DEU": 276}

// RunSDK runs the end-to-end SDK flow, printing each step with its timing to w.
// It returns an error when a step that must succeed fails or an attack is not refused.
func RunSDK(ctx context.Context, w io.Writer, opts Options) (*Report, error) {
	start := time.Now()
	now := opts.Now
	if now.IsZero() {
		now = DefaultBlockTime
	}
	nval := opts.Validators
	if nval <= 0 {
		nval = 3
	}
	rep := &Report{}
	r := &runner{w: w, rep: rep}
	fmt.Fprintf(w, "VirtEngine SDK demo: identity verification by %d validators, credential, zero-knowledge proof\n", nval)
	fmt.Fprintf(w, "Block time %s (simulated, inside the validity of ICAO's specimen passport).\n\n", now.Format(time.RFC3339))

	// 1. Models and images.
	var eng *biometrics.Engine
	if err := r.step("open biometric models (YuNet, dlib ResNet, MiniFASNet, MRZ)", func() (string, error) {
		var err error
		if eng, err = biometrics.Open(biometrics.Config{}); err != nil {
			return "", fmt.Errorf("%w (run scripts/setup.sh, or set $%s to the data directory)", err, assets.EnvDataDir)
		}
		return "model hash " + eng.ModelHash()[:16], nil
	}); err != nil {
		return rep, err
	}
	defer eng.Close()

	img := map[string][]byte{}
	var document []byte
	var frames [][]byte
	if err := r.step("print obama.jpg onto the ICAO specimen passport; film a head turn", func() (string, error) {
		for _, f := range []string{"documents/mrz/passport-td2.jpg", "faces/public_domain/obama.jpg", "faces/public_domain/obama2.jpg",
			"faces/liveness/spoof_F1.jpg"} {
			b, err := readTestdata(f)
			if err != nil {
				return "", fmt.Errorf("%w (run scripts/setup.sh)", err)
			}
			img[f] = b
		}
		df, err := eng.Detect("passport-td2.jpg", img["documents/mrz/passport-td2.jpg"])
		if err != nil || len(df) == 0 {
			return "", fmt.Errorf("no portrait found on the specimen passport: %v", err)
		}
		pf, err := eng.Detect("obama.jpg", img["faces/public_domain/obama.jpg"])
		if err != nil || len(pf) == 0 {
			return "", fmt.Errorf("no face in obama.jpg: %v", err)
		}
		if document, err = printPortrait(img["documents/mrz/passport-td2.jpg"], img["faces/public_domain/obama.jpg"], df[0].Box, pf[0].Box); err != nil {
			return "", err
		}
		// A synthetic selfie video: the head turns left over 6 frames (the session's challenge).
		if frames, err = turnFrames(img["faces/public_domain/obama.jpg"], pf[0], 6, -0.8); err != nil {
			return "", err
		}
		return fmt.Sprintf("passport-td2.jpg + obama.jpg portrait (%d KiB); selfie obama2.jpg; %d-frame head turn", len(document)>>10, len(frames)), nil
	}); err != nil {
		return rep, err
	}

	// 2. Keys of everyone involved.
	var (
		vals      []validator
		set       []veid.ValidatorInfo
		clientKey ed25519.PrivateKey
		userKey   ed25519.PrivateKey
		userSeal  *envelope.SigningKey
		vcIssuer  veid.Issuer
		zkIssuer  *zk.IssuerPrivateKey
		registry  = veid.NewClientRegistry()
	)
	if err := r.step(fmt.Sprintf("keys: %d validators (X-Wing), capture client, user, issuers", nval), func() (string, error) {
		for i := range nval {
			id, err := envelope.GenerateIdentity(envelope.XWing)
			if err != nil {
				return "", err
			}
			_, vk, _ := ed25519.GenerateKey(rand.Reader)
			v := validator{info: veid.ValidatorInfo{Name: fmt.Sprintf("validator-%d", i+1), Power: 10, Recipient: id.Recipient(),
				VoteKey: vk.Public().(ed25519.PublicKey)}, id: id, vote: vk}
			vals, set = append(vals, v), append(set, v.info)
		}
		_, clientKey, _ = ed25519.GenerateKey(rand.Reader)
		_, userKey, _ = ed25519.GenerateKey(rand.Reader)
		_, issKey, _ := ed25519.GenerateKey(rand.Reader)
		vcIssuer = veid.NewIssuer(issKey)
		var err error
		if userSeal, err = envelope.GenerateSigningKey(envelope.Ed25519); err != nil {
			return "", err
		}
		if zkIssuer, err = zk.GenerateIssuerKey(nil); err != nil {
			return "", err
		}
		kid, err := registry.AddKey("org.virtengine.capture-demo", clientKey.Public().(ed25519.PublicKey), now.Add(-time.Hour))
		if err != nil {
			return "", err
		}
		return "capture client approved in the registry", registry.Activate("org.virtengine.capture-demo", kid, now.Add(-time.Hour))
	}); err != nil {
		return rep, err
	}

	var pk *zk.ProvingKey
	var vk *zk.VerifyingKey
	if err := r.step("zk setup: credential-v1 circuit, Groth16 (development keys)", func() (string, error) {
		var err error
		pk, vk, err = zk.SetupUnsafe(zk.Groth16)
		return "UNSAFE development setup; production keys come from the ceremony", err
	}); err != nil {
		return rep, err
	}

	ext := &BioExtractor{Engine: eng, Account: AccountSignals{History: 5000, Risk: 1000}, BlockTime: now, Challenge: biometrics.TurnLeft}
	params := veid.Params{Model: veid.CompositeV2Version, Extractor: ext.Version()}
	verifier := &veid.Verifier{Clients: registry, Replay: veid.NewReplayCache(0, 0)}
	userDID, _ := veid.DIDKey(userKey.Public().(ed25519.PublicKey))

	// capture seals evidence to the validators and binds it to a fresh capture.
	claimed, _ := json.Marshal(biometrics.ClaimedFields{Surname: "Eriksson", BirthDate: "1974-08-12"})
	capture := func(selfie []byte, video [][]byte, salt []byte) (*veid.Upload, error) {
		ev := &veid.Evidence{Items: []veid.EvidenceItem{
			{Kind: veid.KindIDDocument, Name: itemDocument, Data: document},
			{Kind: veid.KindIDDocument, Name: itemClaimed, Data: claimed},
			{Kind: veid.KindSelfie, Name: itemSelfie, Data: selfie},
		}}
		for i, f := range video {
			ev.Items = append(ev.Items, veid.EvidenceItem{Kind: veid.KindFaceVideo, Name: fmt.Sprintf("frame-%d.jpg", i), Data: f})
		}
		sealed, err := veid.SealEvidence(ev, userSeal, set)
		if err != nil {
			return nil, err
		}
		b := veid.Binding{Kind: veid.KindSelfie, Salt: salt, DeviceID: "demo-device", SessionID: "session-1",
			CaptureTime: now.Add(-20 * time.Second), ClientID: "org.virtengine.capture-demo", Account: userDID}
		return veid.SignUpload(b, sealed, clientKey, userKey)
	}
	// score runs every validator on the upload and tallies.
	score := func(label string, up *veid.Upload) (*veid.TallyResult, *veid.ValidatorRun, error) {
		req := veid.RequestID(up.Evidence)
		var votes []veid.Vote
		var first *veid.ValidatorRun
		for _, v := range vals {
			var run *veid.ValidatorRun
			if err := r.step(fmt.Sprintf("%s%s: decrypt, extract, score", label, v.info.Name), func() (string, error) {
				var err error
				run, err = veid.ScoreEvidence(ctx, up.Evidence, req, v.info.Name, v.id, v.vote, ext, veid.CompositeV2{}, params)
				if err != nil {
					return "", err
				}
				f := run.Features
				return fmt.Sprintf("score %d %v hash %s… (doc %d face %d live %d cons %d)", run.Result.Score, run.Result.Reasons,
					hex.EncodeToString(run.Result.InputHash[:4]), f.Document, f.FaceMatch, f.Liveness, f.Consistency), nil
			}); err != nil {
				return nil, nil, err
			}
			if first == nil {
				first = run
			}
			votes = append(votes, run.Vote)
		}
		var t *veid.TallyResult
		err := r.step(label+"tally: > 2/3 of voting power on score and input hash", func() (string, error) {
			var err error
			t, err = veid.Tally(req, set, votes)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("final score %d (passed %v) with %d/%d power; dissenters %d", t.Score, t.Passed, t.Power, t.TotalPower, len(t.Dissenters)), nil
		})
		return t, first, err
	}

	// 3. The genuine verification.
	salt, err := veid.NewSalt(rand.Reader)
	if err != nil {
		return rep, err
	}
	var up *veid.Upload
	if err := r.step("capture: seal evidence to validators, bind salt, sign upload", func() (string, error) {
		var err error
		if up, err = capture(img["faces/public_domain/obama2.jpg"], frames, salt); err != nil {
			return "", err
		}
		raw, err := up.MarshalBinary()
		return fmt.Sprintf("envelope %d KiB to %d recipients; upload %d KiB signed by client and user", len(up.Evidence)>>10, nval, len(raw)>>10), err
	}); err != nil {
		return rep, err
	}
	if err := r.step("network: verify capture binding (client, salt, time, signatures)", func() (string, error) {
		raw, _ := up.MarshalBinary()
		parsed, err := veid.ParseUpload(raw)
		if err != nil {
			return "", err
		}
		return "accepted; salt remembered for 10 min", verifier.Verify(parsed, now)
	}); err != nil {
		return rep, err
	}
	tally, run, err := score("", up)
	if err != nil {
		return rep, err
	}
	rep.Score, rep.Final, rep.Agreeing = tally.Score, tally.Final, tally.Agreeing
	if !tally.Passed {
		return rep, fmt.Errorf("demo: the genuine capture did not pass (score %d, %v)", run.Result.Score, run.Result.Reasons)
	}

	record := veid.NewRecord(userDID)
	if err := r.step("identity record: pending → in_progress → scored", func() (string, error) {
		for _, s := range []veid.Status{veid.StatusPending, veid.StatusInProgress} {
			if err := record.Transition(s, now, "demo"); err != nil {
				return "", err
			}
		}
		if err := record.ApplyResultWithFactor(run.Result, now, false); err != nil {
			return "", err
		}
		return fmt.Sprintf("score %d → %s", record.Score, record.Status), nil
	}); err != nil {
		return rep, err
	}
	if record.Status == veid.StatusNeedsAdditionalFactor {
		if err := r.step("borderline score [85, 90): one more factor (TOTP, RFC 6238)", func() (string, error) {
			key, err := mfa.GenerateTOTP("VirtEngine", userDID, mfa.SHA1, 6, nil)
			if err != nil {
				return "", err
			}
			totp := mfa.NewTOTP()
			if err := totp.Enroll(userDID, key); err != nil {
				return "", err
			}
			if err := record.Transition(veid.StatusAdditionalFactorPending, now, "TOTP challenge"); err != nil {
				return "", err
			}
			code, err := key.Code(now) // what the person's authenticator app shows
			if err != nil {
				return "", err
			}
			if err := totp.Verify(userDID, []byte(code), now); err != nil {
				return "", err
			}
			return "TOTP code accepted → " + string(veid.StatusVerified), record.ApplyResultWithFactor(run.Result, now, true)
		}); err != nil {
			return rep, err
		}
	}
	rep.Tier = record.Tier(now).String()
	if record.Status != veid.StatusVerified {
		return rep, fmt.Errorf("demo: record ended %s", record.Status)
	}
	fmt.Fprintf(w, "    verified: score %d, tier %s, record expires %s\n", record.Score, rep.Tier, record.ExpiresAt.Format("2006-01-02"))

	kinds := []veid.ScopeKind{veid.KindIDDocument, veid.KindSelfie, veid.KindFaceVideo}
	if err := r.step("attestation: W3C VC 2.0, eddsa-jcs-2022, verified", func() (string, error) {
		vc, err := veid.IssueVC(vcIssuer, veid.Attestation{ID: "urn:uuid:" + veid.RequestID(up.Evidence), Subject: userDID,
			Result: run.Result, Scopes: kinds, IssuedAt: now})
		if err != nil {
			return "", err
		}
		rep.VCBytes = len(vc)
		c, err := veid.VerifyVC(vc, vcIssuer.Key.Public().(ed25519.PublicKey), now)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d bytes, issuer %s…, valid until %s", len(vc), c.Issuer[:20], c.ValidUntil.Format("2006-01-02")), nil
	}); err != nil {
		return rep, err
	}

	holder, err := zk.GenerateHolderSecret(nil)
	if err != nil {
		return rep, err
	}
	tree := zk.NewRevocationTree()
	var cred *zk.Credential
	if err := r.step("zk credential: birth date and country from the MRZ", func() (string, error) {
		er, err := eng.ReadMRZ("passport-td2.jpg", document)
		if err != nil {
			return "", err
		}
		iso, err := mrz.ISODate(er.BirthDate, false, now)
		if err != nil {
			return "", fmt.Errorf("MRZ birth date %q: %w", er.BirthDate, err)
		}
		birth, _ := time.Parse("2006-01-02", iso)
		country, ok := countryNumeric[er.Nationality]
		if !ok {
			return "", fmt.Errorf("no ISO 3166-1 numeric code known for %q", er.Nationality)
		}
		cred, err = veid.IssueZKCredential(zkIssuer, tree, run.Result, kinds, veid.ZKHolder{BirthDate: birth, Country: country, Key: holder.PublicKey()}, now, nil)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s, born %s, nationality %s (%d), score %d, tier %d", er.Surname, iso, er.Nationality, country, cred.Attributes.Score, cred.Attributes.Tier), nil
	}); err != nil {
		return rep, err
	}

	// 4. The relying party.
	var req *zk.Request
	var pres *zk.Presentation
	if err := r.step(`relying party asks "age ≥ 18 and score ≥ 70"; wallet proves`, func() (string, error) {
		var err error
		if req, err = zk.NewRequest("https://shop.example", zk.DayOf(now), zkIssuer.Public()); err != nil {
			return "", err
		}
		minScore := uint32(70)
		root := tree.Root()
		req.MinAge, req.NotExpired, req.HolderBinding, req.RevocationRoot = 18, true, true, &root
		req.Ranges = []zk.Range{{Attribute: "score", Min: &minScore}}
		path := tree.Path(cred.Attributes.RevocationIndex)
		if pres, err = zk.Prove(pk, req, cred, holder, &path); err != nil {
			return "", err
		}
		rep.ProofBytes = len(pres.Proof)
		return fmt.Sprintf("Groth16 proof %d bytes; also proves: issuer signature, not expired, not revoked, holder binding", len(pres.Proof)), nil
	}); err != nil {
		return rep, err
	}
	nonces := zk.NewMemoryNonceStore()
	rpVerifier := &zk.Verifier{Key: vk, Nonces: nonces, AllowUnsafeSetup: true}
	if err := r.step("relying party verifies the proof offline", func() (string, error) {
		res := rpVerifier.Verify(req, pres, now)
		rep.ProofValid = res.Valid
		if !res.Valid {
			return "", res.Err()
		}
		return "valid: the person is over 18 with score ≥ 70; nothing else was revealed", nil
	}); err != nil {
		return rep, err
	}

	// 5. The attacks.
	fmt.Fprintln(w, "\nAttacks the network must refuse:")
	reject := func(name string, fn func() error) error {
		var got error
		err := r.step("REJECT "+name, func() (string, error) {
			got = fn()
			if got == nil {
				return "", fmt.Errorf("demo: %s was accepted", name)
			}
			code := ""
			var ve *veid.Error
			if errors.As(got, &ve) {
				code = ve.Code
			}
			rep.Rejections = append(rep.Rejections, Rejection{Case: name, Code: code, Err: got.Error()})
			return "refused: " + got.Error(), nil
		})
		return err
	}
	if err := reject("proof replayed to the relying party", func() error {
		if res := rpVerifier.Verify(req, pres, now); !res.Valid {
			return res.Err()
		}
		return nil
	}); err != nil {
		return rep, err
	}
	if err := reject("reused capture salt (gallery replay)", func() error {
		again, err := capture(img["faces/public_domain/obama2.jpg"], nil, salt)
		if err != nil {
			return err
		}
		return verifier.Verify(again, now.Add(time.Second))
	}); err != nil {
		return rep, err
	}
	fresh, err := veid.NewSalt(rand.Reader)
	if err != nil {
		return rep, err
	}
	still := img["faces/liveness/spoof_F1.jpg"]
	spoof, err := capture(still, [][]byte{still, still, still}, fresh)
	if err != nil {
		return rep, err
	}
	if err := verifier.Verify(spoof, now.Add(2*time.Second)); err != nil {
		return rep, fmt.Errorf("demo: spoof capture binding: %w", err)
	}
	stally, srun, err := score("spoof: ", spoof)
	if err != nil {
		return rep, err
	}
	if err := reject("spoofed selfie (photo of a photo, replayed still frames)", func() error {
		if stally.Passed {
			return nil
		}
		if _, err := veid.IssueVC(vcIssuer, veid.Attestation{ID: "urn:uuid:spoof", Subject: userDID, Result: srun.Result, Scopes: kinds, IssuedAt: now}); err != nil {
			return fmt.Errorf("%w; no credential issued", err)
		}
		return nil
	}); err != nil {
		return rep, err
	}
	rep.TotalMillis = time.Since(start).Milliseconds()
	fmt.Fprintf(w, "\nDone in %s: score %d (tier %s) final with %d of %d validators; proof verified; %d attacks refused.\n",
		time.Since(start).Round(time.Millisecond), rep.Score, rep.Tier, len(rep.Agreeing), nval, len(rep.Rejections))
	return rep, nil
}
