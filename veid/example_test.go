package veid_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/veid"
)

// Scoring is a pure integer function: every validator computes the same result.
func ExampleScore() {
	res, err := veid.Score(veid.Features{
		Extractor: "biometrics-v1", HasDocument: true, HasSelfie: true,
		Document: 9000, FaceMatch: 8000, Liveness: 7000, Consistency: 6000, History: 5000, Risk: 1000,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Model, res.Score, res.Passed, veid.TierFor(res.Score, res.Passed))
	for _, c := range res.Contributions {
		fmt.Printf("%-11s %5d bp\n", c.Component, c.Points)
	}
	// Output:
	// composite-v2 75 true standard
	// document     2250 bp
	// face_match   2000 bp
	// liveness     1400 bp
	// consistency   900 bp
	// history       500 bp
	// risk          450 bp
}

// A capture app signs each upload (client, then user); the network verifies it once and refuses the
// same salt again.
func ExampleSignUpload() {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	client := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	user := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32))
	reg := veid.NewClientRegistry()
	kid, _ := reg.AddKey("org.example.capture", client.Public().(ed25519.PublicKey), now.Add(-time.Hour))
	reg.Activate("org.example.capture", kid, now.Add(-time.Hour))
	v := &veid.Verifier{Clients: reg, Replay: veid.NewReplayCache(0, 0)}

	salt := []byte("0123456789abcdef0123456789abcdef") // in an app: veid.NewSalt(rand.Reader)
	up, _ := veid.SignUpload(veid.Binding{Kind: veid.KindSelfie, Salt: salt, DeviceID: "device-1", SessionID: "s-1",
		CaptureTime: now.Add(-10 * time.Second), ClientID: "org.example.capture", Account: "acct-1"},
		[]byte("sealed evidence"), client, user)
	wire, _ := up.MarshalBinary()

	parsed, _ := veid.ParseUpload(wire)
	fmt.Println("first upload:", v.Verify(parsed, now))
	err := v.Verify(parsed, now.Add(time.Second))
	fmt.Println("same salt again:", errors.Is(err, veid.ErrSaltReused))
	// Output:
	// first upload: <nil>
	// same salt again: true
}

// Validators score sealed evidence independently; the tally finalizes with more than 2/3 of power.
func ExampleTally() {
	type member struct {
		id  *envelope.HPKEIdentity
		key ed25519.PrivateKey
	}
	var set []veid.ValidatorInfo
	var members []member
	for i := range 4 {
		id, _ := envelope.GenerateIdentity(envelope.XWing)
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(10 + i)}, 32))
		set = append(set, veid.ValidatorInfo{Name: fmt.Sprintf("v%d", i), Power: 25, Recipient: id.Recipient(), VoteKey: key.Public().(ed25519.PublicKey)})
		members = append(members, member{id, key})
	}
	features, _ := json.Marshal(veid.Features{HasDocument: true, HasSelfie: true,
		Document: 9500, FaceMatch: 8800, Liveness: 9900, Consistency: 10000, History: 5000, Risk: 500})
	sender, _ := envelope.GenerateSigningKey(envelope.Ed25519)
	sealed, _ := veid.SealEvidence(&veid.Evidence{Items: []veid.EvidenceItem{{Kind: veid.KindIDDocument, Name: "features.json", Data: features}}}, sender, set)

	params := veid.Params{Model: veid.CompositeV2Version, Extractor: "json-v1"}
	req := veid.RequestID(sealed)
	var votes []veid.Vote
	for i, m := range members {
		run, err := veid.ScoreEvidence(context.Background(), sealed, req, set[i].Name, m.id, m.key, jsonFeatures{}, veid.CompositeV2{}, params)
		if err != nil {
			panic(err)
		}
		votes = append(votes, run.Vote)
	}
	votes[3].Score = 99 // a faulty validator signs another score
	if err := veid.SignVote(&votes[3], members[3].key); err != nil {
		panic(err)
	}

	t, err := veid.Tally(req, set, votes)
	fmt.Println(err, t.Final, t.Score, t.Power, "of", t.TotalPower, "dissenter:", t.Dissenters[0].Validator)
	// Output:
	// <nil> true 90 75 of 100 dissenter: v3
}

// jsonFeatures reads features from a JSON item (a web-scope-only extractor).
type jsonFeatures struct{}

func (jsonFeatures) Version() string { return "json-v1" }
func (jsonFeatures) Extract(_ context.Context, ev *veid.Evidence) (veid.Features, error) {
	var f veid.Features
	return f, json.Unmarshal(ev.Items[0].Data, &f)
}

// The network attests a passed verification as a W3C Verifiable Credential with an eddsa-jcs-2022
// proof that anyone can verify with the issuer's key.
func ExampleIssueVC() {
	now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	issuer := veid.NewIssuer(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)))
	res, _ := veid.Score(veid.Features{HasDocument: true, HasSelfie: true,
		Document: 9000, FaceMatch: 8000, Liveness: 9000, Consistency: 9000, History: 5000, Risk: 1000})
	vc, _ := veid.IssueVC(issuer, veid.Attestation{ID: "urn:uuid:5c1f7a9e-0000-4000-8000-000000000001", Subject: "did:example:holder",
		Result: res, Scopes: []veid.ScopeKind{veid.KindIDDocument, veid.KindSelfie}, IssuedAt: now})

	c, err := veid.VerifyVC(vc, issuer.Key.Public().(ed25519.PublicKey), now.Add(time.Hour))
	fmt.Println(err, c.Type, c.Subject["score"], c.Subject["tier"], c.ValidUntil.Format("2006-01-02"))
	// Output:
	// <nil> [VerifiableCredential VEIDIdentityCredential] 83 standard 2026-02-01
}
