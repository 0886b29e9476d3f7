package resilience

import (
	"context"
	"errors"
)

// Outcome is how a finished call counts towards a policy's statistics.
type Outcome uint8

const (
	// OutcomeSuccess means the dependency did its job. A nil error is a
	// success, and so is a business error marked with MarkSuccess.
	OutcomeSuccess Outcome = iota
	// OutcomeFailure means the dependency failed: it should count towards
	// tripping a breaker and may be retried.
	OutcomeFailure
	// OutcomeIgnored means the call says nothing about the dependency's
	// health, for example because the caller cancelled it. It counts neither
	// as a success nor as a failure.
	OutcomeIgnored
)

// String returns "success", "failure" or "ignored".
func (o Outcome) String() string {
	switch o {
	case OutcomeSuccess:
		return "success"
	case OutcomeFailure:
		return "failure"
	case OutcomeIgnored:
		return "ignored"
	}
	return "unknown"
}

// A Classifier decides how a call's error counts. Config structs take one in
// a field; nil there means Classify.
type Classifier func(err error) Outcome

// OutcomeReporter is implemented by errors that know how they should count,
// such as business errors: a "user not found" answer means the dependency is
// healthy. Classify consults it anywhere in the error's chain.
type OutcomeReporter interface {
	ResilienceOutcome() Outcome
}

// Classify is the default Classifier:
//   - nil is a success;
//   - an error whose chain holds an OutcomeReporter counts as it reports
//     (see MarkSuccess and MarkIgnored);
//   - context.Canceled is ignored: the caller gave up, the dependency did not
//     fail;
//   - every other error, context.DeadlineExceeded included, is a failure.
func Classify(err error) Outcome {
	if err == nil {
		return OutcomeSuccess
	}
	if o, ok := reportedOutcome(err); ok {
		return o
	}
	if errors.Is(err, context.Canceled) {
		return OutcomeIgnored
	}
	return OutcomeFailure
}

// reportedOutcome walks err's chain, joined errors included, without
// allocating, and returns the first OutcomeReporter's verdict.
func reportedOutcome(err error) (Outcome, bool) {
	for err != nil {
		if r, ok := err.(OutcomeReporter); ok {
			return r.ResilienceOutcome(), true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if o, ok := reportedOutcome(e); ok {
					return o, true
				}
			}
			return 0, false
		default:
			return 0, false
		}
	}
	return 0, false
}

// MarkSuccess wraps err so that Classify counts it as a success. Use it for
// business errors that prove the dependency is working ("invalid argument",
// "not found"): they must not trip a breaker or be retried. The returned
// error unwraps to err, so errors.Is and errors.As still see it.
// MarkSuccess(nil) is nil.
func MarkSuccess(err error) error {
	if err == nil {
		return nil
	}
	return &markedError{err: err, outcome: OutcomeSuccess}
}

// MarkIgnored wraps err so that Classify ignores it: it counts neither as a
// success nor as a failure. MarkIgnored(nil) is nil.
func MarkIgnored(err error) error {
	if err == nil {
		return nil
	}
	return &markedError{err: err, outcome: OutcomeIgnored}
}

type markedError struct {
	err     error
	outcome Outcome
}

func (e *markedError) Error() string              { return e.err.Error() }
func (e *markedError) Unwrap() error              { return e.err }
func (e *markedError) ResilienceOutcome() Outcome { return e.outcome }
