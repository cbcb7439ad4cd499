package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/envelope"
	"github.com/virtengine/sdk/internal/assets"
	"github.com/virtengine/sdk/veid"
	"github.com/virtengine/sdk/zk"
)

const captureClientID = "org.virtengine.capture-demo"

// Test images the demo uses (paths in the data directory's testdata).
const (
	imgPassport = "documents/mrz/passport-td2.jpg"
	imgPortrait = "faces/public_domain/obama.jpg"
	imgSelfie   = "faces/public_domain/obama2.jpg"
	imgSpoof    = "faces/liveness/spoof_F1.jpg"
	imgSameFace = "faces/public_domain/obama3.jpg" // the same person, for a second account
)

type validator struct {
	info veid.ValidatorInfo
	id   *envelope.HPKEIdentity
	vote ed25519.PrivateKey
}

// flow is the state of one demo run, passed from phase to phase.
type flow struct {
	ctx  context.Context
	w    io.Writer
	now  time.Time
	nval int
	rep  *Report
	n    int // steps so far

	eng      *biometrics.Engine
	img      map[string][]byte
	document []byte   // the specimen passport with the portrait printed on it
	frames   [][]byte // the synthetic head-turn video

	vals      []validator
	set       []veid.ValidatorInfo
	clientKey ed25519.PrivateKey
	userKey   ed25519.PrivateKey
	userDID   string
	userSeal  *envelope.SigningKey
	vcIssuer  veid.Issuer
	zkIssuer  *zk.IssuerPrivateKey
	pk        *zk.ProvingKey
	vk        *zk.VerifyingKey

	ext      *BioExtractor
	params   veid.Params
	verifier *veid.Verifier

	salt   []byte             // the genuine capture's salt
	run    *veid.ValidatorRun // a validator's run of the genuine capture
	kinds  []veid.ScopeKind
	holder *zk.HolderSecret
	tree   *zk.RevocationTree
	cred   *zk.Credential
	req    *zk.Request
	pres   *zk.Presentation
	rp     *zk.Verifier

	templateKey    []byte              // the network's secret for protected templates
	docFingerprint [32]byte            // of the verified passport
	duplicates     veid.DuplicateIndex // faces and documents already verified, by protected template
}

func (f *flow) close() {
	if f.eng != nil {
		f.eng.Close()
	}
}

// setup opens the models, prepares the images and makes every key.
func (f *flow) setup() error {
	if err := f.step("open biometric models (YuNet, dlib ResNet, MiniFASNet, MRZ)", func() (string, error) {
		var err error
		if f.eng, err = biometrics.Open(biometrics.Config{}); err != nil {
			return "", fmt.Errorf("%w (data directory %s)", err, assets.DataDir())
		}
		return "model hash " + f.eng.ModelHash()[:16], nil
	}); err != nil {
		return err
	}
	if err := f.step("print obama.jpg onto the ICAO specimen passport; film a head turn", f.images); err != nil {
		return err
	}
	if err := f.step(fmt.Sprintf("keys: %d validators (X-Wing), capture client, user, issuers", f.nval), f.keys); err != nil {
		return err
	}
	if err := f.step("zk setup: credential-v1 circuit, Groth16 (development keys)", func() (string, error) {
		var err error
		f.pk, f.vk, err = zk.SetupUnsafe(zk.Groth16)
		return "UNSAFE development setup; production keys come from the ceremony", err
	}); err != nil {
		return err
	}
	f.ext = &BioExtractor{Engine: f.eng, Account: AccountSignals{History: 5000, Risk: 1000}, BlockTime: f.now, Challenge: biometrics.TurnLeft}
	f.params = veid.Params{Model: veid.CompositeV2Version, Extractor: f.ext.Version()}
	return nil
}

func (f *flow) images() (string, error) {
	f.img = map[string][]byte{}
	for _, name := range []string{imgPassport, imgPortrait, imgSelfie, imgSpoof, imgSameFace} {
		b, err := readTestdata(name)
		if err != nil {
			return "", fmt.Errorf("%w (run scripts/setup.sh)", err)
		}
		f.img[name] = b
	}
	df, err := f.eng.Detect("passport-td2.jpg", f.img[imgPassport])
	if err != nil || len(df) == 0 {
		return "", fmt.Errorf("no portrait found on the specimen passport: %v", err)
	}
	pf, err := f.eng.Detect("obama.jpg", f.img[imgPortrait])
	if err != nil || len(pf) == 0 {
		return "", fmt.Errorf("no face in obama.jpg: %v", err)
	}
	if f.document, err = printPortrait(f.img[imgPassport], f.img[imgPortrait], df[0].Box, pf[0].Box); err != nil {
		return "", err
	}
	// A synthetic selfie video: the head turns left over 6 frames (the session's challenge).
	if f.frames, err = turnFrames(f.img[imgPortrait], pf[0], 6, -0.8); err != nil {
		return "", err
	}
	return fmt.Sprintf("passport-td2.jpg + obama.jpg portrait (%d KiB); selfie obama2.jpg; %d-frame head turn", len(f.document)>>10, len(f.frames)), nil
}

func (f *flow) keys() (string, error) {
	for i := range f.nval {
		id, err := envelope.GenerateIdentity(envelope.XWing)
		if err != nil {
			return "", err
		}
		_, vote, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return "", err
		}
		v := validator{info: veid.ValidatorInfo{Name: fmt.Sprintf("validator-%d", i+1), Power: 10, Recipient: id.Recipient(),
			VoteKey: vote.Public().(ed25519.PublicKey)}, id: id, vote: vote}
		f.vals, f.set = append(f.vals, v), append(f.set, v.info)
	}
	var err error
	if _, f.clientKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
		return "", err
	}
	if _, f.userKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
		return "", err
	}
	f.userDID, _ = veid.DIDKey(f.userKey.Public().(ed25519.PublicKey))
	_, issKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	f.vcIssuer = veid.NewIssuer(issKey)
	f.templateKey = make([]byte, 32)
	if _, err := rand.Read(f.templateKey); err != nil {
		return "", err
	}
	if f.userSeal, err = envelope.GenerateSigningKey(envelope.Ed25519); err != nil {
		return "", err
	}
	if f.zkIssuer, err = zk.GenerateIssuerKey(nil); err != nil {
		return "", err
	}
	registry := veid.NewClientRegistry()
	kid, err := registry.AddKey(captureClientID, f.clientKey.Public().(ed25519.PublicKey), f.now.Add(-time.Hour))
	if err != nil {
		return "", err
	}
	if err := registry.Activate(captureClientID, kid, f.now.Add(-time.Hour)); err != nil {
		return "", err
	}
	f.verifier = &veid.Verifier{Clients: registry, Replay: veid.NewReplayCache(0, 0)}
	return "capture client approved in the registry", nil
}
