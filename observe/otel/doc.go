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
// What a stage does not see stays out of spans: a breaker's state
// changes happen when a permit is released, without a context, and a
// fallback chain's step name is only in its events. Those reach metrics
// and logs (observe/slogx); a context-aware listener in the core would
// bring them to spans too.
package otel
