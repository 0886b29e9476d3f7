package httpx

import (
	"net/http"
	"time"

	"github.com/resilience-go/resilience/deadline"
)

// Deadline returns a middleware that handles each request in the context
// s.FromRequest derives: bounded by the budget the request carried
// (deadline.HeaderDeadlineMs), clamped to s's limits, and carrying its hop
// count for the deadline.Propagator of outgoing calls (ClientConfig.Deadline).
// Refused requests are answered with an application/problem+json body
// without calling the handler: 504 Gateway Timeout when the budget is below
// the server's minimum (deadline.ErrBudgetExhausted), 508 Loop Detected
// beyond its hop limit (deadline.ErrTooManyHops). It is
// deadline.Server.Middleware with problem documents instead of plain text.
func Deadline(s *deadline.Server) Middleware { return DeadlineWithin(s, 0) }

// DeadlineWithin is Deadline for a handler that already bounds its own
// work to within (a timeout of its own, or per-try timeouts that cover
// every attempt): see deadline.Server.FromRequestWithin. A request whose
// budget is at least within, and which carries no hop count, is passed on
// as it came: no context, timer or copy of the request. within <= 0 is
// Deadline.
func DeadlineWithin(s *deadline.Server, within time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel, err := s.FromRequestWithin(r, within)
			if err != nil {
				writeRejection(w, StatusFor(err), rejectionDetail(err), 0)
				return
			}
			defer cancel()
			if ctx != r.Context() {
				r = r.WithContext(ctx)
			}
			next.ServeHTTP(w, r)
		})
	}
}
