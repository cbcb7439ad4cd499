package swf

import (
	"errors"
	"fmt"
)

// ErrSyntax is wrapped by every parse error of a malformed trace.
var ErrSyntax = errors.New("swf: syntax error")

// ErrTooLarge reports a trace beyond MaxJobs or a line beyond MaxLineBytes.
var ErrTooLarge = errors.New("swf: input too large")

// SyntaxError says which line of the trace is malformed and why.
type SyntaxError struct {
	Line   int    // 1-based line number
	Field  int    // 1-based field number, 0 when the line as a whole is wrong
	Reason string // what is wrong
	Err    error  // ErrSyntax or ErrTooLarge
}

func (e *SyntaxError) Error() string {
	if e.Field > 0 {
		return fmt.Sprintf("%v: line %d field %d: %s", e.Err, e.Line, e.Field, e.Reason)
	}
	return fmt.Sprintf("%v: line %d: %s", e.Err, e.Line, e.Reason)
}

func (e *SyntaxError) Unwrap() error { return e.Err }
