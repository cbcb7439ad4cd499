package agent

import "time"

// Limits and defaults of the agent protocol (PROTOCOL.md).
const (
	// MaxMessageBytes bounds one message (a DTLS record holds at most 2^14 bytes, RFC 6347 §4.1).
	MaxMessageBytes = 16 << 10
	// MaxReasonBytes bounds a nack's reason text.
	MaxReasonBytes = 512
	// DefaultHandshakeTimeout bounds a DTLS handshake on the controller.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultReplyTimeout bounds an agent's wait for an ack.
	DefaultReplyTimeout = 5 * time.Second
	// CertificateValidity is how long the self-signed certificates are valid, from an hour before they
	// are made (clock skew); each connection makes fresh ones, and peers check keys, not dates.
	CertificateValidity = 24 * time.Hour
	certificateBackdate = time.Hour
)
