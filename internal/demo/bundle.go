package demo

import (
	"encoding/json"
	"fmt"

	"github.com/virtengine/sdk/biometrics"
	"github.com/virtengine/sdk/veid"
)

// GenuineEvidence builds the demo's genuine capture as a veid evidence bundle, the plaintext a wallet
// seals to the validators: the ICAO specimen passport (passport-td2.jpg) with obama.jpg printed as
// its portrait, the claimed fields, the selfie obama2.jpg and a synthetic 6-frame head turn to the
// left (challenge biometrics.TurnLeft). eng finds the faces to compose the document and the frames.
// The specimen expired in 2012: extract it at DefaultBlockTime. It also returns a one-line summary.
func GenuineEvidence(eng *biometrics.Engine) (*veid.Evidence, string, error) {
	f := &flow{eng: eng}
	summary, err := f.images()
	if err != nil {
		return nil, "", err
	}
	claimed, err := json.Marshal(biometrics.ClaimedFields{Surname: "Eriksson", BirthDate: "1974-08-12"})
	if err != nil {
		return nil, "", err
	}
	ev := &veid.Evidence{Items: []veid.EvidenceItem{
		{Kind: veid.KindIDDocument, Name: itemDocument, Data: f.document},
		{Kind: veid.KindIDDocument, Name: itemClaimed, Data: claimed},
		{Kind: veid.KindSelfie, Name: itemSelfie, Data: f.img[imgSelfie]},
	}}
	for i, fr := range f.frames {
		ev.Items = append(ev.Items, veid.EvidenceItem{Kind: veid.KindFaceVideo, Name: fmt.Sprintf("frame-%d.jpg", i), Data: fr})
	}
	return ev, summary, nil
}
