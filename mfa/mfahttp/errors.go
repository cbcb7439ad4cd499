package mfahttp

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/virtengine/sdk/mfa"
)

// errorCodes maps mfa's sentinels to stable codes and HTTP statuses. The first match wins, so the
// specific WebAuthn kinds come before the generic ErrWebAuthn.
var errorCodes = []struct {
	err    error
	code   string
	status int
}{
	{mfa.ErrLocked, "locked", http.StatusTooManyRequests},
	{mfa.ErrTooManyTries, "too_many_tries", http.StatusTooManyRequests},
	{mfa.ErrTooManyChallenges, "too_many_challenges", http.StatusTooManyRequests},
	{mfa.ErrRateLimited, "rate_limited", http.StatusTooManyRequests},
	{mfa.ErrScoreTooLow, "score_too_low", http.StatusForbidden},
	{mfa.ErrSessionUsed, "session_used", http.StatusForbidden},
	{mfa.ErrSessionExpired, "session_expired", http.StatusForbidden},
	{mfa.ErrSessionWrongTx, "session_wrong_tx", http.StatusForbidden},
	{mfa.ErrSessionWrongDevice, "session_wrong_device", http.StatusForbidden},
	{mfa.ErrSessionWrongAcct, "session_wrong_account", http.StatusForbidden},
	{mfa.ErrSessionValue, "session_value", http.StatusForbidden},
	{mfa.ErrSessionNotFound, "session_not_found", http.StatusForbidden},
	{mfa.ErrStepUpRequired, "step_up_required", http.StatusForbidden},
	{mfa.ErrCeremonyNotFound, "webauthn_challenge_unknown", http.StatusBadRequest},
	{mfa.ErrOriginMismatch, "webauthn_origin", http.StatusBadRequest},
	{mfa.ErrRPIDMismatch, "webauthn_rp_id", http.StatusBadRequest},
	{mfa.ErrUserPresence, "webauthn_user_presence", http.StatusBadRequest},
	{mfa.ErrUserVerification, "webauthn_user_verification", http.StatusBadRequest},
	{mfa.ErrCounterRollback, "webauthn_counter_rollback", http.StatusBadRequest},
	{mfa.ErrUnknownCredential, "webauthn_unknown_credential", http.StatusBadRequest},
	{mfa.ErrBadSignature, "webauthn_signature", http.StatusBadRequest},
	{mfa.ErrAttestation, "webauthn_attestation", http.StatusBadRequest},
	{mfa.ErrBackupFlags, "webauthn_backup_flags", http.StatusBadRequest},
	{mfa.ErrMalformedResponse, "webauthn_malformed", http.StatusBadRequest},
	{mfa.ErrWebAuthn, "webauthn", http.StatusBadRequest},
	{mfa.ErrChallengeExpired, "challenge_expired", http.StatusBadRequest},
	{mfa.ErrChallengeNotFound, "challenge_not_found", http.StatusNotFound},
	{mfa.ErrFactorNotAllowed, "factor_not_allowed", http.StatusBadRequest},
	{mfa.ErrFactorNotFound, "factor_not_found", http.StatusNotFound},
	{mfa.ErrFactorLimit, "factor_limit", http.StatusConflict},
	{mfa.ErrLastFactor, "last_factor", http.StatusConflict},
	{mfa.ErrNotRequired, "not_required", http.StatusOK},
	{mfa.ErrUnknownTx, "unknown_tx", http.StatusBadRequest},
	{mfa.ErrWrongCode, "wrong_code", http.StatusBadRequest},
	{mfa.ErrCodeReplayed, "code_replayed", http.StatusBadRequest},
	{mfa.ErrInvalidInput, "invalid_input", http.StatusBadRequest},
}

// ErrorBody is the JSON of every error response: a stable code to branch on and a message.
type ErrorBody struct {
	Code  string `json:"code"`
	Error string `json:"error"`
}

// Code returns the stable code and HTTP status of an error returned by package mfa.
func Code(err error) (string, int) {
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code, c.status
		}
	}
	return "internal", http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, err error) {
	code, status := Code(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		msg = "internal error"
	}
	writeJSON(w, status, ErrorBody{Code: code, Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
