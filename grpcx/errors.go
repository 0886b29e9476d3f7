package grpcx

import (
	"context"
	"math"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/retry"
)

// StatusError is a gRPC status error as the client interceptors return it:
// it carries the status, unchanged, and tells the resilience policies how
// to treat it. It implements
//
//   - GRPCStatus, so status.Code, status.FromError and status.Convert see
//     the status exactly as the server sent it;
//   - GRPCCode (retry.GRPCCoder), so retry.DefaultRetryIf retries
//     Unavailable, ResourceExhausted, Aborted and DeadlineExceeded only;
//   - ResilienceOutcome (resilience.OutcomeReporter), with OutcomeFor's
//     verdict, so breakers count only the codes that reveal a failing
//     dependency;
//   - RetryAfter (retry.RetryAfterer), with the delay of a
//     google.rpc.RetryInfo detail or a grpc-retry-pushback-ms trailer;
//   - Is, matching context.DeadlineExceeded and context.Canceled for those
//     codes, so errors.Is works as it would on a local call.
//
// Rejections by the client's own policies (an open breaker, a spent rate
// limit, an exhausted deadline budget) are StatusErrors too: they unwrap to
// the policy's sentinel (errors.Is(err, circuitbreaker.ErrOpen)) and carry
// the status code the policy maps to (see CodeOf). A StatusError is
// immutable and safe to share.
type StatusError struct {
	st         *status.Status
	err        error
	msg        string
	retryAfter time.Duration
}

var _ resilience.OutcomeReporter = (*StatusError)(nil)

// Error returns the status error's text ("rpc error: code = ... desc =
// ...").
func (e *StatusError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return e.err.Error()
}

// Unwrap returns the wrapped error: grpc-go's status error, or a policy's
// rejection sentinel.
func (e *StatusError) Unwrap() error { return e.err }

// GRPCStatus returns the status. It is never nil.
func (e *StatusError) GRPCStatus() *status.Status { return e.st }

// Code returns the status code.
func (e *StatusError) Code() codes.Code { return e.st.Code() }

// GRPCCode returns the status code as a number, for retry.GRPCCoder.
func (e *StatusError) GRPCCode() uint32 { return uint32(e.st.Code()) }

// ResilienceOutcome returns OutcomeFor(e.Code()).
func (e *StatusError) ResilienceOutcome() resilience.Outcome { return OutcomeFor(e.st.Code()) }

// RetryAfter returns how long the server asked the client to wait before
// trying again; zero when it did not say.
func (e *StatusError) RetryAfter() time.Duration { return e.retryAfter }

// Is reports whether target is context.DeadlineExceeded for a
// DeadlineExceeded status, or context.Canceled for a Canceled one.
func (e *StatusError) Is(target error) bool {
	switch target {
	case context.DeadlineExceeded:
		return e.st.Code() == codes.DeadlineExceeded
	case context.Canceled:
		return e.st.Code() == codes.Canceled
	}
	return false
}

// OutcomeFor says how a call that ended with code counts for circuit
// breakers and adaptive limiters:
//
//   - OK is a success;
//   - Unknown, DeadlineExceeded, ResourceExhausted, Internal, Unavailable
//     and DataLoss are failures: the dependency is failing, overloaded or
//     too slow;
//   - Canceled (the caller gave up) and Aborted (a concurrency conflict,
//     retried but no sign of ill health) are ignored;
//   - every other code (InvalidArgument, NotFound, AlreadyExists,
//     PermissionDenied, FailedPrecondition, OutOfRange, Unimplemented,
//     Unauthenticated) is a success: the dependency answered a request
//     that was wrong, and must not be punished for it.
func OutcomeFor(c codes.Code) resilience.Outcome {
	switch c {
	case codes.Unknown, codes.DeadlineExceeded, codes.ResourceExhausted,
		codes.Internal, codes.Unavailable, codes.DataLoss:
		return resilience.OutcomeFailure
	case codes.Canceled, codes.Aborted:
		return resilience.OutcomeIgnored
	}
	if c > codes.Unauthenticated {
		return resilience.OutcomeFailure
	}
	return resilience.OutcomeSuccess
}

// Wrap returns err as a *StatusError when it is one of grpc-go's status
// errors, so that the resilience policies can classify it, and err unchanged
// otherwise (nil, errors that already report their outcome, such as the
// business errors of grpcx/status, and errors that are not statuses). The
// client interceptors call it on every error; call it yourself around a
// ClientConn used without them.
func Wrap(err error) error { return wrapStatus(err, 0) }

// outcomeOnly, as wrapStatus's pushback, skips reading the status's
// details: the server wraps handler errors only to classify them.
const outcomeOnly = time.Duration(math.MinInt64)

// wrapStatus is Wrap with a retry delay from the trailer; pushback < 0
// means the server asked not to retry.
func wrapStatus(err error, pushback time.Duration) error {
	if err == nil {
		return nil
	}
	gs, ok := err.(interface{ GRPCStatus() *status.Status })
	if !ok {
		return err
	}
	if _, ok := err.(resilience.OutcomeReporter); ok {
		return err
	}
	st := gs.GRPCStatus()
	if st == nil || st.Code() == codes.OK {
		return err
	}
	if pushback == outcomeOnly {
		return &StatusError{st: st, err: err}
	}
	e := &StatusError{st: st, err: err, retryAfter: max(retryInfo(st), pushback)}
	if pushback < 0 {
		return retry.Permanent(e)
	}
	return e
}

// retryInfo returns the delay of st's first google.rpc.RetryInfo detail, or
// zero.
func retryInfo(st *status.Status) time.Duration {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			if err := ri.GetRetryDelay().CheckValid(); err == nil {
				return max(ri.GetRetryDelay().AsDuration(), 0)
			}
		}
	}
	return 0
}

// rejection returns the error a client interceptor returns when one of its
// own policies refused a call: a StatusError that unwraps to the policy's
// error and carries the status code CodeOf maps it to. The common sentinels
// map to prebuilt values, so rejecting allocates nothing.
func rejection(err error) error {
	for _, r := range prebuilt {
		if r.err == err {
			return r
		}
	}
	return newRejection(err)
}

func newRejection(err error) *StatusError {
	st := status.New(CodeOf(err), err.Error())
	return &StatusError{st: st, err: err, msg: st.Err().Error()}
}

// contextError returns the error to report when ctx ended while a client
// interceptor waited (for a retry's backoff): its status is Canceled or
// DeadlineExceeded, and it unwraps to why, which matches ctx's error and
// the last attempt's.
func contextError(ctx context.Context, why error) error {
	st := status.FromContextError(ctx.Err())
	return &StatusError{st: st, err: why, msg: st.Err().Error() + ": " + why.Error()}
}
