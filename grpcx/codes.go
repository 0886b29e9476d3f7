package grpcx

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
)

// CodeOf returns the gRPC status code that err maps to, on the server and
// in the client's own rejections:
//
//   - a status in err's chain (GRPCStatus) gives its code;
//   - deadline.ErrTooManyHops is FailedPrecondition (a routing loop: do not
//     retry), deadline.ErrBudgetExhausted is DeadlineExceeded;
//   - ratelimit.ErrLimited is ResourceExhausted: the caller sent too much
//     and should slow down (servers add a RetryInfo detail);
//   - every other rejection (resilience.ErrRejected: an open breaker, a
//     full bulkhead, an adaptive limit, load shedding) is Unavailable:
//     this instance cannot take the call now, and another one, or the same
//     one after a backoff, may;
//   - an error with a GRPCCode() uint32 method (retry.GRPCCoder), such as
//     an injected chaos fault or an errcode.Error, gives that code;
//   - context.DeadlineExceeded and context.Canceled give DeadlineExceeded
//     and Canceled;
//   - anything else, nil excepted (OK), is Unknown.
func CodeOf(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	var gs interface{ GRPCStatus() *status.Status }
	if errors.As(err, &gs) {
		if st := gs.GRPCStatus(); st != nil {
			return st.Code()
		}
	}
	switch {
	case errors.Is(err, deadline.ErrTooManyHops):
		return codes.FailedPrecondition
	case errors.Is(err, deadline.ErrBudgetExhausted):
		return codes.DeadlineExceeded
	case errors.Is(err, ratelimit.ErrLimited):
		return codes.ResourceExhausted
	case errors.Is(err, resilience.ErrRejected):
		return codes.Unavailable
	}
	var c retry.GRPCCoder
	if errors.As(err, &c) {
		if n := c.GRPCCode(); n <= uint32(codes.Unauthenticated) {
			return codes.Code(n)
		}
		return codes.Unknown
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	}
	return codes.Unknown
}

// prebuilt are the rejections of the policies' sentinels, made once so that
// rejecting a call allocates nothing.
var prebuilt = func() []*StatusError {
	sentinels := []error{
		circuitbreaker.ErrOpen, circuitbreaker.ErrHalfOpenFull,
		ratelimit.ErrLimited, bulkhead.ErrFull,
		adaptive.ErrLimitExceeded, adaptive.ErrShed,
		deadline.ErrBudgetExhausted, deadline.ErrTooManyHops,
	}
	out := make([]*StatusError, len(sentinels))
	for i, s := range sentinels {
		out[i] = newRejection(s)
	}
	return out
}()
