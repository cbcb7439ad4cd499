package demo

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/mfa"
	"github.com/virtengine/sdk/veid"
)

// capture is the wallet: it seals the evidence to the validators and binds it to a capture salt,
// signed by the approved capture client and then by the user.
func (f *flow) capture(selfie []byte, video [][]byte, salt []byte) (*veid.Upload, error) {
	claimed, err := json.Marshal(biometrics.ClaimedFields{Surname: "Eriksson", BirthDate: "1974-08-12"})
	if err != nil {
		return nil, err
	}
	ev := &veid.Evidence{Items: []veid.EvidenceItem{
		{Kind: veid.KindIDDocument, Name: itemDocument, Data: f.document},
		{Kind: veid.KindIDDocument, Name: itemClaimed, Data: claimed},
		{Kind: veid.KindSelfie, Name: itemSelfie, Data: selfie},
	}}
	for i, fr := range video {
		ev.Items = append(ev.Items, veid.EvidenceItem{Kind: veid.KindFaceVideo, Name: fmt.Sprintf("frame-%d.jpg", i), Data: fr})
	}
	sealed, err := veid.SealEvidence(ev, f.userSeal, f.set)
	if err != nil {
		return nil, err
	}
	b := veid.Binding{Kind: veid.KindSelfie, Salt: salt, DeviceID: "demo-device", SessionID: "session-1",
		CaptureTime: f.now.Add(-20 * time.Second), ClientID: captureClientID, Account: f.userDID}
	return veid.SignUpload(b, sealed, f.clientKey, f.userKey)
}

// score has every validator open, extract and score the upload on its own, then tallies the votes.
func (f *flow) score(label string, up *veid.Upload) (*veid.TallyResult, *veid.ValidatorRun, error) {
	req := veid.RequestID(up.Evidence)
	var votes []veid.Vote
	var first *veid.ValidatorRun
	for _, v := range f.vals {
		var run *veid.ValidatorRun
		if err := f.step(fmt.Sprintf("%s%s: decrypt, extract, score", label, v.info.Name), func() (string, error) {
			var err error
			run, err = veid.ScoreEvidence(f.ctx, up.Evidence, req, v.info.Name, v.id, v.vote, f.ext, veid.CompositeV2{}, f.params)
			if err != nil {
				return "", err
			}
			x := run.Features
			return fmt.Sprintf("score %d %v hash %s… (doc %d face %d live %d cons %d)", run.Result.Score, run.Result.Reasons,
				hex.EncodeToString(run.Result.InputHash[:4]), x.Document, x.FaceMatch, x.Liveness, x.Consistency), nil
		}); err != nil {
			return nil, nil, err
		}
		if first == nil {
			first = run
		}
		votes = append(votes, run.Vote)
	}
	var t *veid.TallyResult
	err := f.step(label+"tally: > 2/3 of voting power on score and input hash", func() (string, error) {
		var err error
		if t, err = veid.Tally(req, f.set, votes); err != nil {
			return "", err
		}
		return fmt.Sprintf("final score %d (passed %v) with %d/%d power; dissenters %d", t.Score, t.Passed, t.Power, t.TotalPower, len(t.Dissenters)), nil
	})
	return t, first, err
}

// verify is the genuine verification: capture, capture-binding check, scoring, record.
func (f *flow) verify() error {
	var err error
	if f.salt, err = veid.NewSalt(rand.Reader); err != nil {
		return err
	}
	var up *veid.Upload
	if err := f.step("capture: seal evidence to validators, bind salt, sign upload", func() (string, error) {
		var err error
		if up, err = f.capture(f.img[imgSelfie], f.frames, f.salt); err != nil {
			return "", err
		}
		raw, err := up.MarshalBinary()
		return fmt.Sprintf("envelope %d KiB to %d recipients; upload %d KiB signed by client and user", len(up.Evidence)>>10, f.nval, len(raw)>>10), err
	}); err != nil {
		return err
	}
	if err := f.step("network: verify capture binding (client, salt, time, signatures)", func() (string, error) {
		raw, err := up.MarshalBinary()
		if err != nil {
			return "", err
		}
		parsed, err := veid.ParseUpload(raw)
		if err != nil {
			return "", err
		}
		return "accepted; salt remembered for 10 min", f.verifier.Verify(parsed, f.now)
	}); err != nil {
		return err
	}
	tally, run, err := f.score("", up)
	if err != nil {
		return err
	}
	f.run = run
	f.rep.Score, f.rep.Final, f.rep.Agreeing = tally.Score, tally.Final, tally.Agreeing
	if !tally.Passed {
		return fmt.Errorf("demo: the genuine capture did not pass (score %d, %v)", run.Result.Score, run.Result.Reasons)
	}
	return f.record()
}

// record moves the identity record to verified, asking for one more factor in the borderline band.
func (f *flow) record() error {
	record := veid.NewRecord(f.userDID)
	if err := f.step("identity record: pending → in_progress → scored", func() (string, error) {
		for _, s := range []veid.Status{veid.StatusPending, veid.StatusInProgress} {
			if err := record.Transition(s, f.now, "demo"); err != nil {
				return "", err
			}
		}
		if err := record.ApplyResultWithFactor(f.run.Result, f.now, false); err != nil {
			return "", err
		}
		return fmt.Sprintf("score %d → %s", record.Score, record.Status), nil
	}); err != nil {
		return err
	}
	if record.Status == veid.StatusNeedsAdditionalFactor {
		if err := f.step("borderline score [85, 90): one more factor (TOTP, RFC 6238)", func() (string, error) {
			key, err := mfa.GenerateTOTP("VirtEngine", f.userDID, mfa.SHA1, 6, nil)
			if err != nil {
				return "", err
			}
			totp := mfa.NewTOTP()
			if err := totp.Enroll(f.userDID, key); err != nil {
				return "", err
			}
			if err := record.Transition(veid.StatusAdditionalFactorPending, f.now, "TOTP challenge"); err != nil {
				return "", err
			}
			code, err := key.Code(f.now) // what the person's authenticator app shows
			if err != nil {
				return "", err
			}
			if err := totp.Verify(f.userDID, []byte(code), f.now); err != nil {
				return "", err
			}
			return "TOTP code accepted → " + string(veid.StatusVerified), record.ApplyResultWithFactor(f.run.Result, f.now, true)
		}); err != nil {
			return err
		}
	}
	f.rep.Tier = record.Tier(f.now).String()
	if record.Status != veid.StatusVerified {
		return fmt.Errorf("demo: record ended %s", record.Status)
	}
	fmt.Fprintf(f.w, "    verified: score %d, tier %s, record expires %s\n", record.Score, f.rep.Tier, record.ExpiresAt.Format("2006-01-02"))
	return nil
}
