package envelope

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
)

// Text armor (FORMAT.md §6): the binary envelope in standard base64 (RFC 4648 §4) with padding, in
// lines of exactly 64 characters except the last, between a BEGIN and an END line, every line ended
// by "\n". As in age's armor, a reader accepts only that one layout.
const (
	armorBegin = "-----BEGIN VIRTENGINE ENVELOPE-----"
	armorEnd   = "-----END VIRTENGINE ENVELOPE-----"
)

// IsArmored reports whether b starts like an armored envelope.
func IsArmored(b []byte) bool { return bytes.HasPrefix(b, []byte(armorBegin)) }

type armorWriter struct {
	dst    io.Writer
	enc    io.WriteCloser
	lines  *lineWriter
	closed bool
}

type lineWriter struct {
	dst io.Writer
	col int
}

func (l *lineWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(armorColumns-l.col, len(p))
		if _, err := l.dst.Write(p[:k]); err != nil {
			return n, err
		}
		n += k
		l.col += k
		p = p[k:]
		if l.col == armorColumns {
			if _, err := io.WriteString(l.dst, "\n"); err != nil {
				return n, err
			}
			l.col = 0
		}
	}
	return n, nil
}

// NewArmorWriter returns a writer that armors what is written to it; Close writes the END line (it
// does not close dst).
func NewArmorWriter(dst io.Writer) (io.WriteCloser, error) {
	if _, err := io.WriteString(dst, armorBegin+"\n"); err != nil {
		return nil, err
	}
	lw := &lineWriter{dst: dst}
	return &armorWriter{dst: dst, lines: lw, enc: base64.NewEncoder(base64.StdEncoding, lw)}, nil
}

func (a *armorWriter) Write(p []byte) (int, error) {
	if a.closed {
		return 0, ErrClosed
	}
	return a.enc.Write(p)
}

func (a *armorWriter) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	if err := a.enc.Close(); err != nil {
		return err
	}
	if a.lines.col != 0 {
		if _, err := io.WriteString(a.dst, "\n"); err != nil {
			return err
		}
	}
	_, err := io.WriteString(a.dst, armorEnd+"\n")
	return err
}

type armorReader struct {
	src  *bufio.Reader
	line int
	buf  []byte // decoded, not yet returned
	dec  [armorColumns / 4 * 3]byte
	done bool
	err  error
}

// NewArmorReader returns a reader of the binary envelope inside an armored one.
func NewArmorReader(src io.Reader) io.Reader {
	return &armorReader{src: bufio.NewReaderSize(src, 4096)}
}

func (a *armorReader) fail(reason string) error {
	a.err = formatErr(int64(a.line), "armor", fmt.Sprintf("line %d: %s", a.line, reason))
	return a.err
}

func (a *armorReader) readLine() ([]byte, error) {
	a.line++
	l, err := a.src.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, a.fail("line too long")
	}
	if err == io.EOF {
		if len(l) == 0 {
			a.err = &FormatError{Offset: int64(a.line), Field: "armor", Reason: "missing END line", Err: ErrTruncated}
			return nil, a.err
		}
		return nil, a.fail("line not ended by a newline")
	}
	if err != nil {
		return nil, err
	}
	return l[:len(l)-1], nil
}

func (a *armorReader) Read(p []byte) (int, error) {
	for len(a.buf) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.done {
			return 0, io.EOF
		}
		if err := a.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, a.buf)
	a.buf = a.buf[n:]
	return n, nil
}

func (a *armorReader) next() error {
	if a.line == 0 {
		l, err := a.readLine()
		if err != nil {
			return err
		}
		if string(l) != armorBegin {
			return a.fail("not a BEGIN VIRTENGINE ENVELOPE line")
		}
	}
	l, err := a.readLine()
	if err != nil {
		return err
	}
	if string(l) == armorEnd {
		if a.line == 2 {
			return a.fail("empty armor")
		}
		return a.finish()
	}
	if len(l) == 0 || len(l) > armorColumns || len(l)%4 != 0 {
		return a.fail("base64 line of wrong length")
	}
	// encoding/base64 ignores CR and LF even in Strict mode: refuse them, or a line padded with
	// CRs would decode to fewer bytes and one envelope would have many armors.
	if bytes.IndexByte(l, '\r') >= 0 {
		return a.fail("carriage return in a base64 line")
	}
	n, err := base64.StdEncoding.Strict().Decode(a.dec[:], l)
	if err != nil {
		return a.fail("invalid base64")
	}
	a.buf = a.dec[:n]
	if len(l) == armorColumns && bytes.IndexByte(l, '=') < 0 {
		return nil // a full line without padding: more may follow
	}
	// A short line or padding ends the data: only the END line may follow.
	end, err := a.readLine()
	if err != nil {
		return err
	}
	if string(end) != armorEnd {
		return a.fail("base64 data after a short or padded line")
	}
	return a.finish()
}

func (a *armorReader) finish() error {
	a.done = true
	if _, err := a.src.ReadByte(); err != io.EOF {
		a.err = formatErr(int64(a.line), "armor", "data after the END line")
		return a.err
	}
	return nil
}
