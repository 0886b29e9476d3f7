package httpx

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/resilience-go/resilience/errcode"
)

// Middleware wraps an http.Handler. It is an alias, so the middlewares of
// this package compose with any other func(http.Handler) http.Handler.
type Middleware = func(http.Handler) http.Handler

// Chain composes middlewares into one, the first outermost: Chain(a, b)(h)
// is a(b(h)), so a request meets a first. Nil middlewares are skipped; an
// empty Chain returns the handler unchanged. A typical server order is
//
//	httpx.Chain(recoverMW, deadlineMW, rateLimitMW, concurrencyMW)
//
// so that panics anywhere become 500s, refusals cost the least work, and
// the concurrency guard sees the request's deadline. chaos.Middleware goes
// innermost, so that the guards count its faults.
func Chain(mws ...Middleware) Middleware {
	return func(h http.Handler) http.Handler {
		for i := len(mws) - 1; i >= 0; i-- {
			if mws[i] != nil {
				h = mws[i](h)
			}
		}
		return h
	}
}

// writeRejection answers a refused request with an RFC 9457 problem
// document: status, a client-safe detail and, when positive, Retry-After.
func writeRejection(w http.ResponseWriter, status int, detail string, retryAfter time.Duration) {
	p := errcode.NewProblem(status, "", detail)
	p.RetryAfter = retryAfter
	p.Write(w)
}

// rejectionDetail is the client-safe explanation of a refusal.
func rejectionDetail(err error) string {
	switch StatusFor(err) {
	case http.StatusTooManyRequests:
		return "rate limit exceeded"
	case http.StatusGatewayTimeout:
		if errors.Is(err, context.DeadlineExceeded) {
			return "request deadline exceeded"
		}
		return "request time budget exhausted"
	case http.StatusLoopDetected:
		return "too many hops: routing loop suspected"
	}
	return "server overloaded: try again later"
}
