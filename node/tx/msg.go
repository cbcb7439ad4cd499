package tx

import (
	"fmt"
	"sort"
)

// Msg is one action a transaction performs. Messages are plain data with canonical CBOR encodings;
// Validate checks what can be checked without state (stateless validity).
type Msg interface {
	Type() string
	Validate() error
}

var registry = map[string]func() Msg{}

// register adds a message type; called from init functions of the msg_*.go files.
func register(f func() Msg) {
	t := f().Type()
	if _, dup := registry[t]; dup {
		panic("tx: duplicate message type " + t)
	}
	registry[t] = f
}

// Types lists the registered message types, sorted.
func Types() []string {
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// DecodeMsg decodes the canonical CBOR of a message of type typ and validates it.
func DecodeMsg(typ string, raw []byte) (Msg, error) {
	f, ok := registry[typ]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownType, typ)
	}
	m := f()
	if err := Unmarshal(raw, m); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// NewMsg returns an empty message of a registered type (for building messages from JSON).
func NewMsg(typ string) (Msg, error) {
	f, ok := registry[typ]
	if !ok {
		return nil, fmt.Errorf("%w: %q (known: %v)", ErrUnknownType, typ, Types())
	}
	return f(), nil
}
