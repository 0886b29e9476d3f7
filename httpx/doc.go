// Package httpx brings the resilience policies to net/http: a client
// http.RoundTripper and server middlewares. It only translates: the
// algorithms live in the policy packages, and httpx maps requests,
// responses and statuses onto them.
//
// # Client
//
// NewRoundTripper builds a RoundTripper that sends each request through
// the policies of its destination (by default its URL's host), built on
// first use from a fixed set of configs (RateLimit, Bulkhead, Breaker,
// Retry, AttemptTimeout, outermost first) or from a factory
// (ClientConfig.Policies); at most MaxKeys destinations keep policies at
// once. Transport errors and 5xx responses count as failures, 4xx
// responses do not (ClientConfig.IsFailure changes that). Only idempotent
// requests are retried (or those with an Idempotency-Key header), with the
// body replayed from Request.GetBody; 429 and 503 answers are retried after
// their Retry-After. The caller gets the final response as a plain
// transport would, with its body intact, even when it is a 503 that
// exhausted the retries; refusals come back as errors matching the
// policies' sentinels (circuitbreaker.ErrOpen, resilience.ErrRejected, …),
// which http.Client wraps in a *url.Error. See RoundTripper for the exact
// contract. Most callers want:
//
//	rt, _ := httpx.NewRoundTripper(httpx.ClientConfig{Breaker: &b, Retry: &r})
//	client := &http.Client{Transport: rt}
//
// # Server
//
// The middlewares are plain func(http.Handler) http.Handler values
// (Middleware), composed with Chain or any router's Use:
//
//   - RateLimit: global and per-key limits (client IP, with trusted
//     proxies; a header; any function) answering 429 with Retry-After, and
//     the IETF RateLimit and RateLimit-Policy headers on every response;
//   - Concurrency: any resilience.Guard, such as a bulkhead or an adaptive
//     limiter or shedder, answering 503 with Retry-After, with the
//     request's priority read from a header into its context;
//   - Deadline: the incoming time budget, clamped, as the request's
//     context deadline (deadline.Server);
//   - Recover: panics to 500, counted and reported as EventPanic.
//
// Refusals are RFC 9457 application/problem+json documents
// (errcode.Problem); StatusFor maps any policy error to its status. The
// guards learn each request's outcome from the status the handler wrote:
// 5xx is a failure. The ResponseWriter the handler receives keeps
// http.Flusher, http.Hijacker and io.ReaderFrom, and unwraps for
// http.ResponseController.
//
// # Headers
//
// ParseRetryAfter reads Retry-After (delay-seconds or HTTP-date);
// ParseRateLimit and ParseRateLimitPolicy read the RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers-10 (Structured Field lists, RFC
// 9651), and FormatServiceLimit and FormatQuotaPolicy write them.
//
// # Concurrency and cost
//
// RoundTripper and every middleware are safe for concurrent use. A
// request to a known destination takes no lock; it allocates the
// per-request state, a shallow copy of the request when an attempt needs
// its own context or headers, and what the policies themselves allocate.
package httpx
