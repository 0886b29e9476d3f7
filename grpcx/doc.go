// Package grpcx puts resilience-go's policies into gRPC client and server
// interceptors. It is a module of its own
// (github.com/resilience-go/resilience/grpcx), so that users of the core
// never have grpc in their module graph.
//
// The interceptors only translate: the algorithms are the policy packages'
// (circuitbreaker, retry, deadline, ratelimit, bulkhead, adaptive, chaos),
// configured by their own Config structs and shared like any guard.
//
// # Client
//
// NewClient builds a Client from a ClientConfig; install its
// UnaryInterceptor and StreamInterceptor on the ClientConn, and turn off
// grpc-go's own retries (grpc.WithDisableRetry) so that calls are not
// retried twice. Each call goes through, outermost first:
//
//	RateLimit → Concurrency → deadline decay → retry → breaker → AttemptTimeout → call
//
// In detail:
//
//   - The optional client guards count the call once, whatever the
//     attempts. Their refusals fail the call at once.
//   - The deadline decay (deadline.Propagator) runs the call under the
//     share of the caller's remaining deadline the next hop gets; grpc-go
//     sends it as grpc-timeout. The hop count goes in the resilience-hops
//     metadata (deadline.GRPCHopsKey). Calls with too little budget or too
//     many hops are refused without being sent.
//   - The retry policy (retry.Policy) runs further attempts after failures
//     it accepts. Each retry carries the number of earlier attempts in
//     grpc-previous-rpc-attempts (retry.GRPCPreviousAttemptsKey) and in its
//     context (resilience.AttemptFromContext). The server's pushback
//     overrides the backoff when longer: a google.rpc.RetryInfo detail or
//     a grpc-retry-pushback-ms trailer (a negative one stops the retries).
//   - The circuit breaker (one per method by default, see BreakerScope)
//     sees every attempt, so it opens during a retry storm and its
//     rejection, never retried, ends the storm at once. This is the order
//     of resilience4j, Polly and failsafe-go (retry outside the breaker),
//     rather than DESIGN.md's breaker-outside-retry: a breaker that sees
//     one outcome per logical call would count three failed attempts as
//     one failure and could not stop them.
//
// Streams take the same path for their creation; the guards and the
// breaker hold their permits until the stream ends and record its outcome:
// RecvMsg's io.EOF is a success, an error status a failure, a cancelled
// context is ignored. Only the creation is retried.
//
// # Classifying status codes
//
// The client returns grpc-go's status errors as *StatusError values,
// unchanged for status.Code and status.FromError, which tell the policies
// how to treat them (OutcomeFor, retry.DefaultRetryIf):
//
//	code                                          breaker   retried
//	OK                                            success   -
//	Unavailable, ResourceExhausted                failure   yes
//	DeadlineExceeded (of an attempt)              failure   yes
//	Aborted                                       ignored   yes
//	Unknown, Internal, DataLoss                   failure   no
//	Canceled                                      ignored   no
//	InvalidArgument, NotFound, AlreadyExists,
//	PermissionDenied, FailedPrecondition,
//	OutOfRange, Unimplemented, Unauthenticated    success   no
//
// Whatever the retry policy's RetryIf says, an error that counts as a
// success for the breaker (a client error, a business error of
// grpcx/status) is never retried. The client's own rejections are
// StatusErrors too, matching their policy's sentinel with errors.Is and
// carrying the code CodeOf gives them: an open breaker is Unavailable.
//
// # Server
//
// NewServer builds a Server from a ServerConfig; install its
// UnaryInterceptor and StreamInterceptor on the grpc.Server. Each call
// goes through panic recovery, the rate limits, the deadline admission,
// the priority, the concurrency guard and the chaos injector (see
// ServerConfig for the order and the details), each answering a refusal
// with a status:
//
//	refusal                                   status
//	rate limit (ratelimit.ErrLimited)         ResourceExhausted + RetryInfo + grpc-retry-pushback-ms
//	concurrency (bulkhead, adaptive)          Unavailable
//	budget below ServerConfig.Deadline.Min    DeadlineExceeded
//	too many hops (a routing loop)            FailedPrecondition
//	chaos fault                               the fault's code
//	panic                                     Internal, "internal error"
//
// A rate limit says "you sent too much" and comes with the delay after
// which the caller may send again: ResourceExhausted. A full server says
// "I cannot take this now", whoever the caller: Unavailable, which clients
// retry with backoff, perhaps on another instance, and which their breakers
// count.
//
// Deadlines beyond ServerConfig.Deadline.Max are clamped: the handler runs
// in a context derived with the shorter deadline, so a client asking for
// 24 hours cannot hold the server's resources for that long.
//
// # Business errors
//
// The subpackage grpcx/status converts errcode.Error values to statuses on
// the server and back to the same typed errors on the client. Install its
// client interceptor inside (after) the Client's, so that breakers and
// retries see business errors as the successes they are.
//
// # Concurrency and cost
//
// Client and Server are safe for concurrent use. On the client, finding a
// call's breaker is a lock-free map read; admitting a call allocates
// nothing beyond what the deadline decay (a context and metadata) and
// the pushback trailer (a call option) need; rejecting one allocates
// nothing.
package grpcx
