package demo

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/virtengine/sdk/veid"
)

// reject runs an attack that must fail and records how it was refused.
func (f *flow) reject(name string, attack func() error) error {
	return f.step("REJECT "+name, func() (string, error) {
		got := attack()
		if got == nil {
			return "", fmt.Errorf("demo: %s was accepted", name)
		}
		code := ""
		var ve *veid.Error
		switch {
		case errors.As(got, &ve):
			code = ve.Code
		case errors.Is(got, veid.ErrDuplicateIdentity):
			code = "DUPLICATE_IDENTITY"
		}
		f.rep.Rejections = append(f.rep.Rejections, Rejection{Case: name, Code: code, Err: got.Error()})
		return "refused: " + got.Error(), nil
	})
}

// attacks shows the network refusing a replayed proof, a reused capture salt and a spoofed selfie.
func (f *flow) attacks() error {
	fmt.Fprintln(f.w, "\nAttacks the network must refuse:")
	if err := f.reject("proof replayed to the relying party", func() error {
		if res := f.rp.Verify(f.req, f.pres, f.now); !res.Valid {
			return res.Err()
		}
		return nil
	}); err != nil {
		return err
	}
	if err := f.reject("reused capture salt (gallery replay)", func() error {
		again, err := f.capture(f.img[imgSelfie], nil, f.salt)
		if err != nil {
			return err
		}
		return f.verifier.Verify(again, f.now.Add(time.Second))
	}); err != nil {
		return err
	}
	if err := f.reject("same face on a second account (another document)", func() error {
		t, err := f.faceTemplate(f.img[imgSameFace])
		if err != nil {
			return err
		}
		_, second, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		did, _ := veid.DIDKey(second.Public().(ed25519.PublicKey))
		return f.duplicates.Check(did, t, [32]byte{})
	}); err != nil {
		return err
	}
	// A photo of a photo as the selfie, and the same still repeated as the face video. The capture
	// itself is well bound (fresh salt): the validators must catch it.
	fresh, err := veid.NewSalt(rand.Reader)
	if err != nil {
		return err
	}
	still := f.img[imgSpoof]
	spoof, err := f.capture(still, [][]byte{still, still, still}, fresh)
	if err != nil {
		return err
	}
	if err := f.verifier.Verify(spoof, f.now.Add(2*time.Second)); err != nil {
		return fmt.Errorf("demo: spoof capture binding: %w", err)
	}
	tally, run, err := f.score("spoof: ", spoof)
	if err != nil {
		return err
	}
	return f.reject("spoofed selfie (photo of a photo, replayed still frames)", func() error {
		if tally.Passed {
			return nil
		}
		if _, err := veid.IssueVC(f.vcIssuer, veid.Attestation{ID: "urn:uuid:00000000-0000-4000-8000-000000000000", Subject: f.userDID,
			Result: run.Result, Scopes: f.kinds, IssuedAt: f.now}); err != nil {
			return fmt.Errorf("%w; no credential issued", err)
		}
		return nil
	})
}
