package httpx

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/ratelimit"
)

// StatusError carries an HTTP status through the policies. The client
// turns every response with a status of 400 or more, and every response
// IsFailure reports, into one, as the error of the attempt, so that a retry
// policy sees the status (HTTPStatus, for retry.DefaultRetryIf) and the
// server's Retry-After (RetryAfter, for retry.RetryAfterer), and guards see
// the outcome (ResilienceOutcome). The caller of RoundTrip never gets a
// StatusError for the response it receives: RoundTrip returns the response
// itself with a nil error, as http.RoundTripper requires. Server
// middlewares report a handler's 5xx status to their guard as one.
type StatusError struct {
	// StatusCode is the response's status code, e.g. 503.
	StatusCode int
	// Header is the response's header (nil for server-side errors).
	Header http.Header
	// Failure is whether the status counts as a failure (IsFailure);
	// ResilienceOutcome reports it.
	Failure bool

	retryAfter time.Duration
	resp       *http.Response
}

// Error returns "httpx: status 503 Service Unavailable".
func (e *StatusError) Error() string {
	return "httpx: status " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
}

// HTTPStatus returns StatusCode, for retry.DefaultRetryIf and
// errcode.ProblemWriter.
func (e *StatusError) HTTPStatus() int { return e.StatusCode }

// RetryAfter returns the delay the server asked for: its Retry-After on a
// 429 or 503 answer or, without one, the longest effective window of the
// exhausted (r=0) quotas of its RateLimit header; zero when it gave none.
func (e *StatusError) RetryAfter() time.Duration { return e.retryAfter }

// ResilienceOutcome reports OutcomeFailure when Failure is set and
// OutcomeSuccess otherwise: a 404 or a 429 proves the server is up.
func (e *StatusError) ResilienceOutcome() resilience.Outcome {
	if e.Failure {
		return resilience.OutcomeFailure
	}
	return resilience.OutcomeSuccess
}

// newStatusError builds the error of an attempt that got resp; now reads
// the clock, for a Retry-After date.
func newStatusError(resp *http.Response, failure bool, now func() time.Time) *StatusError {
	e := &StatusError{StatusCode: resp.StatusCode, Header: resp.Header, Failure: failure, resp: resp}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.retryAfter = retryHint(resp.Header, now)
	}
	return e
}

// retryHint reads the delay a 429 or 503 answer asks for: Retry-After
// first, as the RateLimit draft requires, then the longest effective window
// of an exhausted quota.
func retryHint(h http.Header, now func() time.Time) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if d, ok := ParseRetryAfter(v, now()); ok {
			return d
		}
	}
	if len(h["Ratelimit"]) == 0 {
		return 0
	}
	limits, err := RateLimitFromHeader(h)
	if err != nil {
		return 0
	}
	var d time.Duration
	for _, l := range limits {
		if l.Remaining == 0 && l.HasReset {
			d = max(d, l.Reset)
		}
	}
	return d
}

// StatusFor returns the HTTP status a server should answer with when a call
// failed with err:
//   - nil: 200;
//   - ratelimit.ErrLimited: 429 Too Many Requests;
//   - deadline.ErrBudgetExhausted: 504 Gateway Timeout (the caller's time
//     is up); deadline.ErrTooManyHops: 508 Loop Detected;
//   - any other refusal (resilience.ErrRejected: an open breaker, a full
//     bulkhead, a shed request): 503 Service Unavailable;
//   - context.DeadlineExceeded (timeout.ErrTimeout included): 504;
//   - an error with an HTTPStatus() int method in its chain: that status;
//   - anything else: 500 Internal Server Error.
func StatusFor(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ratelimit.ErrLimited):
		return http.StatusTooManyRequests
	case errors.Is(err, deadline.ErrBudgetExhausted):
		return http.StatusGatewayTimeout
	case errors.Is(err, deadline.ErrTooManyHops):
		return http.StatusLoopDetected
	case errors.Is(err, resilience.ErrRejected):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	}
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) {
		if s := hs.HTTPStatus(); s >= 100 && s <= 599 {
			return s
		}
	}
	return http.StatusInternalServerError
}
