package hpc

import (
	"encoding/binary"
	"fmt"
)

// Canonical encodings of signed messages: a domain-separating magic, then fields in order; a string
// or byte field is a uvarint length and the bytes, an integer is 8 bytes big-endian. One encoding per
// value: decoders refuse non-minimal lengths and trailing bytes.

type enc struct{ b []byte }

func (e *enc) str(s string) { e.b = binary.AppendUvarint(e.b, uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) bytes(p []byte) {
	e.b = binary.AppendUvarint(e.b, uint64(len(p)))
	e.b = append(e.b, p...)
}
func (e *enc) i64(v int64)  { e.b = binary.BigEndian.AppendUint64(e.b, uint64(v)) }
func (e *enc) u64(v uint64) { e.b = binary.BigEndian.AppendUint64(e.b, v) }
func (e *enc) u8(v uint8)   { e.b = append(e.b, v) }

type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or invalid %s", ErrMalformed, what)
	}
	d.b = nil
}

func (d *dec) magic(m string) {
	if len(d.b) < len(m) || string(d.b[:len(m)]) != m {
		d.fail("magic")
		return
	}
	d.b = d.b[len(m):]
}

func (d *dec) bytes(max int) []byte {
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) || n > uint64(max) || k != binary.PutUvarint(make([]byte, binary.MaxVarintLen64), n) {
		d.fail("length")
		return nil
	}
	p := append([]byte(nil), d.b[k:k+int(n)]...)
	d.b = d.b[k+int(n):]
	return p
}

func (d *dec) str(max int) string { return string(d.bytes(max)) }

func (d *dec) u64() uint64 {
	if len(d.b) < 8 {
		d.fail("integer")
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *dec) i64() int64 { return int64(d.u64()) }

func (d *dec) u8() uint8 {
	if len(d.b) < 1 {
		d.fail("byte")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) done() error {
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(d.b))
	}
	return nil
}
