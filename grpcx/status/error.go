package status

import (
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
)

// BusinessError is what a client gets for a status carrying a business
// error (Codec.ToError). It unwraps to the *errcode.Error, so errors.As,
// errors.Is(err, errcode.New(code)) and errcode.From find it, and it keeps
// the status for status.Code and status.FromError. The business error
// decides how resilience policies treat it: its ResilienceOutcome is the
// errcode.Error's (a success unless its definition is a
// DependencyFailure), and retry policies read its HTTP status and
// RetryAfter through Unwrap. It is immutable.
type BusinessError struct {
	err *errcode.Error
	st  *status.Status
}

var _ resilience.OutcomeReporter = (*BusinessError)(nil)

// Error returns the business error's text.
func (e *BusinessError) Error() string { return e.err.Error() }

// Unwrap returns the business error.
func (e *BusinessError) Unwrap() error { return e.err }

// Business returns the business error.
func (e *BusinessError) Business() *errcode.Error { return e.err }

// GRPCStatus returns the status the error was decoded from.
func (e *BusinessError) GRPCStatus() *status.Status { return e.st }

// ResilienceOutcome returns the business error's outcome.
func (e *BusinessError) ResilienceOutcome() resilience.Outcome { return e.err.ResilienceOutcome() }
