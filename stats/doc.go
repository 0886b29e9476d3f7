// Package stats keeps live statistics per named policy instance, for
// exporters (observe/prom, observe/otel) and dashboards.
//
// An Instance is a resilience.Listener: set it as a policy's
// Config.Listener and it records every event the policy reports.
//
//   - Counts by event kind ("success", "failure", "rejected",
//     "shadow_rejected", "timeout", "fallback", "retry", ...) since the
//     instance was made, and their rates per second over the last 10
//     seconds and the last minute. Counts sit in a ring of 64 one-second
//     slots of atomic counters, indexed by the clock's Nanotime; the first
//     event of a second in a slot moves the slot's old counts into the
//     lifetime totals under a mutex, once per second at most. Totals never
//     lose a count; an event racing with that rotation may be counted in
//     the next second's rate.
//   - Latencies of successes and failures in a log-linear histogram (as in
//     HdrHistogram): one bin per nanosecond below 64 ns, then 64 bins of
//     equal width per power of two, up to 2^40 ns (about 18 minutes; longer
//     latencies share the last bin). That is 2240 atomic counters, about
//     18 KiB per instance whatever the traffic, and every quantile it
//     reports (P50, P90, P99, Max, bucket counts) is within RelativeError
//     = 1/128 (0.79%) of the exact nearest-rank value. The maximum is kept
//     exactly. RecentLatency summarises the last one to two minutes by
//     subtracting a copy of the histogram taken by an earlier Snapshot.
//   - Gauges read from the policy itself at snapshot time through a
//     Source: its state (circuit breaker), limiter usage, bulkhead
//     in-flight and queued calls. BreakerSource, LimiterSource,
//     SemaphoreSource, PoolSource, AdaptiveSource, ShedderSource and
//     RetrySource read this module's policies.
//
// A Registry lists instances by (policy, name) and snapshots them all;
// Default is a process-wide one. Most callers want Registry.Listener:
//
//	reg := stats.Default()
//	br, _ := circuitbreaker.New(circuitbreaker.Config{Name: "db", Listener: reg.Listener("circuitbreaker", "db")})
//	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))
//	snaps := reg.Snapshot() // []InstanceSnapshot, JSON-ready
//
// The Registry is a Listener too, routing each event by its Policy and
// Name, and bounds the instances it makes (Config.MaxInstances).
//
// Recording takes no lock and does not allocate: an event costs a clock
// reading and one or two atomic adds. Everything is safe for concurrent
// use; snapshots allocate and belong to scrape time.
package stats
