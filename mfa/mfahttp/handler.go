// Package mfahttp is a thin net/http adapter over package mfa: JSON endpoints to register passkeys,
// pass a step-up challenge with one and authorize a transaction. All decisions stay in mfa; this
// package only decodes requests, calls mfa and encodes answers with stable error codes.
//
// Routes (all POST with JSON bodies unless noted; the WebAuthn finish bodies are the browser's
// PublicKeyCredential.toJSON()):
//
//	GET  /policy                                  the policy table
//	POST /passkeys/register/begin    {account}    → CredentialCreationOptions
//	POST /passkeys/register/finish?account=A      → the registered credential
//	POST /stepup/begin {account, tx, value, device} → {challenge, options}
//	POST /stepup/passkey?challenge=ID             → {complete, session}
//	POST /authorize {account, tx, value, device, session_id} → Authorization
//
// The adapter trusts the account named in requests: mount it behind your own login, and take the
// account from your session instead (Server.Account).
package mfahttp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/virtengine/sdk/mfa"
)

// maxBody bounds request bodies; WebAuthn responses are bounded again by mfa.
const maxBody = mfa.MaxWebAuthnResponse

// Server serves the endpoints. Engine and Passkeys are required.
type Server struct {
	Engine   *mfa.Engine
	Passkeys *mfa.Passkeys
	// Score returns the identity score of an account (from the identity module); nil means 0.
	Score func(account string) uint8
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Account, when set, names the account of a request (from the caller's login session) and
	// overrides the account in request bodies.
	Account func(r *http.Request) (string, error)
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /policy", s.policy)
	mux.HandleFunc("POST /passkeys/register/begin", s.registerBegin)
	mux.HandleFunc("POST /passkeys/register/finish", s.registerFinish)
	mux.HandleFunc("POST /stepup/begin", s.stepUpBegin)
	mux.HandleFunc("POST /stepup/passkey", s.stepUpPasskey)
	mux.HandleFunc("POST /authorize", s.authorize)
	return mux
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) account(r *http.Request, fromBody string) (string, error) {
	if s.Account != nil {
		return s.Account(r)
	}
	if fromBody == "" {
		fromBody = r.URL.Query().Get("account")
	}
	if fromBody == "" {
		return "", fmt.Errorf("%w: missing account", mfa.ErrInvalidInput)
	}
	return fromBody, nil
}

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read body: %v", mfa.ErrInvalidInput, err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("%w: body larger than %d bytes", mfa.ErrInvalidInput, maxBody)
	}
	return b, nil
}

func decode(r *http.Request, v any) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: JSON body: %v", mfa.ErrInvalidInput, err)
	}
	return nil
}

func (s *Server) policy(w http.ResponseWriter, r *http.Request) {
	p := s.Engine.Policy()
	writeJSON(w, http.StatusOK, struct {
		*mfa.Policy
		Hash string `json:"hash"`
	}{p, p.Hash()})
}

type accountBody struct {
	Account string `json:"account"`
}

func (s *Server) registerBegin(w http.ResponseWriter, r *http.Request) {
	var req accountBody
	if err := decode(r, &req); err != nil {
		writeError(w, err)
		return
	}
	acct, err := s.account(r, req.Account)
	if err != nil {
		writeError(w, err)
		return
	}
	opts, err := s.Passkeys.BeginRegistration(acct, s.now())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, opts)
}

func (s *Server) registerFinish(w http.ResponseWriter, r *http.Request) {
	acct, err := s.account(r, "")
	if err != nil {
		writeError(w, err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	cred, err := s.Passkeys.FinishRegistration(acct, body, s.now())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, cred)
}

// StepUpBeginRequest is the body of POST /stepup/begin.
type StepUpBeginRequest struct {
	Account string     `json:"account"`
	Tx      mfa.TxType `json:"tx"`
	Value   uint64     `json:"value"`
	Device  string     `json:"device,omitempty"`
}

// StepUpBeginResponse is its answer: the challenge and, when the account has passkeys, the
// WebAuthn request options to answer it with.
type StepUpBeginResponse struct {
	Challenge mfa.Challenge `json:"challenge"`
	Options   any           `json:"options,omitempty"`
}

func (s *Server) stepUpBegin(w http.ResponseWriter, r *http.Request) {
	var req StepUpBeginRequest
	if err := decode(r, &req); err != nil {
		writeError(w, err)
		return
	}
	acct, err := s.account(r, req.Account)
	if err != nil {
		writeError(w, err)
		return
	}
	var score uint8
	if s.Score != nil {
		score = s.Score(acct)
	}
	now := s.now()
	c, err := s.Engine.Begin(mfa.StepUpRequest{Account: acct, Tx: req.Tx, Value: req.Value, Device: req.Device, Score: score}, now)
	if err != nil {
		writeError(w, err)
		return
	}
	resp := StepUpBeginResponse{Challenge: c}
	if len(s.Passkeys.Credentials(acct)) > 0 {
		opts, err := s.Passkeys.BeginLogin(acct, now)
		if err != nil {
			writeError(w, err)
			return
		}
		resp.Options = opts
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) stepUpPasskey(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	id := r.URL.Query().Get("challenge")
	if s.Account != nil { // with a login session, the challenge must be the caller's
		acct, err := s.Account(r)
		if err != nil {
			writeError(w, err)
			return
		}
		if c, err := s.Engine.Challenge(id); err != nil || c.Account != acct {
			writeError(w, mfa.ErrChallengeNotFound)
			return
		}
	}
	p, err := s.Engine.Submit(id, s.Passkeys, body, s.now())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// AuthorizeRequest is the body of POST /authorize.
type AuthorizeRequest struct {
	Account   string     `json:"account"`
	Tx        mfa.TxType `json:"tx"`
	Value     uint64     `json:"value"`
	Device    string     `json:"device,omitempty"`
	SessionID string     `json:"session_id,omitempty"`
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	var req AuthorizeRequest
	if err := decode(r, &req); err != nil {
		writeError(w, err)
		return
	}
	acct, err := s.account(r, req.Account)
	if err != nil {
		writeError(w, err)
		return
	}
	a, err := s.Engine.Authorize(mfa.AuthorizeRequest{Account: acct, Tx: req.Tx, Value: req.Value, Device: req.Device, SessionID: req.SessionID}, s.now())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
