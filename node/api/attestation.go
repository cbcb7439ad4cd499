package api

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/virtengine/sdk/node/app"
	"github.com/virtengine/sdk/veid"
)

// SetIssuer sets this validator's attestation key.
func (s *Server) SetIssuer(k ed25519.PrivateKey) {
	iss := veid.NewIssuer(k)
	s.mu.Lock()
	s.issuer = &iss
	s.mu.Unlock()
}

// attestation serves GET /v1/identity/{addr}/attestation: the account's consensus score as a W3C
// Verifiable Credential 2.0 with an eddsa-jcs-2022 proof by this validator's attestation key (its
// public key is in /v1/query/validators). The score itself comes from committed state: the VC only
// restates what more than 2/3 of the voting power agreed on.
func (s *Server) attestation(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	iss := s.issuer
	s.mu.Unlock()
	if iss == nil {
		writeJSON(w, http.StatusNotImplemented, apiError{Error: "this node has no attestation key"})
		return
	}
	addr := r.PathValue("addr")
	res, err := s.client().ABCIQuery(r.Context(), "/identity/"+addr, nil)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: err.Error()})
		return
	}
	if res.Response.Code != 0 {
		writeJSON(w, http.StatusNotFound, apiError{Error: res.Response.Log, Code: res.Response.Code})
		return
	}
	var id app.Identity
	if err := json.Unmarshal(res.Response.Value, &id); err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{Error: err.Error()})
		return
	}
	if id.Status != "verified" {
		writeJSON(w, http.StatusConflict, apiError{Error: "the account's identity is " + id.Status + "; only a passed verification is attested"})
		return
	}
	var ih [32]byte
	copy(ih[:], id.InputHash)
	vc, err := veid.IssueVC(*iss, veid.Attestation{
		ID:       "urn:virtengine:identity:" + hex.EncodeToString(id.Request),
		Subject:  "urn:virtengine:account:" + addr,
		Result:   veid.Result{Model: id.Model, Score: int(id.Score), TotalBP: id.Score * 100, Passed: true, InputHash: ih},
		Scopes:   []veid.ScopeKind{veid.KindIDDocument, veid.KindSelfie},
		IssuedAt: time.Unix(id.IssuedAt, 0).UTC(),
	})
	if err != nil {
		writeJSON(w, http.StatusConflict, apiError{Error: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/vc+ld+json")
	w.Write(vc)
}
