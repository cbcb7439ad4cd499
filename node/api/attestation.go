package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/veid"
)

// SetIssuer sets this validator's attestation key: the attestation endpoint serves the proof this
// validator contributed to the network's credential, when there is one.
func (s *Server) SetIssuer(k ed25519.PrivateKey) {
	iss := veid.NewIssuer(k)
	s.mu.Lock()
	s.issuer = &iss
	s.mu.Unlock()
}

// credentialOf reads the account's identity and the network's credential of its latest request.
func (s *Server) credentialOf(ctx context.Context, addr string) (*app.IssuedCredential, int, error) {
	var id app.Identity
	if code, err := s.abciJSON(ctx, "/identity/"+addr, &id); err != nil {
		return nil, code, err
	}
	if id.Status != "verified" {
		return nil, http.StatusConflict, errString("the account's identity is " + id.Status + "; only a passed verification is attested")
	}
	var cr app.IssuedCredential
	if code, err := s.abciJSON(ctx, "/identity/credential/"+hex.EncodeToString(id.Request), &cr); err != nil {
		return nil, code, err
	}
	return &cr, http.StatusOK, nil
}

type errString string

func (e errString) Error() string { return string(e) }

func (s *Server) abciJSON(ctx context.Context, path string, v any) (int, error) {
	res, err := s.client().ABCIQuery(ctx, path, nil)
	if err != nil {
		return http.StatusServiceUnavailable, err
	}
	if res.Response.Code != 0 {
		return http.StatusNotFound, errString(res.Response.Log)
	}
	if err := json.Unmarshal(res.Response.Value, v); err != nil {
		return http.StatusInternalServerError, err
	}
	return http.StatusOK, nil
}

// attestation serves GET /v1/identity/{addr}/attestation: the network's credential of the account's
// consensus score as a W3C Verifiable Credential 2.0 with an eddsa-jcs-2022 proof by one validator's
// registered attestation key (/v1/query/identity/issuers). The validators signed it in their vote
// extensions and the chain stored the signatures; this node only assembles the VC. It serves this
// validator's proof when it signed, else the first one; ?validator=<consensus address hex> picks one.
func (s *Server) attestation(w http.ResponseWriter, r *http.Request) {
	cr, code, err := s.credentialOf(r.Context(), r.PathValue("addr"))
	if err != nil {
		writeJSON(w, code, apiError{Error: err.Error()})
		return
	}
	if len(cr.Proofs) == 0 {
		writeJSON(w, http.StatusConflict, apiError{Error: "the credential is " + cr.Status + " and has no validator signature yet"})
		return
	}
	pick := 0
	s.mu.Lock()
	iss := s.issuer
	s.mu.Unlock()
	want, _ := hex.DecodeString(r.URL.Query().Get("validator"))
	for i, p := range cr.Proofs {
		if (len(want) > 0 && bytes.Equal(p.Validator, want)) || (len(want) == 0 && iss != nil && bytes.Equal(p.AttestationKey, iss.Key.Public().(ed25519.PublicKey))) {
			pick = i
		}
	}
	if len(want) > 0 && !bytes.Equal(cr.Proofs[pick].Validator, want) {
		writeJSON(w, http.StatusNotFound, apiError{Error: "that validator has not signed this credential"})
		return
	}
	p := cr.Proofs[pick]
	vc, err := veid.AssembleVC(ed25519.PublicKey(p.AttestationKey), cr.Attestation(), p.VCSig)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{Error: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/vc+ld+json")
	w.Write(vc)
}

// credential serves GET /v1/identity/{addr}/credential: the network's credential record of the
// account's latest verification (no personal data: the zk attributes are committed and sealed to the
// holder) with its VCs, one per signing validator.
func (s *Server) credential(w http.ResponseWriter, r *http.Request) {
	cr, code, err := s.credentialOf(r.Context(), r.PathValue("addr"))
	if err != nil {
		writeJSON(w, code, apiError{Error: err.Error()})
		return
	}
	vcs, err := cr.VCs()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{Error: err.Error()})
		return
	}
	raw := make([]json.RawMessage, len(vcs))
	for i, v := range vcs {
		raw[i] = v
	}
	writeJSON(w, http.StatusOK, struct {
		*app.IssuedCredential
		VCs []json.RawMessage `json:"vcs"`
	}{cr, raw})
}
