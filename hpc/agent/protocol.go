package agent

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/virtengine/sdk/hpc"
)

// Message types (PROTOCOL.md). Each DTLS record carries one message: a type byte and its body.
const (
	msgHeartbeat byte = 1 // agent → controller: hpc.SignedHeartbeat wire form
	msgAck       byte = 2 // controller → agent: seq u64, liveness u8, drain u8
	msgNack      byte = 3 // controller → agent: seq u64, code u8, reason (rest)
)

// Nack codes.
const (
	CodeMalformed    = 1
	CodeBadSignature = 2
	CodeReplay       = 3
	CodeUnknownNode  = 4
	CodeDeregistered = 5
	CodeWrongNode    = 6 // heartbeat for a node other than the one the handshake authenticated
)

// ErrRejected is wrapped by the error an agent gets when the controller refuses a heartbeat.
var ErrRejected = errors.New("agent: heartbeat rejected by the controller")

// Ack is the controller's answer to a heartbeat.
type Ack struct {
	Seq      uint64
	Liveness hpc.Liveness
	Drain    bool
}

// RejectError is a Nack: the controller refused heartbeat Seq.
type RejectError struct {
	Seq    uint64
	Code   byte
	Reason string
}

func (e *RejectError) Error() string {
	return fmt.Sprintf("%v: seq %d (code %d): %s", ErrRejected, e.Seq, e.Code, e.Reason)
}

func (e *RejectError) Unwrap() error { return ErrRejected }

func encodeAck(a Ack) []byte {
	b := []byte{msgAck}
	b = binary.BigEndian.AppendUint64(b, a.Seq)
	drain := byte(0)
	if a.Drain {
		drain = 1
	}
	return append(b, byte(a.Liveness), drain)
}

func encodeNack(seq uint64, code byte, reason string) []byte {
	b := []byte{msgNack}
	b = binary.BigEndian.AppendUint64(b, seq)
	b = append(b, code)
	if len(reason) > MaxReasonBytes {
		reason = reason[:MaxReasonBytes]
	}
	return append(b, reason...)
}

// parseReply decodes an Ack, or a Nack as a *RejectError.
func parseReply(b []byte) (Ack, error) {
	switch {
	case len(b) == 11 && b[0] == msgAck && b[10] <= 1:
		return Ack{Seq: binary.BigEndian.Uint64(b[1:9]), Liveness: hpc.Liveness(b[9]), Drain: b[10] == 1}, nil
	case len(b) >= 10 && b[0] == msgNack:
		return Ack{}, &RejectError{Seq: binary.BigEndian.Uint64(b[1:9]), Code: b[9], Reason: string(b[10:])}
	}
	return Ack{}, fmt.Errorf("%w: reply of %d bytes", hpc.ErrMalformed, len(b))
}

func nackCode(err error) byte {
	switch {
	case errors.Is(err, hpc.ErrBadSignature):
		return CodeBadSignature
	case errors.Is(err, hpc.ErrReplay):
		return CodeReplay
	case errors.Is(err, hpc.ErrUnknownNode):
		return CodeUnknownNode
	case errors.Is(err, hpc.ErrDeregistered):
		return CodeDeregistered
	}
	return CodeMalformed
}
