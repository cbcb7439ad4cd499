// Package mfahttp is a thin net/http adapter over package mfa: JSON endpoints to register passkeys,
// pass a step-up challenge with one and authorize a transaction. All decisions stay in mfa; this
// package only decodes requests, calls mfa and encodes answers with stable error codes.
//
// Routes (all POST with JSON bodies unless noted; the WebAuthn finish bodies are the browser's
// PublicKeyCredential.toJSON()):
//
//	GET  /policy                                  the policy table
//	GET  /factors?account=A                       the account's enrollments
//	POST /factors/remove {account, device, session_id, id} → {} (needs a disable_factor step-up)
//	POST /passkeys/register/begin {account, device, session_id, label, replace} → CredentialCreationOptions
//	     (through mfa.Registry: an account's second factor needs a key_rotation or account_recovery
//	     step-up, replacing a lost factor an account_recovery one; ten factors at most)
//	POST /passkeys/register/finish?account=A      → the registered credential and its enrollment
//	POST /stepup/begin {account, tx, value, device} → {challenge, options}
//	POST /stepup/passkey?challenge=ID             → {complete, session}
//	POST /authorize {account, tx, value, device, session_id} → Authorization
//
// The adapter trusts the account named in requests: mount it behind your own login, and take the
// account from your session instead (Server.Account).
package mfahttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/virtengine/sdk/mfa"
)

// maxBody bounds request bodies; WebAuthn responses are bounded again by mfa.
const maxBody = mfa.MaxWebAuthnResponse

// Server serves the endpoints. Engine and Registry are required; the registry must drive a Passkeys
// store (mfa.Registry.SetStores), through which every passkey is registered and removed.
type Server struct {
	Engine   *mfa.Engine
	Registry *mfa.Registry
	// Passkeys verifies step-up assertions; nil means the registry's passkey store.
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
	mux.HandleFunc("GET /policy", handle(s.policy))
	mux.HandleFunc("GET /factors", handle(s.factors))
	mux.HandleFunc("POST /factors/remove", handle(s.removeFactor))
	mux.HandleFunc("POST /passkeys/register/begin", handle(s.registerBegin))
	mux.HandleFunc("POST /passkeys/register/finish", handle(s.registerFinish))
	mux.HandleFunc("POST /stepup/begin", handle(s.stepUpBegin))
	mux.HandleFunc("POST /stepup/passkey", handle(s.stepUpPasskey))
	mux.HandleFunc("POST /authorize", handle(s.authorize))
	return mux
}

// handle turns an endpoint into a handler: its value is sent as JSON with 200, its error with the
// stable code and status of Code.
func handle(fn func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// account names the account of r: Server.Account when set, else fromBody, else ?account=.
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

// accountRequest is a JSON body that names an account.
type accountRequest interface{ accountName() string }

// decodeAccount decodes the JSON body into v and returns the account of the request.
func (s *Server) decodeAccount(r *http.Request, v accountRequest) (string, error) {
	b, err := readBody(r)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return "", fmt.Errorf("%w: JSON body: %v", mfa.ErrInvalidInput, err)
	}
	return s.account(r, v.accountName())
}

func (s *Server) policy(*http.Request) (any, error) {
	p := s.Engine.Policy()
	return struct {
		*mfa.Policy
		Hash string `json:"hash"`
	}{p, p.Hash()}, nil
}

// errNoRegistry answers the factor routes of a Server built without a Registry (500 internal).
var errNoRegistry = errors.New("mfahttp: Server.Registry is not set")

func (s *Server) registry() (*mfa.Registry, error) {
	if s.Registry == nil {
		return nil, errNoRegistry
	}
	return s.Registry, nil
}

// passkeys is the store that verifies step-up assertions.
func (s *Server) passkeys() *mfa.Passkeys {
	if s.Passkeys != nil {
		return s.Passkeys
	}
	if s.Registry != nil {
		return s.Registry.Passkeys()
	}
	return nil
}

// ChangeRequest names the account, the device and the step-up session of a factor change.
type ChangeRequest struct {
	Account   string `json:"account"`
	Device    string `json:"device,omitempty"`
	SessionID string `json:"session_id,omitempty"`
}

func (b *ChangeRequest) accountName() string { return b.Account }

// RegisterBeginRequest is the body of POST /passkeys/register/begin. Device and SessionID name the
// step-up session that authorizes the change; Replace names the enrollment of a lost factor to
// replace (after an account_recovery step-up).
type RegisterBeginRequest struct {
	ChangeRequest
	Label   string `json:"label,omitempty"`
	Replace string `json:"replace,omitempty"`
}

// registerBegin opens a registration through the registry, which applies the factor limit and
// FEATURES.md §4.5: the first factor of an account enrolls freely; another one needs a step-up
// session for key_rotation (or account_recovery), replacing a lost one an account_recovery session.
// The session is used up here, before the ceremony.
func (s *Server) registerBegin(r *http.Request) (any, error) {
	reg, err := s.registry()
	if err != nil {
		return nil, err
	}
	var req RegisterBeginRequest
	acct, err := s.decodeAccount(r, &req)
	if err != nil {
		return nil, err
	}
	return reg.BeginPasskey(mfa.Change{Account: acct, Device: req.Device, SessionID: req.SessionID}, req.Replace, req.Label, s.now())
}

// RegisterFinishResponse is the answer of POST /passkeys/register/finish: the credential, with the
// enrollment the registry recorded.
type RegisterFinishResponse struct {
	mfa.PasskeyCredential
	Enrollment mfa.Enrollment `json:"enrollment"`
}

func (s *Server) registerFinish(r *http.Request) (any, error) {
	reg, err := s.registry()
	if err != nil {
		return nil, err
	}
	acct, err := s.account(r, "")
	if err != nil {
		return nil, err
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	e, cred, err := reg.FinishPasskey(acct, body, s.now())
	if err != nil {
		return nil, err
	}
	return RegisterFinishResponse{PasskeyCredential: cred, Enrollment: e}, nil
}

// factors lists the account's enrollments.
func (s *Server) factors(r *http.Request) (any, error) {
	reg, err := s.registry()
	if err != nil {
		return nil, err
	}
	acct, err := s.account(r, "")
	if err != nil {
		return nil, err
	}
	return struct {
		Factors []mfa.Enrollment `json:"factors"`
	}{reg.List(acct)}, nil
}

// RemoveFactorRequest is the body of POST /factors/remove.
type RemoveFactorRequest struct {
	ChangeRequest
	ID string `json:"id"`
}

// removeFactor revokes a factor through the registry, after a disable_factor (or recovery) step-up.
func (s *Server) removeFactor(r *http.Request) (any, error) {
	reg, err := s.registry()
	if err != nil {
		return nil, err
	}
	var req RemoveFactorRequest
	acct, err := s.decodeAccount(r, &req)
	if err != nil {
		return nil, err
	}
	if err := reg.Remove(mfa.Change{Account: acct, Device: req.Device, SessionID: req.SessionID}, req.ID, s.now()); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// StepUpBeginRequest is the body of POST /stepup/begin.
type StepUpBeginRequest struct {
	Account string     `json:"account"`
	Tx      mfa.TxType `json:"tx"`
	Value   uint64     `json:"value"`
	Device  string     `json:"device,omitempty"`
}

func (b *StepUpBeginRequest) accountName() string { return b.Account }

// StepUpBeginResponse is its answer: the challenge and, when the account has passkeys, the
// WebAuthn request options to answer it with. The assertion made with these options answers this
// challenge only: submitted to another one it is refused (webauthn_challenge_unknown).
type StepUpBeginResponse struct {
	Challenge mfa.Challenge `json:"challenge"`
	Options   any           `json:"options,omitempty"`
}

func (s *Server) stepUpBegin(r *http.Request) (any, error) {
	var req StepUpBeginRequest
	acct, err := s.decodeAccount(r, &req)
	if err != nil {
		return nil, err
	}
	var score uint8
	if s.Score != nil {
		score = s.Score(acct)
	}
	now := s.now()
	c, err := s.Engine.Begin(mfa.StepUpRequest{Account: acct, Tx: req.Tx, Value: req.Value, Device: req.Device, Score: score}, now)
	if err != nil {
		return nil, err
	}
	resp := StepUpBeginResponse{Challenge: c}
	if p := s.passkeys(); p != nil && len(p.Credentials(acct)) > 0 {
		// The assertion is bound to this challenge: it counts for no other one (mfa.ChallengeFactor).
		if resp.Options, err = p.BeginStepUp(c, now); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func (s *Server) stepUpPasskey(r *http.Request) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	id := r.URL.Query().Get("challenge")
	if s.Account != nil { // with a login session, the challenge must be the caller's
		acct, err := s.Account(r)
		if err != nil {
			return nil, err
		}
		if c, err := s.Engine.Challenge(id); err != nil || c.Account != acct {
			return nil, mfa.ErrChallengeNotFound
		}
	}
	p := s.passkeys()
	if p == nil {
		return nil, fmt.Errorf("%w: no passkey store", mfa.ErrFactorNotFound)
	}
	return s.Engine.Submit(id, p, body, s.now())
}

// AuthorizeRequest is the body of POST /authorize.
type AuthorizeRequest struct {
	Account   string     `json:"account"`
	Tx        mfa.TxType `json:"tx"`
	Value     uint64     `json:"value"`
	Device    string     `json:"device,omitempty"`
	SessionID string     `json:"session_id,omitempty"`
}

func (b *AuthorizeRequest) accountName() string { return b.Account }

func (s *Server) authorize(r *http.Request) (any, error) {
	var req AuthorizeRequest
	acct, err := s.decodeAccount(r, &req)
	if err != nil {
		return nil, err
	}
	return s.Engine.Authorize(mfa.AuthorizeRequest{Account: acct, Tx: req.Tx, Value: req.Value, Device: req.Device, SessionID: req.SessionID}, s.now())
}
