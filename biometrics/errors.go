package biometrics

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error the package returns wraps one of them.
var (
	ErrEmptyImage = errors.New("biometrics: empty image")
	ErrNotImage   = errors.New("biometrics: not a JPEG or PNG image")
	ErrTooLarge   = errors.New("biometrics: image too large")
	ErrTooSmall   = errors.New("biometrics: image too small")
	ErrNoFace     = errors.New("biometrics: no face found")
	ErrModel      = errors.New("biometrics: model unavailable")
	ErrNoMRZ      = errors.New("biometrics: no machine-readable zone found")
	ErrFrames     = errors.New("biometrics: bad frame sequence")
	ErrClosed     = errors.New("biometrics: engine closed")
)

// InputError says which input failed and why.
type InputError struct {
	Input  string // "selfie", "document", a file name, "frame 3"…
	Err    error  // one of the sentinels
	Detail string
}

func (e *InputError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s: %v (%s)", e.Input, e.Err, e.Detail)
	}
	return fmt.Sprintf("%s: %v", e.Input, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// ModelError says which model could not be loaded.
type ModelError struct {
	Path string
	Err  error
}

func (e *ModelError) Error() string {
	return fmt.Sprintf("%v: %s: %v; run `go run ./internal/assets/fetch` to fetch the models", ErrModel, e.Path, e.Err)
}

func (e *ModelError) Unwrap() []error { return []error{ErrModel, e.Err} }
