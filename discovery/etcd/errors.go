package etcd

import (
	"context"

	"github.com/resilience-go/resilience/discovery"
)

// ErrUnavailable is matched by the error of any request that etcd did not
// answer within OpTimeout (the endpoint is down, unreachable or not
// answering). It also matches discovery.ErrTimeout and
// context.DeadlineExceeded. Retry later; a discovery.Cache around the
// Registry serves the last known good instances meanwhile.
var ErrUnavailable error = unavailableError{}

type unavailableError struct{}

func (unavailableError) Error() string { return "etcd: unavailable" }

// Is matches discovery.ErrTimeout and context.DeadlineExceeded.
func (unavailableError) Is(target error) bool {
	return target == context.DeadlineExceeded || target == discovery.ErrTimeout
}

// Timeout reports true, like a net.Error deadline.
func (unavailableError) Timeout() bool { return true }
