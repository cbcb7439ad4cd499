package hpc

import (
	"crypto/ed25519"
	"errors"
	"fmt"
)

// Sentinel errors; callers branch on them with errors.Is.
var (
	ErrInvalid       = errors.New("hpc: invalid request")
	ErrNotFound      = errors.New("hpc: not found")
	ErrExists        = errors.New("hpc: already exists")
	ErrIdentity      = errors.New("hpc: identity score too low")
	ErrQuota         = errors.New("hpc: tenant quota exceeded")
	ErrBadTransition = errors.New("hpc: state transition not allowed")
	ErrBadSignature  = errors.New("hpc: bad signature")
	ErrReplay        = errors.New("hpc: replayed or out-of-order message")
	ErrUnknownNode   = errors.New("hpc: unknown node")
	ErrDeregistered  = errors.New("hpc: node deregistered")
	ErrNotApproved   = errors.New("hpc: template not approved")
	ErrMalformed     = errors.New("hpc: malformed encoding")
	ErrUnschedulable = errors.New("hpc: job can never be placed")
	ErrBadKey        = errors.New("hpc: malformed signing key")
)

// TransitionError reports a job state change the table of JobState does not allow.
type TransitionError struct {
	Job      string
	From, To JobState
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%v: job %s cannot go from %s to %s", ErrBadTransition, e.Job, e.From, e.To)
}

func (e *TransitionError) Unwrap() error { return ErrBadTransition }

// HeartbeatError says why a heartbeat was refused.
type HeartbeatError struct {
	Node string
	Seq  uint64
	Err  error // ErrBadSignature, ErrReplay, ErrUnknownNode, ErrDeregistered, ErrMalformed
	Why  string
}

func (e *HeartbeatError) Error() string {
	return fmt.Sprintf("%v: node %s seq %d: %s", e.Err, e.Node, e.Seq, e.Why)
}

func (e *HeartbeatError) Unwrap() error { return e.Err }

// checkPrivateKey refuses a key ed25519.Sign would panic on: anything but 64 bytes.
func checkPrivateKey(role string, k ed25519.PrivateKey) error {
	if len(k) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: %s key is %d bytes, want a %d-byte Ed25519 private key (ed25519.NewKeyFromSeed of the 32-byte seed)",
			ErrBadKey, role, len(k), ed25519.PrivateKeySize)
	}
	return nil
}

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}
