// Package prom exports resilience statistics to Prometheus.
//
// A Collector is a prometheus.Collector that reads a stats.Registry at
// scrape time, as client_golang's own examples read "a system that might
// have been built without Prometheus in mind": the request path pays only
// for the stats Instance that each policy reports to, and nothing more
// when no Collector is registered.
//
//	reg := stats.Default()
//	br, _ := circuitbreaker.New(circuitbreaker.Config{Name: "db", Listener: reg.Listener("circuitbreaker", "db")})
//	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))
//	c, _ := prom.NewCollector(prom.Config{Registry: reg})
//	prometheus.MustRegister(c)
//
// # Metrics
//
// With the default namespace "resilience":
//
//	| metric                                   | type      | labels                | meaning |
//	|------------------------------------------|-----------|-----------------------|---------|
//	| resilience_calls_total                   | counter   | policy, name, outcome | calls by outcome: success, failure, rejected, shadow_rejected, timeout, fallback, panic |
//	| resilience_events_total                  | counter   | policy, name, kind    | other events: state_change, retry, retry_skipped, exhausted, hedge, fault |
//	| resilience_call_duration_seconds         | histogram | policy, name          | duration of finished calls (successes and failures) |
//	| resilience_<policy>_state                | gauge     | name, state           | 1 for the current state, 0 for the others (e.g. resilience_circuitbreaker_state) |
//	| resilience_circuitbreaker_failure_ratio  | gauge     | name                  | failures / calls over the breaker's window, 0..1 |
//	| resilience_circuitbreaker_slow_call_ratio| gauge     | name                  | slow calls / calls over the window, 0..1 |
//	| resilience_circuitbreaker_window_calls   | gauge     | name                  | calls in the window |
//	| resilience_circuitbreaker_consecutive_failures | gauge | name              | failures since the last success |
//	| resilience_circuitbreaker_remaining_open_seconds | gauge | name            | wait until an open breaker lets probes through |
//	| resilience_circuitbreaker_reject_probability | gauge | name                | adaptive mode's throttling probability |
//	| resilience_ratelimit_limit               | gauge     | name                  | the quota (burst or window limit) |
//	| resilience_ratelimit_remaining           | gauge     | name                  | events that would be admitted now |
//	| resilience_ratelimit_utilization         | gauge     | name                  | 1 - remaining/limit |
//	| resilience_bulkhead_in_flight            | gauge     | name                  | permits held (tasks running, for a pool) |
//	| resilience_bulkhead_waiting              | gauge     | name                  | callers waiting for a slot |
//	| resilience_bulkhead_max_concurrent       | gauge     | name                  | the limit |
//	| resilience_bulkhead_queued, _queue_size, _workers | gauge | name           | a worker pool's queue and workers |
//	| resilience_adaptive_limit, _in_flight    | gauge     | name                  | adaptive concurrency limit and calls in flight |
//	| resilience_adaptive_baseline_seconds, _last_rtt_seconds, _probing | gauge | name | the limiter's latency estimates |
//	| resilience_retry_attempt_latency_seconds | gauge     | name                  | the retry policy's attempt latency estimate |
//
// The <policy> gauges are those of the instance's stats.Source
// (stats.BreakerSource, LimiterSource, SemaphoreSource, PoolSource,
// AdaptiveSource, ShedderSource, RetrySource): every Gauges.Values entry
// g of a policy p becomes resilience_<p>_<g>{name}, with characters other
// than [a-zA-Z0-9_] replaced by '_'. A policy read only through its
// Source (no Listener) exports just these gauges.
//
// The histogram's buckets (Config.Buckets, DefaultBuckets from 500µs to
// 1m) are computed at scrape time from the stats package's streaming
// histogram: each count is exact for latencies below the bound and may
// include latencies up to 1.6% above it (two bins of stats.RelativeError);
// the sum is within stats.RelativeError.
//
// # Cardinality
//
// Labels are the policy kind, the instance name, the outcome, kind or
// state: bounded sets. The keys of keyed limiters and bulkheads are never
// labels: bind such a policy's Listener to one Instance
// (Registry.Listener(policy, name)), which ignores the per-key names in
// its events; a stats.Registry routing events by name caps its instances
// at Config.MaxInstances anyway.
//
// The Collector is unchecked: Describe sends nothing, since the gauges
// depend on the sources registered. It is safe for concurrent scrapes.
package prom
