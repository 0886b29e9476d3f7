package redisrate

import (
	"errors"
	"fmt"

	"github.com/resilience-go/resilience"
)

// ErrUnavailable is returned, wrapped with the cause, by AllowN and
// Acquire under FailClosed while Redis cannot decide (down, slower than
// Timeout, or the breaker around it open): the call was refused without a
// decision. Serve a 503 or a fallback; the limiter recovers by itself when
// Redis answers again. It matches resilience.ErrRejected but not
// ratelimit.ErrLimited.
var ErrUnavailable = fmt.Errorf("redisrate: redis unavailable: %w", resilience.ErrRejected)

// errBadReply reports a script reply of the wrong shape, which only a
// server that is not Redis (or a different script under our SHA) gives.
var errBadReply = errors.New("redisrate: unexpected reply from the script")

// unavailableError is ErrUnavailable with its cause.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return ErrUnavailable.Error() + ": " + e.cause.Error() }

// Is makes the error match ErrUnavailable (and through it
// resilience.ErrRejected).
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the cause, and ErrUnavailable's chain.
func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.cause} }
