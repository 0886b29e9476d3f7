package errcode

import (
	"errors"
	"maps"
	"strconv"
	"time"

	"github.com/resilience-go/resilience"
)

// Error is a business error: a numeric Code with a client-safe Message and
// optional Details and Metadata, mapped by its Definition to a gRPC code and
// an HTTP status. It may wrap an internal cause, which Unwrap returns for
// errors.Is and errors.As on the server but which is never written to a
// client (see WriteProblem and ToWire).
//
// Make one with New, Newf or Wrap. The With methods return modified copies,
// so an *Error stored in a package variable can be shared and decorated
// safely. An *Error is safe for concurrent reads.
//
// For resilience policies an *Error is an OutcomeReporter: it counts as a
// success (the dependency answered) unless its definition is a dependency
// failure, so business errors never trip breakers.
type Error struct {
	// Code is the business code, e.g. 10001; zero for an error that carries
	// none (a generic problem decoded from a response).
	Code int
	// Message is the client-safe description of this occurrence.
	Message string
	// Details holds structured, client-safe data about this occurrence, e.g.
	// {"field": "email"}. Values must be JSON-serialisable; decoded numbers
	// are json.Number, so large integers survive the round trip.
	Details map[string]any
	// Metadata holds string pairs for the gRPC ErrorInfo metadata and the
	// problem's "metadata" member.
	Metadata map[string]string

	def        Definition
	cause      error
	retryAfter time.Duration
}

var _ resilience.OutcomeReporter = (*Error)(nil)

// Error returns "errcode <code> <name>: <message>", followed by ": <cause>"
// when there is one. It is for logs; clients receive the problem document.
func (e *Error) Error() string {
	s := "errcode " + strconv.Itoa(e.Code)
	if e.def.Name != "" {
		s += " " + e.def.Name
	}
	s += ": " + e.Message
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

// Unwrap returns the internal cause, or nil.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is an *Error with the same non-zero Code, so
// errors.Is(err, errcode.New(CodeUserNotFound)) matches any occurrence.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != 0 && t.Code == e.Code
}

// ResilienceOutcome is OutcomeFailure for a definition marked
// DependencyFailure and OutcomeSuccess otherwise.
func (e *Error) ResilienceOutcome() resilience.Outcome {
	if e.definition().DependencyFailure {
		return resilience.OutcomeFailure
	}
	return resilience.OutcomeSuccess
}

// HTTPStatus returns the HTTP status the error maps to.
func (e *Error) HTTPStatus() int { return e.definition().HTTP }

// GRPCCode returns the numeric gRPC status code the error maps to.
func (e *Error) GRPCCode() uint32 { return uint32(e.definition().GRPC) }

// RetryAfter returns how long the client should wait before retrying; zero
// when unset.
func (e *Error) RetryAfter() time.Duration { return e.retryAfter }

// Retryable reports whether the definition says the request may succeed
// later.
func (e *Error) Retryable() bool { return e.def.Retryable }

// Definition returns the definition the error was made from, or the one
// synthesised from the status it was decoded with.
func (e *Error) Definition() Definition { return e.definition() }

// definition returns e.def, or for an *Error built as a literal rather than
// by New (it has no HTTP status) the fail-safe definition of an
// unregistered code.
func (e *Error) definition() Definition {
	if e.def.HTTP == 0 {
		return unknownDefinition(e.Code)
	}
	return e.def
}

// WithCause returns a copy of e wrapping the internal cause.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// WithDetail returns a copy of e with Details[key] = value.
func (e *Error) WithDetail(key string, value any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	maps.Copy(c.Details, e.Details)
	c.Details[key] = value
	return &c
}

// WithDetails returns a copy of e with every pair of details added.
func (e *Error) WithDetails(details map[string]any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+len(details))
	maps.Copy(c.Details, e.Details)
	maps.Copy(c.Details, details)
	return &c
}

// WithMetadata returns a copy of e with Metadata[key] = value.
func (e *Error) WithMetadata(key, value string) *Error {
	c := *e
	c.Metadata = make(map[string]string, len(e.Metadata)+1)
	maps.Copy(c.Metadata, e.Metadata)
	c.Metadata[key] = value
	return &c
}

// WithRetryAfter returns a copy of e telling clients to wait d before
// retrying; d <= 0 clears it.
func (e *Error) WithRetryAfter(d time.Duration) *Error {
	c := *e
	c.retryAfter = max(d, 0)
	return &c
}

// From returns the first *Error in err's chain, as errors.As would, without
// allocating.
func From(err error) (*Error, bool) {
	for err != nil {
		switch x := err.(type) {
		case *Error:
			return x, x != nil
		case interface{ As(any) bool }:
			var e *Error
			ok := errors.As(err, &e)
			return e, ok
		case interface{ Unwrap() error }:
			err = x.Unwrap()
		case interface{ Unwrap() []error }:
			for _, inner := range x.Unwrap() {
				if e, ok := From(inner); ok {
					return e, true
				}
			}
			return nil, false
		default:
			return nil, false
		}
	}
	return nil, false
}

// CodeOf returns the Code of the first *Error in err's chain, or 0.
func CodeOf(err error) int {
	if e, ok := From(err); ok {
		return e.Code
	}
	return 0
}
