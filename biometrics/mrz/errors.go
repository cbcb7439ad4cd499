package mrz

import (
	"errors"
	"fmt"
	"strings"
)

// ErrFormat reports lines whose count or lengths match no known MRZ format.
var ErrFormat = errors.New("mrz: unknown format")

// ErrCharset reports a character outside A–Z, 0–9 and '<' where the format requires one of them.
var ErrCharset = errors.New("mrz: invalid character")

// ErrCheckDigit reports a check digit that does not match its field.
var ErrCheckDigit = errors.New("mrz: check digit mismatch")

// ErrTooLong reports input longer than MaxInputLen.
var ErrTooLong = errors.New("mrz: input too long")

// CheckDigitError says which field's check digit failed.
type CheckDigitError struct {
	Field string // e.g. "document_number", "composite"
	Want  byte   // the digit the data computes to ('?' when the data has invalid characters)
	Got   byte   // the character printed in the check digit position
}

func (e *CheckDigitError) Error() string {
	return fmt.Sprintf("mrz: check digit of %s is %q, data computes %q", e.Field, e.Got, e.Want)
}

func (e *CheckDigitError) Unwrap() error { return ErrCheckDigit }

// FieldError says which field holds characters it may not hold.
type FieldError struct {
	Field string
	Value string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("mrz: field %s has invalid characters: %q", e.Field, e.Value)
}

func (e *FieldError) Unwrap() error { return ErrCharset }

// InvalidError lists every problem of a zone that parsed but is not valid. It unwraps to each one, so
// errors.Is(err, ErrCheckDigit) and errors.As(err, &*CheckDigitError) work.
type InvalidError struct {
	Problems []error
}

func (e *InvalidError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "mrz: invalid zone: " + strings.Join(msgs, "; ")
}

func (e *InvalidError) Unwrap() []error { return e.Problems }
