// Package otel exports resilience statistics as OpenTelemetry metrics and
// records what policies do to a call as span events.
//
// # Metrics
//
// RegisterMetrics makes observable instruments on a MeterProvider's meter
// (scope ScopeName) that read a stats.Registry at each collection, with
// the same meaning as observe/prom's metrics:
//
//	| instrument                         | kind            | attributes                                           |
//	|------------------------------------|-----------------|------------------------------------------------------|
//	| resilience.calls ({call})          | counter         | resilience.policy, resilience.name, resilience.outcome |
//	| resilience.events ({event})        | counter         | resilience.policy, resilience.name, resilience.kind   |
//	| resilience.call.duration (s)       | gauge           | resilience.policy, resilience.name, quantile (0.5, 0.9, 0.99, 1) |
//	| resilience.state                   | gauge           | resilience.policy, resilience.name, resilience.state (1 current, 0 others) |
//	| resilience.<policy>.<gauge>        | gauge           | resilience.policy, resilience.name                    |
//	| resilience.gauge                   | gauge           | resilience.policy, resilience.name, resilience.gauge  |
//
// Outcomes are success, failure, rejected, shadow_rejected, timeout,
// fallback and panic; other event kinds (state_change, retry, ...) are
// resilience.events. Duration quantiles cover the last one to two minutes
// (stats.InstanceSnapshot.RecentLatency), within stats.RelativeError.
// The gauges of the stats sources have instruments of their own, e.g.
// resilience.circuitbreaker.failure_ratio, resilience.bulkhead.in_flight,
// resilience.ratelimit.utilization; gauges of other sources are reported
// on resilience.gauge. Attributes are bounded sets: keys of keyed policies
// are never attributes (see observe/prom for how to bind them).
//
// # Traces
//
// A resilience.Event carries no context, so a Listener cannot find the
// span of the call it reports on. The stages of a Pipeline do see the
// call's context, so Trace wraps each policy of a pipeline and records on
// the span in that context (when it is recording):
//
//	| span event                  | when                                   | attributes |
//	|-----------------------------|----------------------------------------|------------|
//	| resilience.rejected         | a guard (breaker, rate limiter, bulkhead, adaptive limiter) refused the call | resilience.policy, resilience.name, resilience.error |
//	| resilience.state_change     | a breaker (or a StateReporter guard) changed state while acquiring or releasing | resilience.policy, resilience.name, resilience.from, resilience.to |
//	| resilience.retry            | a retry starts another attempt          | resilience.attempt, resilience.delay (s), resilience.error |
//	| resilience.retry_stopped    | a retry gave up with an error           | resilience.attempt, resilience.error |
//	| resilience.fallback         | a fallback served a degraded result     | resilience.error (the error replaced) |
//	| resilience.timeout          | a timeout's own bound ended the call    | resilience.error |
//
// Do runs a pipeline and sets the span attributes resilience.attempts,
// resilience.degraded and resilience.rejected from its Result.
//
//	p, _ := resilience.NewPipeline[T](otel.Trace[T](fb, lim, br, rt, to)...)
//	res := otel.Do(ctx, p, call)
//
// A breaker changes state when a permit is released (closed to open,
// half-open to closed or open) or when a call is admitted after the open
// wait (open to half-open). Its wrapper hands out permits of its own, which
// the pipeline releases with the call's context
// (resilience.ContextReleaser), and reads the breaker's state after each
// Acquire and Release. Each change is reported once, on the span of the
// first traced call to see it, normally the call that caused it, however
// many pipelines share the breaker; changes made outside traced pipelines
// (ForceOpen, Reset, direct use of the breaker) are reported by the next
// traced call, and changes in quick succession under concurrency may be
// reported as one. Breaker.State applies due transitions when it is read,
// so "before and after" reads around one call could not see open to
// half-open; the wrapper compares with the state last seen instead.
//
// What a stage does not see stays out of spans: a fallback chain's step
// name is only in its events, which reach metrics and logs
// (observe/slogx).
package otel
