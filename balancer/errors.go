package balancer

import (
	"errors"
	"fmt"

	"github.com/resilience-go/resilience"
)

// ErrNoEndpoint is returned by Pick when no endpoint may serve the call:
// the set is empty, or every endpoint of the chosen subset is ejected or
// unhealthy and PanicMode is off. The call did not run: serve a fallback,
// or try again once discovery or health checking has found an endpoint.
var ErrNoEndpoint = fmt.Errorf("balancer: no endpoint available: %w", resilience.ErrRejected)

// ErrClosed is returned by Update after Close.
var ErrClosed = errors.New("balancer: closed")

// ErrProbeFailed is wrapped by the errors of the built-in probers when an
// endpoint answered, but not as a healthy one (an HTTP status outside
// 2xx).
var ErrProbeFailed = errors.New("balancer: probe failed")
