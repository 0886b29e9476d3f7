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
// # Resolver
//
// A ResolverBuilder (NewResolverBuilder) is a grpc-go resolver over a
// discovery.Source: a client dials "<scheme>:///<service>" with
// grpc.WithResolvers, and the resolver watches the service and pushes each
// instance set as a resolver.State, one endpoint per instance, whose
// attributes carry the instance (InstanceFromAddress: ID, Weight, Zone,
// Version, Health, Metadata). Unhealthy instances are left out. When the
// source fails the resolver keeps the last good addresses and watches
// again after a backoff; it reports the error to grpc-go only while it has
// never resolved anything. grpc-go's ResolveNow watches the source anew,
// at most once per ResolverConfig.MinRefreshInterval.
//
// # Balancer
//
// The package registers a grpc-go balancer named BalancerName
// ("resilience_balancer"), configured in the service config (see
// BalancerConfig):
//
//	{"loadBalancingConfig": [{"resilience_balancer": {
//		"policy": "peak_ewma",
//		"outlier": {"consecutiveFailures": 5},
//		"healthCheck": {"interval": "5s"}}}]}
//
// It makes a SubConn per address and keeps one balancer.Balancer of our
// balancer package whose endpoints are the READY SubConns, weighted, zoned
// and labelled from the resolver's instance attributes. A pick is that
// Balancer's Pick (lock-free, no allocation: the Done functions are
// pooled); the pick's Done reports the call's error and latency to
// Pick.Done, the error classified by its status code as the client
// interceptors do (OutcomeFor), so that outlier detection ejects an
// endpoint that keeps answering Unavailable. Active health checks ask each
// connected endpoint grpc.health.v1 Health/Check over its own SubConn (no
// extra connection; BalancerBuilderConfig.Prober can use HealthProber's
// fresh connections instead); a server without a Health service counts as
// healthy. A pick never returns an ejected or unhealthy endpoint while an
// available one is connected; when none is, calls fail with Unavailable
// (wait-for-ready calls wait), unless panicMode picks among all.
//
// The picker is rebuilt, without a pause, whenever a SubConn's state or
// the address set changes; ejections and health changes take effect in
// the running picker at once, and a new picker wakes waiting calls. While
// no SubConn is READY yet, picks wait (ErrNoSubConnAvailable); when every
// SubConn failed to connect, the channel is in TRANSIENT_FAILURE and calls
// fail until one is READY again. Removed addresses are shut down after
// the picker without them is in place, so their in-flight calls finish.
// A SubConn that loses its connection leaves the picking set, and returns
// with a fresh record (no ejection or latency history) when it
// reconnects. Register builders with other clocks, listeners or probers
// under names of their own with NewBalancerBuilder.
//
// # Health service
//
// HealthServer serves grpc.health.v1 from a health.Checker: "" is the
// server's readiness, other names are checks. Watch polls the Checker and
// sends changes; Shutdown makes the server NOT_SERVING and tells every
// Watch stream at once; Close ends the streams before GracefulStop.
//
// # Concurrency and cost
//
// Client and Server are safe for concurrent use. On the client, finding a
// call's breaker is a lock-free map read; admitting a call allocates
// nothing beyond what the deadline decay (a context and metadata) and
// the pushback trailer (a call option) need; rejecting one allocates
// nothing. The hop count rides in a shared, read-only metadata.MD when the
// call has no other outgoing metadata.
//
// The decayed and per-attempt deadlines are contexts of package context,
// each with a runtime timer, not the cheaper timer-wheel contexts of
// timeout.WithDeadline: grpc-go derives a context.WithCancel from the
// call's context, and package context joins such a child to a parent of
// its own for the price of a map entry, even through the context.WithValue
// layers that interceptors add, while a parent of another type costs an
// AfterFunc registration (four allocations and more) or, behind a
// WithValue, a goroutine per call. Measured, the wheel made the call
// slower, not faster.
package grpcx
