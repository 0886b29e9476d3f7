package circuitbreaker

import (
	"fmt"

	"github.com/resilience-go/resilience"
)

// ErrOpen is returned by Acquire while the breaker is open or forced open,
// and by adaptive mode when it throttles a call. The call did not run: serve
// a fallback or try again after RemainingOpen. It matches
// resilience.ErrRejected.
var ErrOpen = fmt.Errorf("circuitbreaker: open: %w", resilience.ErrRejected)

// ErrHalfOpenFull is returned by Acquire while the breaker is half-open and
// every probe slot is taken. The call did not run: treat it like ErrOpen,
// which it matches, as it matches resilience.ErrRejected.
var ErrHalfOpenFull error = halfOpenFullError{}

// halfOpenFullError is a zero-size type, so returning ErrHalfOpenFull never
// allocates, and its Is method makes it match ErrOpen.
type halfOpenFullError struct{}

func (halfOpenFullError) Error() string { return "circuitbreaker: half-open: probe slots taken" }

func (halfOpenFullError) Is(target error) bool {
	return target == ErrOpen || target == resilience.ErrRejected
}
