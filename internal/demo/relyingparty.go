package demo

import (
	"fmt"

	"github.com/virtengine/sdk/zk"
)

// relyingParty asks "age ≥ 18 and score ≥ 70" (with issuer signature, not expired, not revoked and
// holder binding), the wallet proves it, and the relying party verifies offline.
func (f *flow) relyingParty() error {
	if err := f.step(`relying party asks "age ≥ 18 and score ≥ 70"; wallet proves`, func() (string, error) {
		req, err := zk.NewRequest("https://shop.example", zk.DayOf(f.now), f.zkIssuer.Public())
		if err != nil {
			return "", err
		}
		minScore := uint32(70)
		root := f.tree.Root()
		req.MinAge, req.NotExpired, req.HolderBinding, req.RevocationRoot = 18, true, true, &root
		req.Ranges = []zk.Range{{Attribute: "score", Min: &minScore}}
		path := f.tree.Path(f.cred.Attributes.RevocationIndex)
		pres, err := zk.Prove(f.pk, req, f.cred, f.holder, &path)
		if err != nil {
			return "", err
		}
		f.req, f.pres = req, pres
		f.rep.ProofBytes = len(pres.Proof)
		return fmt.Sprintf("Groth16 proof %d bytes; also proves: issuer signature, not expired, not revoked, holder binding", len(pres.Proof)), nil
	}); err != nil {
		return err
	}
	f.rp = &zk.Verifier{Key: f.vk, Nonces: zk.NewMemoryNonceStore(), AllowUnsafeSetup: true}
	return f.step("relying party verifies the proof offline", func() (string, error) {
		res := f.rp.Verify(f.req, f.pres, f.now)
		f.rep.ProofValid = res.Valid
		if !res.Valid {
			return "", res.Err()
		}
		return "valid: the person is over 18 with score ≥ 70; nothing else was revealed", nil
	})
}
