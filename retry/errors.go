package retry

import (
	"errors"
	"fmt"
)

// ErrExhausted is matched, through errors.Is, by the error a Policy returns
// when its attempts or its MaxElapsed budget are used up. The same error
// also matches the last attempt's error, so errors.Is(err, io.EOF) still
// works. The dependency kept failing: serve a fallback or give up.
var ErrExhausted = errors.New("retry: attempts exhausted")

// ExhaustedError is the error returned when retries are used up. It matches
// ErrExhausted and unwraps to the last attempt's error.
type ExhaustedError struct {
	// Attempts is how many attempts were made.
	Attempts int
	// Err is the last attempt's error; nil when the last attempt succeeded
	// but its result asked for a retry (see OnResult).
	Err error
	// Reason is "max_attempts" or "max_elapsed".
	Reason string
}

// Error describes the exhaustion and the last error.
func (e *ExhaustedError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("retry: %s after %d attempts: result not accepted", e.Reason, e.Attempts)
	}
	return fmt.Sprintf("retry: %s after %d attempts: %v", e.Reason, e.Attempts, e.Err)
}

// Is reports whether target is ErrExhausted.
func (e *ExhaustedError) Is(target error) bool { return target == ErrExhausted }

// Unwrap returns the last attempt's error.
func (e *ExhaustedError) Unwrap() error { return e.Err }

// Permanent wraps err so that no Policy retries it, whatever its RetryIf
// says. The wrapper stays on the returned error, so an outer retry does not
// retry it either; errors.Is and errors.As still see err, and Error returns
// err's message. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err's chain holds an error made by Permanent.
// It does not allocate.
func IsPermanent(err error) bool {
	return errors.Is(err, errPermanentMark)
}

type permanentError struct{ err error }

// errPermanentMark is what permanent errors match in errors.Is.
var errPermanentMark = errors.New("retry: permanent")

func (e *permanentError) Error() string        { return e.err.Error() }
func (e *permanentError) Unwrap() error        { return e.err }
func (e *permanentError) Is(target error) bool { return target == errPermanentMark }

// interruptedError is returned when the caller's context ends during a
// backoff wait. It matches both the context's cause and the last attempt's
// error.
type interruptedError struct {
	cause, last error
}

func (e *interruptedError) Error() string {
	return fmt.Sprintf("retry: backoff interrupted: %v (last error: %v)", e.cause, e.last)
}

func (e *interruptedError) Unwrap() []error { return []error{e.cause, e.last} }
