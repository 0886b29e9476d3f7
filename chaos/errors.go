package chaos

import (
	"errors"
	"strconv"
)

// ErrInjected is matched, through errors.Is, by every error an Injector
// injects (a *FaultError). It deliberately does not match
// resilience.ErrRejected: an injected fault simulates a failing dependency,
// so circuit breakers, retries and outlier detection must treat it as a
// real failure. Tests check for it to tell injected failures from real ones.
var ErrInjected = errors.New("chaos: injected fault")

// FaultError is the error of an error or abort fault. HTTPStatus and
// GRPCCode tell transport adapters which status to answer with. Injectors
// build one FaultError per fault and return it on every injection, so
// treat it as read-only.
type FaultError struct {
	// Fault is the name of the fault that fired.
	Fault string
	// Kind is KindError or KindAbort.
	Kind Kind
	// Status is the HTTP status the fault maps to.
	Status int
	// Code is the numeric gRPC status code the fault maps to.
	Code uint32
	// Message is the fault's configured message, if any.
	Message string
}

// Error returns `chaos: injected <kind> fault "<name>"`, followed by the
// message when there is one.
func (e *FaultError) Error() string {
	s := "chaos: injected " + string(e.Kind) + " fault " + strconv.Quote(e.Fault)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is reports whether target is ErrInjected.
func (e *FaultError) Is(target error) bool { return target == ErrInjected }

// HTTPStatus returns the HTTP status the fault maps to.
func (e *FaultError) HTTPStatus() int { return e.Status }

// GRPCCode returns the numeric gRPC status code the fault maps to.
func (e *FaultError) GRPCCode() uint32 { return e.Code }
