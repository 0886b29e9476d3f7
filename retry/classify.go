package retry

import (
	"context"
	"errors"
	"syscall"
	"time"

	"github.com/resilience-go/resilience"
)

// HTTPStatusCoder is implemented by errors that carry an HTTP response
// status, such as those made by httpx. DefaultRetryIf also recognises a
// StatusCode() int method, as exposed by several HTTP client libraries.
type HTTPStatusCoder interface {
	HTTPStatus() int
}

// GRPCCoder is implemented by errors that carry a gRPC status code, as a
// uint32 with grpc-go's numbering (codes.Unavailable is 14). grpc-go's own
// status errors expose GRPCStatus() instead, which this package cannot
// import; grpcx wraps them in an error that implements GRPCCoder.
type GRPCCoder interface {
	GRPCCode() uint32
}

// RetryAfterer is implemented by errors that say how long to wait before
// trying again, such as an HTTP 429 or 503 answer with a Retry-After
// header. The Policy waits at least that long, and gives up if it is longer
// than the backoff cap or the time MaxElapsed leaves.
type RetryAfterer interface {
	RetryAfter() time.Duration
}

// gRPC codes, as numbered by grpc-go's codes package.
const (
	grpcDeadlineExceeded  = 4
	grpcResourceExhausted = 8
	grpcAborted           = 10
	grpcUnavailable       = 14
)

// DefaultRetryIf is the RetryIf a Policy uses when its Config leaves it nil.
// It retries transient failures only, deciding in this order:
//
//   - never nil, a Permanent error, context.Canceled, or an error matching
//     resilience.ErrRejected: a guard inside the retry (an open breaker, a
//     full bulkhead, a spent rate limit) refused the call, and trying again
//     at once would meet the same refusal and only add load;
//   - always context.DeadlineExceeded, timeout.ErrTimeout included: a Policy
//     consults RetryIf only while its own context is alive, so such an error
//     comes from a per-attempt timeout inside the retry, never from the
//     caller's own deadline;
//   - always syscall.ECONNREFUSED and syscall.ECONNRESET;
//   - then the first error in the chain that says something decides: an
//     HTTP status (HTTPStatusCoder, or StatusCode() int) is retried when it
//     is 408, 425, 429, 500, 502, 503 or 504, and not otherwise; a gRPC
//     code (GRPCCoder) is retried when it is Unavailable, ResourceExhausted,
//     Aborted or DeadlineExceeded, and not otherwise; a net.Error-style
//     Timeout() that returns true, and a RetryAfterer with a positive
//     delay, are retried;
//   - nothing else is retried. In particular io.ErrUnexpectedEOF is not:
//     in-process decoders return it for truncated input, which fails the
//     same way every time; transports report a dropped connection as
//     ECONNRESET or a net.Error.
//
// Retrying is only safe for idempotent calls; DefaultRetryIf cannot know
// whether yours is one.
func DefaultRetryIf(err error) bool {
	if err == nil || IsPermanent(err) || errors.Is(err, context.Canceled) || errors.Is(err, resilience.ErrRejected) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	retry, _ := chainVerdict(err)
	return retry
}

// chainVerdict walks err's chain, joined errors depth first, and returns
// the verdict of the first error that carries a retry signal.
func chainVerdict(err error) (retry, decided bool) {
	for err != nil {
		if retry, decided = nodeVerdict(err); decided {
			return retry, true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if retry, decided = chainVerdict(e); decided {
					return retry, true
				}
			}
			return false, false
		default:
			return false, false
		}
	}
	return false, false
}

// nodeVerdict looks at one error of a chain, not at what it wraps.
func nodeVerdict(err error) (retry, decided bool) {
	if s, ok := err.(HTTPStatusCoder); ok {
		return retryableHTTPStatus(s.HTTPStatus()), true
	}
	if s, ok := err.(interface{ StatusCode() int }); ok {
		return retryableHTTPStatus(s.StatusCode()), true
	}
	if c, ok := err.(GRPCCoder); ok {
		switch c.GRPCCode() {
		case grpcUnavailable, grpcResourceExhausted, grpcAborted, grpcDeadlineExceeded:
			return true, true
		}
		return false, true
	}
	if t, ok := err.(interface{ Timeout() bool }); ok && t.Timeout() {
		return true, true
	}
	if r, ok := err.(RetryAfterer); ok && r.RetryAfter() > 0 {
		return true, true
	}
	return false, false
}

func retryableHTTPStatus(code int) bool {
	switch code {
	case 408, 425, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// retryAfter returns the first positive RetryAfter hint in err's chain, or
// zero. It does not allocate.
func retryAfter(err error) time.Duration {
	for err != nil {
		if r, ok := err.(RetryAfterer); ok {
			if d := r.RetryAfter(); d > 0 {
				return d
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if d := retryAfter(e); d > 0 {
					return d
				}
			}
			return 0
		default:
			return 0
		}
	}
	return 0
}
