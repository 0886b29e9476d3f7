package adaptive

import (
	"errors"
	"fmt"

	"github.com/resilience-go/resilience"
)

// ErrLimitExceeded is returned by Limiter.Acquire when the calls in flight
// have reached the limit allowed for the call's priority. The call did not
// run; shed it or serve a fallback. HTTP adapters map it to 429 or 503.
var ErrLimitExceeded = fmt.Errorf("adaptive: concurrency limit exceeded: %w", resilience.ErrRejected)

// ErrShed is returned by Shedder.Acquire when admitting the call would
// queue it behind more work than the measured throughput can finish within
// TargetLatency. The call did not run; shed it or serve a fallback.
var ErrShed = fmt.Errorf("adaptive: load shed: %w", resilience.ErrRejected)

// ErrInvalidPriority is matched by the error of ParsePriority and
// Priority.UnmarshalText for text that names no priority.
var ErrInvalidPriority = errors.New("adaptive: invalid priority")
