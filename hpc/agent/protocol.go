package agent

import (
	"crypto/ed25519"
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
	msgAnnounce  byte = 4 // agent → controller: the agent's probe address (u16 length, bytes)
	msgPeers     byte = 5 // controller → agent: count u16, then per peer node (u16 len, bytes), key (32), address (u16 len, bytes)
)

// MaxProbeAddrBytes bounds an announced probe address.
const MaxProbeAddrBytes = 256

func appendStr16(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

func readStr16(b []byte, max int) (string, []byte, bool) {
	if len(b) < 2 {
		return "", nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if n > max || len(b) < 2+n {
		return "", nil, false
	}
	return string(b[2 : 2+n]), b[2+n:], true
}

func encodePeers(peers []ProbePeer) []byte {
	b := binary.BigEndian.AppendUint16([]byte{msgPeers}, uint16(len(peers)))
	for _, p := range peers {
		b = appendStr16(b, p.Node)
		b = append(b, p.Key...)
		b = appendStr16(b, p.Addr)
	}
	return b
}

func parsePeers(b []byte) ([]ProbePeer, error) {
	bad := fmt.Errorf("%w: peers message of %d bytes", hpc.ErrMalformed, len(b))
	if len(b) < 3 || b[0] != msgPeers {
		if len(b) >= 10 && b[0] == msgNack {
			_, err := parseReply(b)
			return nil, err
		}
		return nil, bad
	}
	n := int(binary.BigEndian.Uint16(b[1:]))
	if n > MaxProbePeers {
		return nil, bad
	}
	r := b[3:]
	out := make([]ProbePeer, 0, n)
	for i := 0; i < n; i++ {
		var p ProbePeer
		var ok bool
		if p.Node, r, ok = readStr16(r, hpc.MaxIDLen); !ok || len(r) < ed25519.PublicKeySize {
			return nil, bad
		}
		p.Key, r = ed25519.PublicKey(append([]byte(nil), r[:ed25519.PublicKeySize]...)), r[ed25519.PublicKeySize:]
		if p.Addr, r, ok = readStr16(r, MaxProbeAddrBytes); !ok {
			return nil, bad
		}
		out = append(out, p)
	}
	if len(r) != 0 {
		return nil, bad
	}
	return out, nil
}

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
