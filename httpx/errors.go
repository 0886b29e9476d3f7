package httpx

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrBodyNotReplayable is matched by the error RoundTrip returns when a
// retry was due but the request's body cannot be sent again: the request
// has a body and no GetBody (http.NewRequest sets GetBody for
// *bytes.Buffer, *bytes.Reader and *strings.Reader bodies). The first
// attempt was sent; its failure is wrapped too, so errors.Is still finds
// it. Set Request.GetBody to make the request retryable.
var ErrBodyNotReplayable = errors.New("httpx: request body cannot be replayed for a retry (no Request.GetBody)")

// notReplayableError ends an execution whose retry needed a body that
// cannot be replayed. It matches ErrBodyNotReplayable and unwraps to the
// failure that asked for the retry, so policies outside the retry (a
// breaker) classify it as that failure.
type notReplayableError struct{ last error }

func (e *notReplayableError) Error() string {
	if e.last == nil {
		return ErrBodyNotReplayable.Error()
	}
	return ErrBodyNotReplayable.Error() + ": " + e.last.Error()
}

func (e *notReplayableError) Is(target error) bool { return target == ErrBodyNotReplayable }
func (e *notReplayableError) Unwrap() error        { return e.last }

// PanicError is the error of the EventPanic that Recover reports: the value
// a handler panicked with and the goroutine's stack at the panic.
type PanicError struct {
	// Value is what the handler passed to panic.
	Value any
	// Stack is the formatted stack of the panicking goroutine.
	Stack []byte
	// Method and Path identify the request that panicked.
	Method, Path string
}

// Error describes the panic, without the stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("httpx: panic serving %s %s: %v", e.Method, e.Path, e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// HTTPStatus returns 500: a panic is an internal server error.
func (e *PanicError) HTTPStatus() int { return http.StatusInternalServerError }
