package app

import (
	"errors"
	"fmt"

	"github.com/virtengine/sdk/node/tx"
)

// Sentinel errors of transaction execution. Each has a stable ABCI code (codes.go) that clients see in
// CheckTx and FinalizeBlock results.
var (
	ErrWrongChain        = errors.New("wrong chain id")
	ErrBadSequence       = errors.New("wrong sequence")
	ErrUnknownAccount    = errors.New("unknown account")
	ErrWrongAccountNum   = errors.New("wrong account number")
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrFeeTooLow         = errors.New("fee below the network minimum")
	ErrUnauthorized      = errors.New("not authorized")
	ErrAccountInactive   = errors.New("account is not active")
	ErrPlaintext         = errors.New("plaintext where an envelope is required")
	ErrMFARequired       = errors.New("multi-factor authentication required")
	ErrNotFound          = errors.New("not found")
	ErrInvalidState      = errors.New("invalid state transition")
	ErrIdentityRequired  = errors.New("identity requirement not met")
	ErrInternalTx        = errors.New("proposer-only transaction")
)

// TxError is a failed transaction: its ABCI code, the sentinel and a message for the user.
type TxError struct {
	Code uint32
	Err  error
	Msg  string
}

func (e *TxError) Error() string {
	if e.Msg == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Msg
}
func (e *TxError) Unwrap() error { return e.Err }

func txErr(err error, format string, a ...any) error {
	return &TxError{Code: CodeOf(err), Err: err, Msg: fmt.Sprintf(format, a...)}
}

// ABCI result codes. 0 is success; the numbers are stable API.
const (
	CodeOK uint32 = iota
	CodeMalformed
	CodeTooLarge
	CodeBadSignature
	CodeUnknownType
	CodeWrongChain
	CodeBadSequence
	CodeUnknownAccount
	CodeInsufficientFunds
	CodeFeeTooLow
	CodeUnauthorized
	CodeAccountInactive
	CodePlaintext
	CodeMFARequired
	CodeInvalidMsg
	CodeNotFound
	CodeInvalidState
	CodeIdentityRequired
	CodeInternalTx
	CodeInternal = 99
)

var codeTable = []struct {
	err  error
	code uint32
}{
	{tx.ErrTooLarge, CodeTooLarge},
	{tx.ErrBadSignature, CodeBadSignature},
	{tx.ErrUnknownType, CodeUnknownType},
	{tx.ErrUnknownKey, CodeMalformed},
	{tx.ErrMalformed, CodeMalformed},
	{tx.ErrNonCanonical, CodeMalformed},
	{tx.ErrInvalidMsg, CodeInvalidMsg},
	{ErrWrongChain, CodeWrongChain},
	{ErrBadSequence, CodeBadSequence},
	{ErrUnknownAccount, CodeUnknownAccount},
	{ErrWrongAccountNum, CodeUnknownAccount},
	{ErrInsufficientFunds, CodeInsufficientFunds},
	{ErrFeeTooLow, CodeFeeTooLow},
	{ErrUnauthorized, CodeUnauthorized},
	{ErrAccountInactive, CodeAccountInactive},
	{ErrPlaintext, CodePlaintext},
	{ErrMFARequired, CodeMFARequired},
	{ErrNotFound, CodeNotFound},
	{ErrInvalidState, CodeInvalidState},
	{ErrIdentityRequired, CodeIdentityRequired},
	{ErrInternalTx, CodeInternalTx},
}

// CodeOf returns the ABCI code for err (CodeInternal when no sentinel matches).
func CodeOf(err error) uint32 {
	if err == nil {
		return CodeOK
	}
	var te *TxError
	if errors.As(err, &te) && te.Code != 0 {
		return te.Code
	}
	for _, c := range codeTable {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeInternal
}
